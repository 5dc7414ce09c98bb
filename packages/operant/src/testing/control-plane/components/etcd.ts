import { probe } from "../admin-api.ts";
import type { ComponentContext, ComponentDefinition } from "./component-definition.ts";

const clientUrl = (ctx: ComponentContext) => `http://127.0.0.1:${ctx.ports.etcd}`;

/**
 * etcd: a single member on loopback, no fsync (test data), 8 GiB quota.
 *
 * @example
 * ```ts
 * const running = await launch(etcd, ctx, binary);
 * ```
 */
export const etcd: ComponentDefinition = {
  name: "etcd",
  args: (ctx) => [
    `--data-dir=${ctx.paths.etcdData}`,
    `--listen-client-urls=${clientUrl(ctx)}`,
    `--advertise-client-urls=${clientUrl(ctx)}`,
    `--listen-peer-urls=http://127.0.0.1:${ctx.ports.etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${ctx.ports.etcdPeer}`,
    `--initial-cluster=node0=http://127.0.0.1:${ctx.ports.etcdPeer}`,
    "--name=node0",
    "--unsafe-no-fsync=true",
    "--log-level=warn",
    "--quota-backend-bytes=8589934592",
  ],
  readiness: (ctx) => [{ check: () => probe(`${clientUrl(ctx)}/health`), what: "etcd did not report healthy on /health" }],
};

/** The URL the API server reaches etcd at. */
export const etcdClientUrl = clientUrl;
