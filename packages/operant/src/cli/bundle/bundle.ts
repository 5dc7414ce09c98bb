// `operant bundle --version <semver>`: an OLM bundle of the project in
// bundle/ (ClusterServiceVersion and CRDs in manifests/, annotations in
// metadata/) and bundle.Dockerfile, from src/operator.ts and config/samples.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { Command } from "commander";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../core/object.ts";
import { OperantError } from "../../core/errors.ts";
import { bundleFor, type CsvIcon } from "../../operator/bundle.ts";
import { existingSamples } from "../generate/generate.ts";
import { findProject, loadOperator, reportWrite, writeIfChanged } from "../project/project.ts";
import { validateBundleDir } from "./validate.ts";

const ICON_TYPES: Record<string, CsvIcon["mediatype"]> = { ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif" };

/** Reads an icon file for the CSV. */
async function readIcon(path: string): Promise<CsvIcon> {
  const mediatype = ICON_TYPES[extname(path).toLowerCase()];
  if (!mediatype) throw new OperantError("InvalidArgument", `--icon ${path}: use an .svg, .png, .jpg or .gif file (OLM shows those).`);
  if (!existsSync(path)) throw new OperantError("InvalidArgument", `--icon ${path} does not exist: give the path of an image file.`);
  return { base64data: (await readFile(path)).toString("base64"), mediatype };
}

/** The objects in config/samples (for the CSV's alm-examples). */
async function readSamples(root: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const f of await existingSamples(root)) {
    for (const d of parseAllDocuments(await readFile(join(root, "config", "samples", f), "utf8"))) {
      const o = d.toJS() as KubeObject | null;
      if (o && typeof o.kind === "string") out.push(o);
    }
  }
  return out;
}

const list = (s: string | undefined) =>
  s
    ?.split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * The `bundle` command.
 *
 * @example
 * ```sh
 * operant bundle --version 0.1.0 --channels candidate,stable --default-channel stable --image quay.io/me/memcached-operator:v0.1.0
 * operant bundle --version 0.1.0 --icon docs/icon.svg --validate
 * ```
 */
export function bundleCommand(): Command {
  return new Command("bundle")
    .description("Write an OLM bundle (bundle/manifests, bundle/metadata, bundle.Dockerfile): a ClusterServiceVersion with the generated RBAC and Deployment, and the CRDs")
    .requiredOption("--version <semver>", "bundle version, e.g. 0.1.0")
    .option("--channels <list>", "comma-separated channels (OLM's convention: candidate, fast, stable, optionally with a suffix)", "candidate")
    .option("--default-channel <channel>", "default channel (default: the first of --channels)")
    .option("--image <image>", "manager image (default: the operator's image)")
    .option("--replaces <csv>", "the CSV this version upgrades, e.g. memcached-operator.v0.0.9")
    .option("--min-kube-version <version>", "oldest supported Kubernetes version", "1.26.0")
    .option("--icon <file>", "icon shown in catalogs (.svg, .png, .jpg or .gif; default: operant's)")
    .option("--validate", "then run the operator-framework validators on bundle/ (builds them with Go the first time, into ~/.cache/operant/tools)")
    .action(async (options: { version: string; channels: string; defaultChannel?: string; image?: string; replaces?: string; minKubeVersion: string; icon?: string; validate?: boolean }) => {
      const project = await findProject();
      const operator = await loadOperator(project.root);
      const samples = existsSync(join(project.root, "config", "samples")) ? await readSamples(project.root) : [];
      const bundle = bundleFor(operator, {
        version: options.version,
        channels: list(options.channels) ?? [],
        ...(options.defaultChannel && { defaultChannel: options.defaultChannel }),
        ...(options.image && { image: options.image }),
        ...(options.replaces && { replaces: options.replaces }),
        minKubeVersion: options.minKubeVersion,
        ...(samples.length > 0 && { examples: samples }),
        ...(options.icon && { icon: await readIcon(options.icon) }),
      });
      for (const [rel, text] of Object.entries(bundle.files)) {
        const path = join(project.root, rel);
        reportWrite(project.root, path, await writeIfChanged(path, text));
      }
      process.stderr.write(`bundle ${bundle.csv.metadata.name} written. Build it with: docker build -f bundle.Dockerfile -t <registry>/${bundle.packageName}-bundle:v${options.version} .\n`);
      if (!options.validate) return;
      const { errors, warnings } = await validateBundleDir(join(project.root, "bundle"), { onProgress: (p) => p.phase !== "compiling" && process.stderr.write(`  building the bundle validator: ${p.phase} (${Math.round(p.elapsedMs / 1000)} s)\n`) });
      for (const f of [...errors, ...warnings]) process.stderr.write(`  ${f.level.padEnd(7)} [${f.validator}] ${f.detail}\n`);
      process.stderr.write(`validation: ${errors.length} error(s), ${warnings.length} warning(s).\n`);
      if (errors.length > 0) throw new OperantError("BundleInvalid", `the operator-framework validators found ${errors.length} error(s) in bundle/ (listed above): fix their cause in src/operator.ts or the bundle options, and run \`operant bundle --validate\` again.`);
    });
}
