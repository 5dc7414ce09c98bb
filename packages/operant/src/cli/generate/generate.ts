// `operant generate`: writes config/ from src/operator.ts — CRDs, RBAC, the
// manager Deployment, the metrics Service, kustomizations, and samples for
// resources that have none yet. Running it twice changes nothing.
import { Command } from "commander";
import { existsSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { findProject, loadOperator, writeIfChanged, type WriteResult } from "../project/project.ts";
import { helmChartFor } from "../../operator/helm-chart.ts";
import { configLayout, GENERATED_HEADER } from "./layout.ts";

/** Lists the sample files of a project (config/samples/*.yaml but the kustomization). */
export async function existingSamples(root: string): Promise<string[]> {
  const dir = join(root, "config", "samples");
  if (!existsSync(dir)) return [];
  return (await readdir(dir)).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml").sort();
}

/** What {@link generateConfig} did to each file (`kept`: the user's, left alone; `removed`: obsolete and still operant's). */
export type GenerateResult = WriteResult | "kept" | "removed";

/**
 * Writes the project's config/ files; returns how each file fared. operant's
 * files are rewritten, the user's (config/default) only written when
 * missing, samples rewritten only while the user has not edited them.
 *
 * @example
 * ```ts
 * const results = await generateConfig(project.root, { watchNamespaces: [] });
 * ```
 */
export async function generateConfig(root: string, options: { watchNamespaces?: string[]; image?: string; quiet?: boolean } = {}): Promise<Map<string, GenerateResult>> {
  const operator = await loadOperator(root);
  const samples = new Map<string, string>();
  for (const f of await existingSamples(root)) samples.set(f, await readFile(join(root, "config", "samples", f), "utf8"));
  const layout = configLayout(operator, {
    ...(options.watchNamespaces && { watchNamespaces: options.watchNamespaces }),
    ...(options.image && { image: options.image }),
    existingSamples: samples,
  });
  const results = new Map<string, GenerateResult>();
  const report = (rel: string, r: GenerateResult) => {
    results.set(rel, r);
    if (!options.quiet && r !== "kept") process.stderr.write(`  ${r.padEnd(9)} ${rel}\n`);
  };
  for (const [rel, text] of [...layout.samples, ...layout.generated]) report(rel, await writeIfChanged(join(root, rel), text));
  for (const [rel, text] of layout.userOwned) {
    const path = join(root, rel);
    // A file that still starts with operant's header is from a layout where operant owned it.
    const old = existsSync(path) ? await readFile(path, "utf8") : undefined;
    report(rel, old === undefined || old.startsWith(GENERATED_HEADER) ? await writeIfChanged(path, text) : "kept");
  }
  for (const rel of layout.obsolete) {
    const path = join(root, rel);
    if (existsSync(path) && (await readFile(path, "utf8")).startsWith(GENERATED_HEADER)) {
      await rm(path);
      report(rel, "removed");
    }
  }
  return results;
}

/**
 * The `generate` command.
 *
 * @example
 * ```sh
 * operant generate                                # config/ for all namespaces (Cluster scope)
 * operant generate --watch-namespace team-a,team-b
 * operant generate --helm                         # and charts/<name>/
 * ```
 */
export function generateCommand(): Command {
  return new Command("generate")
    .description("Write config/ (CRDs, RBAC, manager Deployment, samples, kustomizations) from src/operator.ts")
    .option("--watch-namespace <list>", "comma-separated namespaces the deployed operator watches (default: all, or its own namespace when Namespaced)")
    .option("--image <image>", "manager image in config/manager (default: the operator's image)")
    .option("--helm", "also write a Helm chart to charts/<operator name>/ (operant's: rewritten each time)")
    .option("--chart-version <semver>", "the Helm chart's version", "0.1.0")
    .action(async (options: { watchNamespace?: string; image?: string; helm?: boolean; chartVersion: string }) => {
      const project = await findProject();
      const watchNamespaces = options.watchNamespace
        ?.split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const results = await generateConfig(project.root, { ...(watchNamespaces && { watchNamespaces }), ...(options.image && { image: options.image }) });
      if (options.helm) {
        const operator = await loadOperator(project.root);
        const chart = helmChartFor(operator, { version: options.chartVersion, ...(watchNamespaces && { watchNamespaces }), ...(options.image && { image: options.image }) });
        for (const [rel, text] of Object.entries(chart.files)) {
          const path = join("charts", operator.name, rel);
          const r = await writeIfChanged(join(project.root, path), text);
          results.set(path, r);
          process.stderr.write(`  ${r.padEnd(9)} ${path}\n`);
        }
      }
      const changed = [...results.values()].filter((r) => r !== "unchanged" && r !== "kept").length;
      process.stderr.write(changed === 0 ? "config/ is up to date.\n" : `${changed} file(s) written. Next: \`operant install\` (CRDs) and \`operant run\`, or \`operant deploy\`.\n`);
    });
}
