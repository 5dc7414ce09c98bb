import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { OperantError } from "../../../core/errors.ts";
import type { AdminApi } from "../admin-api.ts";
import { kwokStages } from "../kwok-stages.ts";
import type { ComponentContext, ComponentDefinition } from "./component-definition.ts";

const stagesPath = (ctx: ComponentContext) => join(ctx.paths.kwokHome, "stages.yaml");

/**
 * kwok: plays the kubelet of every fake Node (`kwok-node-<i>`), moving Nodes
 * and Pods through their lives by the Stages in kwok-stages.ts.
 *
 * @example
 * ```ts
 * const running = await launch(kwok, ctx, binary);
 * await kwok.seed?.(ctx, api);
 * ```
 */
export const kwok: ComponentDefinition = {
  name: "kwok",
  prepare: (ctx) => writeFile(stagesPath(ctx), kwokStages()),
  args: (ctx) => [
    `--kubeconfig=${ctx.paths.kubeconfig}`,
    "--manage-all-nodes=true",
    `--config=${stagesPath(ctx)}`,
    "--node-ip=127.0.0.1",
    "--node-name=localhost",
    `--server-address=127.0.0.1:${ctx.ports.kwok}`,
    "--node-lease-duration-seconds=40",
    "--cidr=10.244.0.1/16",
  ],
  // kwok also reads ~/.kwok/kwok.yaml: give it a home of its own.
  env: (ctx) => ({ ...process.env, HOME: ctx.paths.kwokHome }),
  seed: async (ctx, api) => {
    for (let i = 0; i < ctx.nodes; i++) await createNode(api, `kwok-node-${i}`);
  },
  readiness: (ctx) => [{ check: (api) => nodesReady(api, ctx.nodes), what: `kwok did not make the ${ctx.nodes} Nodes Ready` }],
};

async function createNode(api: AdminApi, name: string): Promise<void> {
  const res = await api.call("POST", "/api/v1/nodes", {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: { type: "kwok", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "kubernetes.io/role": "agent" },
    },
    spec: {},
    status: {
      allocatable: { cpu: "32", memory: "256Gi", pods: "110" },
      capacity: { cpu: "32", memory: "256Gi", pods: "110" },
    },
  });
  if (res.status !== 201 && res.status !== 409) throw new OperantError("ControlPlaneRequestFailed", `creating Node ${name} failed (${res.status}): ${res.text.slice(0, 300)}`);
}

async function nodesReady(api: AdminApi, count: number): Promise<boolean> {
  const res = await api.call("GET", "/api/v1/nodes");
  const items = (res.body as { items?: { status?: { conditions?: { type: string; status: string }[] } }[] } | undefined)?.items ?? [];
  const ready = items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  return ready.length >= count;
}
