import { join } from "node:path";
import { probe } from "../admin-api.ts";
import type { ComponentDefinition } from "./component-definition.ts";
import { controlLoopFlags } from "./shared-flags.ts";

/**
 * kube-scheduler with its default profile.
 *
 * @example
 * ```ts
 * const running = await launch(kubeScheduler, ctx, binary);
 * ```
 */
export const kubeScheduler: ComponentDefinition = {
  name: "kube-scheduler",
  args: (ctx) => [...controlLoopFlags(ctx), `--secure-port=${ctx.ports.scheduler}`, `--cert-dir=${join(ctx.paths.pki, "scheduler-generated")}`],
  readiness: (ctx) => [{ check: () => probe(`https://127.0.0.1:${ctx.ports.scheduler}/healthz`), what: "kube-scheduler did not report healthy" }],
};
