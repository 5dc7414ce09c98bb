// Replacing Pods one at a time. The StatefulSet updates with `OnDelete`: a
// changed template (a new image from the operator's --postgres-image or
// spec.image, new resources…) gives it a new update revision but touches no
// Pod. The operator then deletes the outdated Pods itself, highest ordinal
// first (replicas before the primary), and only while every Pod of the
// cluster is Ready — so at most one Pod is ever down for the upgrade. Each
// step is decided from the live state (each Pod's revision label against the
// StatefulSet's update revision), so an operator restarted mid-way picks up
// where the last one stopped: no Pod is replaced twice, none is skipped.
import type { Cached, ReconcileContext } from "operant";
import { Pod, type StatefulSet } from "operant/kinds";
import type { Postgresql } from "../../api/postgresql.ts";
import { ordinalOf, REVISION_LABEL } from "./objects.ts";

/** The state of the rollout after this reconcile. */
export interface RolloutResult {
  /** The StatefulSet controller has not caught up with the last change yet. */
  settling: boolean;
  /** Pods at the update revision, and those still to replace (in replacement order). */
  done: string[];
  pending: string[];
  /** The Pod being replaced (deleted in this reconcile, or not Ready yet after its replacement). */
  current: string | undefined;
  targetRevision: string | undefined;
}

function isReady(pod: Cached<Pod>): boolean {
  return !pod.metadata?.deletionTimestamp && (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** Takes one step of the rollout of `set` (the live StatefulSet) across `pods` (its Pods). */
export async function rollOut(set: Cached<StatefulSet> | undefined, pods: Cached<Pod>[], ctx: ReconcileContext<Postgresql>): Promise<RolloutResult> {
  const replicas = set?.spec?.replicas ?? 0;
  const target = set?.status?.updateRevision;
  const settled = !!set && !!target && (set.status?.observedGeneration ?? 0) >= (set.metadata?.generation ?? 0);
  const setName = set?.metadata?.name ?? "";
  const members = new Map<number, Cached<Pod>>();
  for (const p of pods) {
    const i = ordinalOf(p.metadata?.name ?? "", setName);
    if (i !== undefined && i < replicas) members.set(i, p);
  }
  const ordinals = Array.from({ length: replicas }, (_, i) => i);
  const outdated = ordinals.filter((i) => members.get(i)?.metadata?.labels?.[REVISION_LABEL] !== target).reverse();
  const done = ordinals.filter((i) => !outdated.includes(i)).map((i) => `${setName}-${i}`);
  const pending = outdated.map((i) => `${setName}-${i}`);
  const base = { done, pending, targetRevision: target };
  if (!settled) return { ...base, settling: true, current: undefined };
  if (outdated.length === 0) return { ...base, settling: false, current: undefined };

  // Wait while any member is missing, not Ready or on its way out: that Pod is the one being replaced.
  const down = ordinals.find((i) => {
    const p = members.get(i);
    return !p || !isReady(p);
  });
  if (down !== undefined || (set.status?.readyReplicas ?? 0) < replicas) {
    return { ...base, settling: false, current: down === undefined ? undefined : `${setName}-${down}` };
  }
  const victim = outdated.map((i) => members.get(i)).find((p) => p !== undefined && !p.metadata?.deletionTimestamp);
  if (!victim) return { ...base, settling: false, current: undefined };
  const podName = victim.metadata.name;
  // The uid precondition deletes exactly the Pod seen here, never its replacement.
  await ctx.delete(Pod, { namespace: victim.metadata.namespace!, name: podName }, { preconditions: { uid: victim.metadata.uid } });
  ctx.log.info({ pod: podName, revision: target, remaining: pending.length - 1 }, "replaced an outdated Pod");
  ctx.event("Normal", "PodReplaced", `deleted ${podName} to move it to revision ${target} (${pending.length - 1} left after it)`);
  return { ...base, settling: false, current: podName };
}
