import type { ComponentContext } from "./component-definition.ts";

/**
 * Flags kube-controller-manager and kube-scheduler share: no leader election,
 * loopback, the admin kubeconfig, health endpoints open.
 *
 * @example
 * ```ts
 * args: (ctx) => [...controlLoopFlags(ctx), `--secure-port=${ctx.ports.scheduler}`]
 * ```
 */
export function controlLoopFlags(ctx: ComponentContext): string[] {
  const kubeconfig = ctx.paths.kubeconfig;
  return ["--leader-elect=false", "--bind-address=127.0.0.1", "--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics", `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`, `--kubeconfig=${kubeconfig}`];
}
