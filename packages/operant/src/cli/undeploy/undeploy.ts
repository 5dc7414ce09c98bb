// `operant undeploy`: deletes what `operant deploy` applied (CRDs first, so
// the operator can still finalize their objects) and waits until it is gone.
import { Command, Option } from "commander";
import { normalize } from "node:path";
import { deleteConfigSet, readConfigSet } from "../deploy/config-set.ts";
import { printOutcome } from "../deploy/deploy.ts";
import { connectCluster, findProject } from "../project/project.ts";

/**
 * The `undeploy` command.
 *
 * @example
 * ```sh
 * operant undeploy
 * ```
 */
export function undeployCommand(): Command {
  return new Command("undeploy")
    .description("Delete what deploy applied (kustomize's build of config/default, or of the overlay given) from the cluster, CRDs and their objects first, and wait until it is gone")
    .option("-k, --kustomize <dir>", "kustomization deploy built, relative to the project", "config/default")
    .addOption(new Option("--dry-run <mode>", "server: the API server checks the deletions without performing them").choices(["server", "none"]).default("none"))
    .option("--timeout <seconds>", "how long to wait for everything to be gone", "120")
    .option("--kubeconfig <path>", "kubeconfig (default: KUBECONFIG, ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .action(async (options: { kustomize: string; dryRun: "server" | "none"; timeout: string; kubeconfig?: string; context?: string }) => {
      const project = await findProject();
      const set = await readConfigSet(project.root, normalize(options.kustomize));
      const dryRun = options.dryRun === "server";
      const client = await connectCluster(options);
      try {
        await deleteConfigSet(client, set, { dryRun, timeoutMs: Number(options.timeout) * 1000, onOutcome: (o) => printOutcome(o, dryRun) });
      } finally {
        await client.close();
      }
      process.stderr.write(dryRun ? "dry run: nothing was deleted.\n" : "undeployed: everything is gone.\n");
    });
}
