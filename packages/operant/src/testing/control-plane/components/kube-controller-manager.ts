import { join } from "node:path";
import { probe } from "../admin-api.ts";
import type { ComponentDefinition } from "./component-definition.ts";
import { controlLoopFlags } from "./shared-flags.ts";

/**
 * kube-controller-manager: every default controller (garbage collector,
 * Deployments, namespaces, ServiceAccounts, node lifecycle …), tuned for a
 * small, fast local cluster.
 *
 * @example
 * ```ts
 * const running = await launch(kubeControllerManager, ctx, binary);
 * ```
 */
export const kubeControllerManager: ComponentDefinition = {
  name: "kube-controller-manager",
  args: (ctx) => [
    ...controlLoopFlags(ctx),
    `--secure-port=${ctx.ports.controllerManager}`,
    `--root-ca-file=${join(ctx.paths.pki, "serving-ca.crt")}`,
    `--service-account-private-key-file=${join(ctx.paths.pki, "sa.key")}`,
    "--use-service-account-credentials=false",
    "--node-monitor-period=5s",
    "--node-monitor-grace-period=40s",
    "--concurrent-gc-syncs=20",
    "--concurrent-deployment-syncs=10",
    "--concurrent-replicaset-syncs=10",
    `--cert-dir=${join(ctx.paths.pki, "kcm-generated")}`,
  ],
  readiness: (ctx) => [
    { check: () => probe(`https://127.0.0.1:${ctx.ports.controllerManager}/healthz`), what: "kube-controller-manager did not report healthy" },
    { check: async (api) => (await api.call("GET", "/api/v1/namespaces/default/serviceaccounts/default")).status === 200, what: "kube-controller-manager did not create the default ServiceAccount" },
  ],
};
