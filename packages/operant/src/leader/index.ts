/**
 * operant/leader: leader election for operators with several replicas.
 *
 * Two electors, one contract (`LeaderElector`, given an `ElectionHost`: a
 * client, a logger and a leading on/off callback):
 * - {@link LeaseElector}: controller-runtime's Lease election
 *   (coordination.k8s.io/v1), renewed every retryPeriod; a leader that
 *   cannot renew within renewDeadline stops its leader-only work before any
 *   candidate may take over; released on graceful shutdown. Presets
 *   `"default"` (15 s / 10 s / 2 s) and `"fast"` (5 s / 3 s / 0.5 s).
 * - {@link LeaderForLifeElector}: operator-sdk's leader-for-life, a ConfigMap
 *   owned by the leader's Pod, removed by the garbage collector with it.
 *
 * Election is configured one way: the Manager's `leaderElection` option
 * (an elector, or settings `{ mode, id, namespace }`); runOperator fills it
 * from `--leader-elect` and its flags. The classes are for custom wiring.
 *
 * @example
 * ```ts
 * import { Manager } from "operant";
 * import { LeaseElector } from "operant/leader";
 *
 * const manager = new Manager({
 *   leaderElection: new LeaseElector({ name: "memcached-operator-leader", namespace: "memcached-operator-system", timings: "fast" }),
 *   onLeadershipLost: "exit",
 * });
 * ```
 * @module
 */
export { LeaseElector, type LeaseElectorOptions } from "./lease/lease-elector.ts";
export { leaseTimings, DEFAULT_LEASE_TIMINGS, FAST_LEASE_TIMINGS, LEASE_JITTER_FACTOR, type LeaseTimings, type LeaseTimingsInput } from "./lease/timings.ts";
export { LeaseObservation, recordOf, type LeaderElectionRecord } from "./lease/observation.ts";
export { LeaderForLifeElector, type LeaderForLifeElectorOptions } from "./leader-for-life/leader-for-life-elector.ts";
export { ExponentialBackoff, type BackoffOptions } from "./leader-for-life/backoff.ts";
export { lockOwner, staleLockVerdict, type StaleLockVerdict } from "./leader-for-life/stale-lock.ts";
export { createLeaderElector, type LeaderElectionConfig } from "./create/create-elector.ts";
export { leaderIdentity } from "./identity/identity.ts";
export { operatorNamespace, type OperatorNamespaceOptions } from "./namespace/operator-namespace.ts";
export type { LeaderElector, ElectionHost, ElectionClient } from "./elector.ts";
