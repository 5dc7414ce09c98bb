/**
 * operant/sharding: reconciliation split across replicas. Every replica is a
 * member of a ring (one Lease each); a consistent-hash ring with virtual
 * nodes assigns each object of the operator's controllers to one member
 * through the label `shard.operant.dev/<controller>`; each member's
 * informers select only its own objects; an elected sharder assigns new
 * objects and moves objects in two steps (drain, acknowledge, assign) when
 * members come and go, so that no object is reconciled by two members at
 * once. `runOperator` turns it on with `--shard` (or the definition's
 * `sharding: { enabled: true }`); see docs/sharding.md.
 *
 * @example
 * ```ts
 * import { defineOperator } from "operant";
 * export default defineOperator({ name: "memcached-operator", controllers: [memcached], sharding: { enabled: true } });
 * // or, by hand:
 * import { shardOperator, memberIdentity } from "operant/sharding";
 * const sharded = shardOperator([memcached], { ring: "memcached-operator", namespace: "ops", memberId: memberIdentity(), electionId: "memcached-operator-sharder" });
 * ```
 * @module
 */
export { HashRing, ringHash, DEFAULT_VIRTUAL_NODES } from "./ring.ts";
export { shardLabel, drainLabel, RING_LABEL } from "./labels.ts";
export { assignmentOf, nextStep, stepPatch, acknowledgePatch, type AssignmentState, type ShardStep } from "./assignment.ts";
export { MemberLease, MemberView, memberIdentity, memberLeaseName, type MemberLeaseOptions } from "./membership.ts";
export { Sharder, type SharderOptions, type SharderStats, type ShardedController } from "./sharder.ts";
export { shardedDefinition, withLabels } from "./member.ts";
export { RingWatch, assignmentWebhooks } from "./assignment-webhook.ts";
export { shardOperator, shardedControllersOf, type ShardingOptions, type ShardingSettings, type ShardedOperator } from "./sharding.ts";
