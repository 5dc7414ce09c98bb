// `operant install [kinds…]`: the project's CRDs into the cluster of the
// current kubeconfig (server-side apply, then wait until Established).
import { Command } from "commander";
import { OperantError } from "../../core/errors.ts";
import { installCrds } from "../../crd/install/install.ts";
import type { ResourceDefinition } from "../../crd/resource/resource.ts";
import type { OperatorDefinition } from "../../operator/operator.ts";
import { connectCluster, findProject, loadOperator } from "../project/project.ts";

/**
 * The operator's resources, or those of the given kinds (by kind name, e.g. `Memcached`).
 *
 * @throws OperantError `UnknownKind` (the message lists the known kinds), `NothingToInstall`
 * @example
 * ```ts
 * selectResources(operator, ["Memcached"]);
 * ```
 */
export function selectResources(operator: OperatorDefinition, kinds: readonly string[]): ResourceDefinition[] {
  const known = [...new Set(operator.resources.map((r) => r.kind))];
  if (known.length === 0) {
    throw new OperantError("NothingToInstall", `${operator.name} defines no resources yet: add one with \`operant create api --group <group> --version v1alpha1 --kind <Kind>\`.`);
  }
  for (const k of kinds) {
    if (!known.includes(k)) throw new OperantError("UnknownKind", `${operator.name} defines no kind ${k}; its kinds are ${known.join(", ")}. Check the spelling (kinds are UpperCamelCase), or add it with \`operant create api\`.`);
  }
  return operator.resources.filter((r) => kinds.length === 0 || kinds.includes(r.kind));
}

/**
 * The `install` command.
 *
 * @example
 * ```sh
 * operant install            # every CRD of the project
 * operant install Memcached  # only this kind's
 * ```
 */
export function installCommand(): Command {
  return new Command("install")
    .description("Install the project's CRDs into the cluster (server-side apply; waits until they are served)")
    .argument("[kinds...]", "only these kinds (default: all)")
    .option("--kubeconfig <path>", "kubeconfig (default: KUBECONFIG, ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .action(async (kinds: string[], options: { kubeconfig?: string; context?: string }) => {
      const project = await findProject();
      const operator = await loadOperator(project.root);
      const resources = selectResources(operator, kinds);
      const client = await connectCluster(options);
      try {
        const crds = await installCrds(client, resources, { fieldManager: "operant-cli" });
        for (const crd of crds) process.stderr.write(`  installed ${crd.metadata.name}\n`);
      } finally {
        await client.close();
      }
    });
}
