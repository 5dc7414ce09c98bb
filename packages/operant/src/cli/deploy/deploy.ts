// `operant deploy`: what kustomize builds from config/default (CRDs, RBAC,
// the manager Deployment, the metrics Service, the enabled components, the
// user's patches) or from an overlay (`-k config/overlays/prod`), into the
// cluster with server-side apply; `--dry-run=server` has the API server
// check it all without persisting.
import { Command, Option } from "commander";
import { normalize } from "node:path";
import { connectCluster, findProject } from "../project/project.ts";
import { applyConfigSet, describeObject, readConfigSet, type ConfigObject, type ObjectOutcome } from "./config-set.ts";

/** Replaces the image of the `manager` container of the set's Deployments. */
export function withImage(set: readonly ConfigObject[], image: string): ConfigObject[] {
  return set.map((o) => {
    if (o.object.kind !== "Deployment") return o;
    const d = structuredClone(o.object) as ConfigObject["object"] & { spec?: { template?: { spec?: { containers?: { name: string; image?: string }[] } } } };
    for (const c of d.spec?.template?.spec?.containers ?? []) if (c.name === "manager") c.image = image;
    return { ...o, object: d };
  });
}

/** Prints one outcome line on stderr. */
export function printOutcome(o: ObjectOutcome, dryRun: boolean): void {
  process.stderr.write(`  ${o.result.padEnd(8)} ${describeObject(o.object)}${dryRun && o.result !== "skipped" ? " (server dry run)" : ""}${o.note ? `: ${o.note}` : ""}\n`);
}

/**
 * The `deploy` command.
 *
 * @example
 * ```sh
 * operant deploy --image quay.io/me/memcached-operator:v0.1.0
 * operant deploy --dry-run=server
 * operant deploy -k config/overlays/production
 * ```
 */
export function deployCommand(): Command {
  return new Command("deploy")
    .description("Build config/default (or an overlay) with kustomize and apply it to the cluster with server-side apply: CRDs, RBAC, manager Deployment, metrics Service, your patches")
    .option("-k, --kustomize <dir>", "kustomization to build, relative to the project (an overlay of config/default)", "config/default")
    .option("--image <image>", "manager image (default: the one in config/manager)")
    .addOption(new Option("--dry-run <mode>", "server: the API server validates and admits everything without persisting it").choices(["server", "none"]).default("none"))
    .option("--kubeconfig <path>", "kubeconfig (default: KUBECONFIG, ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .action(async (options: { kustomize: string; image?: string; dryRun: "server" | "none"; kubeconfig?: string; context?: string }) => {
      const project = await findProject();
      let set = await readConfigSet(project.root, normalize(options.kustomize));
      if (options.image) set = withImage(set, options.image);
      const dryRun = options.dryRun === "server";
      const client = await connectCluster(options);
      try {
        await applyConfigSet(client, set, { dryRun, onOutcome: (o) => printOutcome(o, dryRun) });
      } finally {
        await client.close();
      }
      process.stderr.write(dryRun ? "dry run: nothing was changed.\n" : "deployed. Watch it with: kubectl get deployments,pods -A -l control-plane=controller-manager\n");
    });
}
