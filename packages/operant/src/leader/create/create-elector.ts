// Choosing an elector from plain settings: the Manager's `leaderElection`
// option (mode, lock name, namespace, …), which runOperator fills from its
// flags and environment (`leaderElectionFromFlags` in operator/run.ts).
import { hostname } from "node:os";
import { OperantError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { LeaderElector } from "../elector.ts";
import { leaderIdentity } from "../identity/identity.ts";
import type { BackoffOptions } from "../leader-for-life/backoff.ts";
import { LeaderForLifeElector } from "../leader-for-life/leader-for-life-elector.ts";
import { LeaseElector } from "../lease/lease-elector.ts";
import type { LeaseTimingsInput } from "../lease/timings.ts";

/**
 * Leader election as settings (the Manager's `leaderElection` option).
 *
 * @example
 * ```ts
 * const config: LeaderElectionConfig = { mode: "lease", id: "memcached-operator-leader", namespace: "memcached-operator-system" };
 * ```
 */
export interface LeaderElectionConfig {
  /** `lease` (default; controller-runtime's) or `leader-for-life` (operator-sdk's ConfigMap owned by the Pod). */
  mode?: "lease" | "leader-for-life" | undefined;
  /** Name of the Lease or ConfigMap lock. */
  id: string;
  /** Namespace of the lock. Default: the Pod's namespace (ServiceAccount file); a Lease outside a cluster needs it. */
  namespace?: string | undefined;
  /** This replica's identity (default: the instance name plus a random suffix). */
  identity?: string | undefined;
  /** leader-for-life: this replica's Pod (POD_NAME); without it, no election (leads at once). */
  podName?: string | undefined;
  /** lease: `"default"` (15 s / 10 s / 2 s), `"fast"` (5 s / 3 s / 0.5 s) or durations. */
  timings?: "default" | "fast" | LeaseTimingsInput | undefined;
  /** lease: clear the holder on graceful shutdown (default true). */
  releaseOnCancel?: boolean | undefined;
  /** leader-for-life: waits while another Pod holds the lock (default 1 s doubling to 16 s). */
  backoff?: BackoffOptions | undefined;
  /** Logger (default: the manager's). */
  logger?: Logger | undefined;
}

/**
 * Builds the elector a config describes. `instanceName` (the Pod's or
 * host's name) seeds the default identity.
 *
 * @example
 * ```ts
 * const elector = createLeaderElector({ mode: "leader-for-life", id: "memcached-operator-lock", podName: "memcached-operator-5d8f-x2x7q", namespace: "ops" });
 * ```
 */
export function createLeaderElector(config: LeaderElectionConfig, instanceName: string = config.podName ?? hostname()): LeaderElector {
  const identity = config.identity ?? leaderIdentity(instanceName);
  const mode = config.mode ?? "lease";
  switch (mode) {
    case "lease":
      return new LeaseElector({ name: config.id, namespace: config.namespace, identity, timings: config.timings, releaseOnCancel: config.releaseOnCancel, logger: config.logger });
    case "leader-for-life":
      return new LeaderForLifeElector({ name: config.id, namespace: config.namespace, podName: config.podName, identity, backoff: config.backoff, logger: config.logger });
    default:
      throw new OperantError("InvalidArgument", `leader election mode "${String(mode)}" is unknown: use "lease" or "leader-for-life".`);
  }
}
