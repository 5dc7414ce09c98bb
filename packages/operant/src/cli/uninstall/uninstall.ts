// `operant uninstall [kinds…]`: removes the project's CRDs — and with them
// every object of those kinds — and waits until they are gone.
import { Command } from "commander";
import { uninstallCrds } from "../../crd/install/install.ts";
import { crdManifests } from "../../crd/manifest/manifest.ts";
import { selectResources } from "../install/install.ts";
import { connectCluster, findProject, loadOperator } from "../project/project.ts";

/**
 * The `uninstall` command.
 *
 * @example
 * ```sh
 * operant uninstall
 * ```
 */
export function uninstallCommand(): Command {
  return new Command("uninstall")
    .description("Delete the project's CRDs (and every object of their kinds) from the cluster; waits until they are gone")
    .argument("[kinds...]", "only these kinds (default: all)")
    .option("--kubeconfig <path>", "kubeconfig (default: KUBECONFIG, ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .option("--timeout <seconds>", "how long to wait for the CRDs to be gone", "60")
    .action(async (kinds: string[], options: { kubeconfig?: string; context?: string; timeout: string }) => {
      const project = await findProject();
      const operator = await loadOperator(project.root);
      const crds = crdManifests(...selectResources(operator, kinds));
      const client = await connectCluster(options);
      try {
        await uninstallCrds(client, crds, { timeoutMs: Number(options.timeout) * 1000 });
        for (const crd of crds) process.stderr.write(`  deleted ${crd.metadata.name}\n`);
      } finally {
        await client.close();
      }
    });
}
