// What a waiting replica does about a leader-for-life lock that someone else
// holds, as operator-sdk's leader.Become decides it (operator-lib):
//   - the owner Pod is gone: wait, the garbage collector removes the lock;
//   - the owner Pod failed because it was Evicted or preempted (and nobody is
//     deleting it yet): delete that Pod, the garbage collector then removes
//     the lock (a failed Pod is never deleted by itself);
//   - the owner Pod's Node is NotReady: delete the Pod and the lock (the
//     Pod would otherwise only go after the pod-eviction timeout, minutes);
//   - otherwise the leader is alive: wait.
// One refinement: an owner Pod found by name but with another uid is a new
// Pod of the same name (a StatefulSet's), so the lock's owner is gone.
import type { ConfigMap, Node, Pod } from "../../kinds/index.ts";

/**
 * The verdict on a lock held by another Pod.
 *
 * @example
 * ```ts
 * const v: StaleLockVerdict = { action: "wait", reason: "the leader op-1 is running" };
 * ```
 */
export type StaleLockVerdict =
  | { action: "wait"; reason: string }
  | { action: "wait-for-gc"; reason: string }
  | { action: "delete-leader-pod"; reason: string }
  | { action: "delete-leader-pod-and-lock"; reason: string };

/**
 * The Pod that owns a lock, or why the lock is malformed (it must have
 * exactly one owner reference, to a Pod).
 *
 * @example
 * ```ts
 * lockOwner(cm) // { name: "op-1", uid: "…" }
 * ```
 */
export function lockOwner(lock: Pick<ConfigMap, "metadata">): { name: string; uid: string } | { problem: string } {
  const owners = lock.metadata?.ownerReferences ?? [];
  if (owners.length !== 1) return { problem: `the lock must have exactly one owner reference, it has ${owners.length}` };
  const o = owners[0]!;
  if (o.kind !== "Pod") return { problem: `the lock's owner must be a Pod, it is a ${o.kind}` };
  return { name: o.name, uid: o.uid };
}

/**
 * Decides what to do about the Pod holding the lock. `pod` is what a GET of
 * the owner's name returned (undefined: NotFound); `node` is the Pod's Node
 * if it could be read.
 *
 * @example
 * ```ts
 * staleLockVerdict({ name: "op-1", uid }, evictedPod, undefined) // { action: "delete-leader-pod", … }
 * ```
 */
export function staleLockVerdict(owner: { name: string; uid: string }, pod: Pick<Pod, "metadata" | "status"> | undefined, node: Pick<Node, "status"> | undefined): StaleLockVerdict {
  if (!pod) return { action: "wait-for-gc", reason: `the leader Pod ${owner.name} has been deleted; waiting for garbage collection to remove the lock` };
  if (owner.uid && pod.metadata?.uid && pod.metadata.uid !== owner.uid) {
    return { action: "wait-for-gc", reason: `the leader Pod ${owner.name} was replaced by a new Pod of the same name; waiting for garbage collection to remove the lock` };
  }
  const failed = pod.status?.phase === "Failed";
  const deleting = !!pod.metadata?.deletionTimestamp;
  if (failed && pod.status?.reason === "Evicted" && !deleting) return { action: "delete-leader-pod", reason: `the leader Pod ${owner.name} was evicted; deleting it` };
  if (failed && pod.status?.reason === "Preempting" && !deleting) return { action: "delete-leader-pod", reason: `the leader Pod ${owner.name} was preempted; deleting it` };
  const ready = node?.status?.conditions?.find((c) => c.type === "Ready");
  if (ready && ready.status !== "True") return { action: "delete-leader-pod-and-lock", reason: `the Node of the leader Pod ${owner.name} is not Ready; deleting the Pod and the lock` };
  return { action: "wait", reason: `the leader Pod ${owner.name} is alive` };
}
