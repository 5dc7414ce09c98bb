// The assignment of one object to a member, as a state machine over its two
// labels (shard = member, drain = the mark). The sharder decides a step from
// the labels, the ring's choice and the live members; the member decides
// whether to acknowledge a drain. Every step is one label patch conditioned
// on the object's resourceVersion, so a step decided on stale labels fails
// with a conflict instead of undoing another's.
//
//   unassigned ──assign(desired)──▶ assigned(A)
//   assigned(A), A live, A ≠ desired ──drain──▶ draining(A)
//   draining(A) ──A acknowledges: removes both labels──▶ unassigned
//   assigned(A) or draining(A), A not live ──assign(desired)──▶ assigned(desired)
//
// Safety: a live member is never replaced without its acknowledgement, and
// it acknowledges only between reconciles of that object (its work queue
// never hands a key to two workers), so the old member's last write comes
// before the acknowledgement, which comes before the assignment to the new
// member, which comes before its first reconcile. A member that is not live
// has gone longer than its Lease without renewing, and a member that cannot
// renew within renewDeadline (< leaseDuration) stops reconciling.

/**
 * Where an object stands, read from its labels.
 *
 * @example
 * ```ts
 * const s: AssignmentState = { member: "op-1", draining: false };
 * ```
 */
export interface AssignmentState {
  /** The member named by the shard label, undefined when unassigned. */
  readonly member: string | undefined;
  /** Whether the drain mark is set. */
  readonly draining: boolean;
}

/**
 * What the sharder does next for one object.
 *
 * @example
 * ```ts
 * const step: ShardStep = { type: "assign", to: "op-2" };
 * ```
 */
export type ShardStep =
  | { readonly type: "none" }
  /** Set the shard label to `to` and remove any drain mark. */
  | { readonly type: "assign"; readonly to: string }
  /** Set the drain mark: `from` must let go first. */
  | { readonly type: "drain"; readonly from: string }
  /** Waiting for `from` to acknowledge the drain. */
  | { readonly type: "wait"; readonly from: string };

/**
 * Reads an object's assignment from its labels.
 *
 * @example
 * ```ts
 * assignmentOf({ "shard.operant.dev/memcached": "op-1" }, "shard.operant.dev/memcached", "drain.shard.operant.dev/memcached") // { member: "op-1", draining: false }
 * ```
 */
export function assignmentOf(labels: Readonly<Record<string, string>> | undefined, shardKey: string, drainKey: string): AssignmentState {
  const member = labels?.[shardKey] || undefined;
  return { member, draining: member !== undefined && labels?.[drainKey] !== undefined };
}

/**
 * The sharder's next step for one object: `desired` is the ring's member for
 * it (undefined when no member is live), `live` whether a member is live.
 *
 * @example
 * ```ts
 * nextStep({ member: undefined, draining: false }, "op-1", () => true)   // { type: "assign", to: "op-1" }
 * nextStep({ member: "op-0", draining: false }, "op-1", () => true)      // { type: "drain", from: "op-0" }
 * nextStep({ member: "op-0", draining: true }, "op-1", (m) => m !== "op-0") // { type: "assign", to: "op-1" }
 * ```
 */
export function nextStep(state: AssignmentState, desired: string | undefined, live: (member: string) => boolean): ShardStep {
  if (desired === undefined) return { type: "none" };
  const { member, draining } = state;
  if (member === undefined) return { type: "assign", to: desired };
  if (!live(member)) return { type: "assign", to: desired };
  if (member === desired && !draining) return { type: "none" };
  // A live member other than the ring's choice (or one already asked to drain, even if the ring has since changed its mind): it must let go first.
  return draining ? { type: "wait", from: member } : { type: "drain", from: member };
}

/**
 * The label patch (a JSON merge patch conditioned on `resourceVersion`) that
 * carries out a step, or undefined for none and wait.
 *
 * @example
 * ```ts
 * stepPatch({ type: "drain", from: "op-0" }, "shard.operant.dev/c", "drain.shard.operant.dev/c", "42")
 * // { metadata: { resourceVersion: "42", labels: { "drain.shard.operant.dev/c": "true" } } }
 * ```
 */
export function stepPatch(step: ShardStep, shardKey: string, drainKey: string, resourceVersion: string): { metadata: { resourceVersion: string; labels: Record<string, string | null> } } | undefined {
  if (step.type === "assign") return { metadata: { resourceVersion, labels: { [shardKey]: step.to, [drainKey]: null } } };
  if (step.type === "drain") return { metadata: { resourceVersion, labels: { [drainKey]: "true" } } };
  return undefined;
}

/**
 * The member's acknowledgement of a drain: removes the shard label and the
 * mark, conditioned on the resourceVersion the member saw. Only after this
 * may the sharder assign the object to another member.
 *
 * @example
 * ```ts
 * acknowledgePatch("shard.operant.dev/c", "drain.shard.operant.dev/c", "43")
 * // { metadata: { resourceVersion: "43", labels: { "shard.operant.dev/c": null, "drain.shard.operant.dev/c": null } } }
 * ```
 */
export function acknowledgePatch(shardKey: string, drainKey: string, resourceVersion: string): { metadata: { resourceVersion: string; labels: Record<string, null> } } {
  return { metadata: { resourceVersion, labels: { [shardKey]: null, [drainKey]: null } } };
}
