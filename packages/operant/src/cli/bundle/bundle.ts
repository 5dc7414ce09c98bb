// `operant bundle --version <semver>`: an OLM bundle of the project in
// bundle/ (ClusterServiceVersion and CRDs in manifests/, annotations in
// metadata/) and bundle.Dockerfile, from src/operator.ts and config/samples.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../core/object.ts";
import { bundleFor } from "../../operator/bundle.ts";
import { existingSamples } from "../generate/generate.ts";
import { findProject, loadOperator, reportWrite, writeIfChanged } from "../project/project.ts";

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
 * operant bundle --version 0.1.0 --channels alpha,stable --default-channel stable --image quay.io/me/memcached-operator:v0.1.0
 * ```
 */
export function bundleCommand(): Command {
  return new Command("bundle")
    .description("Write an OLM bundle (bundle/manifests, bundle/metadata, bundle.Dockerfile): a ClusterServiceVersion with the generated RBAC and Deployment, and the CRDs")
    .requiredOption("--version <semver>", "bundle version, e.g. 0.1.0")
    .option("--channels <list>", "comma-separated channels", "alpha")
    .option("--default-channel <channel>", "default channel (default: the first of --channels)")
    .option("--image <image>", "manager image (default: the operator's image)")
    .option("--replaces <csv>", "the CSV this version upgrades, e.g. memcached-operator.v0.0.9")
    .option("--min-kube-version <version>", "oldest supported Kubernetes version", "1.26.0")
    .action(async (options: { version: string; channels: string; defaultChannel?: string; image?: string; replaces?: string; minKubeVersion: string }) => {
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
      });
      for (const [rel, text] of Object.entries(bundle.files)) {
        const path = join(project.root, rel);
        reportWrite(project.root, path, await writeIfChanged(path, text));
      }
      process.stderr.write(`bundle ${bundle.csv.metadata.name} written. Build it with: docker build -f bundle.Dockerfile -t <registry>/${bundle.packageName}-bundle:v${options.version} .\n`);
    });
}
