// `operant generate`: writes config/ from src/operator.ts — CRDs, RBAC, the
// manager Deployment, the metrics Service, kustomizations, and samples for
// resources that have none yet. Running it twice changes nothing.
import { Command } from "commander";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { findProject, loadOperator, reportWrite, writeIfChanged, type WriteResult } from "../project/project.ts";
import { configLayout } from "./layout.ts";

/** Lists the sample files of a project (config/samples/*.yaml but the kustomization). */
export async function existingSamples(root: string): Promise<string[]> {
  const dir = join(root, "config", "samples");
  if (!existsSync(dir)) return [];
  return (await readdir(dir)).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml").sort();
}

/**
 * Writes the project's config/ files; returns how each file fared.
 *
 * @example
 * ```ts
 * const results = await generateConfig(project.root, { watchNamespaces: [] });
 * ```
 */
export async function generateConfig(root: string, options: { watchNamespaces?: string[]; image?: string; quiet?: boolean } = {}): Promise<Map<string, WriteResult>> {
  const operator = await loadOperator(root);
  const layout = configLayout(operator, {
    ...(options.watchNamespaces && { watchNamespaces: options.watchNamespaces }),
    ...(options.image && { image: options.image }),
    existingSamples: await existingSamples(root),
  });
  const results = new Map<string, WriteResult>();
  for (const [rel, text] of [...layout.samples, ...layout.generated]) {
    const path = join(root, rel);
    const r = await writeIfChanged(path, text);
    results.set(rel, r);
    if (!options.quiet) reportWrite(root, path, r);
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
 * ```
 */
export function generateCommand(): Command {
  return new Command("generate")
    .description("Write config/ (CRDs, RBAC, manager Deployment, samples, kustomizations) from src/operator.ts")
    .option("--watch-namespace <list>", "comma-separated namespaces the deployed operator watches (default: all, or its own namespace when Namespaced)")
    .option("--image <image>", "manager image in config/manager (default: the operator's image)")
    .action(async (options: { watchNamespace?: string; image?: string }) => {
      const project = await findProject();
      const watchNamespaces = options.watchNamespace
        ?.split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const results = await generateConfig(project.root, { ...(watchNamespaces && { watchNamespaces }), ...(options.image && { image: options.image }) });
      const changed = [...results.values()].filter((r) => r !== "unchanged").length;
      process.stderr.write(changed === 0 ? "config/ is up to date.\n" : `${changed} file(s) written. Next: \`operant install\` (CRDs) and \`operant run\`, or \`operant deploy\`.\n`);
    });
}
