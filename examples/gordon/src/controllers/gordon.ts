// The Gordon controller: keeps `spec.replicas` bare Pods named
// `<gordon>-<index>`, owned by the Gordon. Deterministic names make "no
// duplicates" the API server's job: a second create of `<gordon>-2` fails
// with AlreadyExists, whatever this process (or a previous one) remembers.
import { Action, Controller, controllerOf, isOperantError, type Cached, type CacheReader, type ObjectRef, type ReconcileContext } from "operant";
import { Pod } from "operant/kinds";
import { GORDON_LABEL, Gordon, INDEX_LABEL } from "../api/gordon.ts";

type PodStatusEntry = NonNullable<NonNullable<Gordon["status"]>["pods"]>[number];

/**
 * The name of a Gordon's Pod with the given index.
 *
 * @example
 * ```ts
 * podName("gordoncluster", 2) // "gordoncluster-2"
 * ```
 */
export function podName(gordon: string, index: number): string {
  return `${gordon}-${index}`;
}

/** The index of a Pod of `gordon`, if its name and label agree on one. */
function indexOf(pod: Cached<Pod>, gordon: string): number | undefined {
  const label = pod.metadata.labels?.[INDEX_LABEL];
  if (label === undefined || !/^(0|[1-9][0-9]*)$/.test(label)) return undefined;
  const index = Number(label);
  return pod.metadata.name === podName(gordon, index) ? index : undefined;
}

const isTerminal = (pod: Cached<Pod>) => pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded";
const isReady = (pod: Cached<Pod>) => pod.status?.phase === "Running" && (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

/** The Gordon whose Pod name `pod` has (`<gordon>-<index>`) while not controlled by it, if any. */
function squatted(pod: Cached<Pod>, cache: CacheReader): ObjectRef | undefined {
  const m = /^(.+)-(0|[1-9][0-9]*)$/.exec(pod.metadata.name);
  if (!m) return undefined;
  const ref = { namespace: pod.metadata.namespace, name: m[1]! };
  const gordon = cache.get(Gordon, ref);
  return gordon && controllerOf(pod)?.uid !== gordon.metadata.uid ? ref : undefined;
}

/** The Pods this Gordon controls (controller owner reference with its uid). */
function ownedPods(gordon: Cached<Gordon>, ctx: ReconcileContext<Gordon>): Cached<Pod>[] {
  return ctx.list(Pod, { namespace: gordon.metadata.namespace, labels: { [GORDON_LABEL]: gordon.metadata.name } }).filter((p) => controllerOf(p)?.uid === gordon.metadata.uid);
}

async function deletePod(ctx: ReconcileContext<Gordon>, pod: Cached<Pod>, why: string): Promise<void> {
  // The uid precondition keeps a stale cache from deleting a newer Pod of the same name.
  await ctx.delete(Pod, { namespace: pod.metadata.namespace, name: pod.metadata.name }, { preconditions: { uid: pod.metadata.uid } });
  ctx.log.info({ pod: pod.metadata.name, why }, "deleted pod");
  ctx.event("Normal", "DeletedPod", `Deleted Pod ${pod.metadata.name}: ${why}`, "Delete");
}

/**
 * The Gordon controller. Each reconcile, from the cache:
 *
 * 1. deletes Pods whose index is `spec.replicas` or more, highest index first (scale down);
 * 2. deletes Pods that Failed or Succeeded (they are recreated once gone);
 * 3. creates `<gordon>-<i>` for every missing index below `spec.replicas`, unless a Pod
 *    of that name exists that this Gordon does not control (reported in `ReplicaFailure`);
 * 4. writes `status` (Pods with their phases, counts, selector, `Ready` and `ReplicaFailure`).
 *
 * Pod events (owned) bring the Gordon back; a deleted Gordon's Pods are
 * garbage-collected through their owner references.
 *
 * @example
 * ```ts
 * new Manager({ namespaces: ["default"] }).add(gordonController).start();
 * ```
 */
export const gordonController = Controller.for(Gordon)
  .owns(Pod)
  // A Pod of someone else's that holds one of our names (ReplicaFailure): its deletion frees the name.
  .watches(Pod, { toRequests: (pod, cache) => [squatted(pod, cache)] })
  .reconcile(async (gordon, ctx) => {
    const { name, namespace } = gordon.metadata;
    const wanted = gordon.spec.replicas;
    const pods = ownedPods(gordon, ctx);

    // 1. Scale down (and drop Pods of ours without a valid index), highest index first.
    const surplus = pods
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => ({ pod: p, index: indexOf(p, name) ?? Number.POSITIVE_INFINITY }))
      .filter((p) => p.index >= wanted)
      .sort((a, b) => b.index - a.index);
    for (const { pod } of surplus) await deletePod(ctx, pod, `scaling down to ${wanted}`);

    // 2. Replace finished Pods: delete now, create once the old one is gone (same name).
    for (const pod of pods) {
      const index = indexOf(pod, name);
      if (index !== undefined && index < wanted && !pod.metadata.deletionTimestamp && isTerminal(pod)) await deletePod(ctx, pod, `phase ${pod.status?.phase}; it will be replaced`);
    }

    // 3. Create what is missing.
    const taken: string[] = [];
    for (let i = 0; i < wanted; i++) {
      const podRef = { namespace, name: podName(name, i) };
      const existing = ctx.get(Pod, podRef);
      if (existing) {
        if (controllerOf(existing)?.uid !== gordon.metadata.uid) taken.push(podRef.name);
        continue; // ours (running, or terminating: its deletion event brings us back)
      }
      try {
        await ctx.create(Pod, {
          metadata: { name: podRef.name, labels: { [GORDON_LABEL]: name, [INDEX_LABEL]: String(i) } },
          spec: { containers: [{ name: "gordon", image: gordon.spec.image }] },
        });
        ctx.log.info({ pod: podRef.name }, "created pod");
        ctx.event("Normal", "CreatedPod", `Created Pod ${podRef.name}`, "Create");
      } catch (err) {
        // Not in the cache yet but on the server: its watch event will bring us back.
        if (!isOperantError(err, "AlreadyExists")) throw err;
      }
    }

    // 4. Status, from the cache (which already holds this reconcile's writes).
    const now = ownedPods(gordon, ctx);
    const entries: PodStatusEntry[] = now
      .map((p) => ({ pod: p, index: indexOf(p, name) }))
      .filter((e): e is { pod: Cached<Pod>; index: number } => e.index !== undefined)
      .sort((a, b) => a.index - b.index)
      .map(({ pod, index }) => ({
        name: pod.metadata.name,
        index,
        phase: pod.status?.phase ?? "Pending",
        ready: isReady(pod),
        ...(pod.metadata.deletionTimestamp && { terminating: true }),
      }));
    const active = now.filter((p) => !p.metadata.deletionTimestamp);
    const ready = active.filter(isReady).length;
    ctx.condition("ReplicaFailure", taken.length > 0, taken.length > 0 ? "PodNameTaken" : "PodsCreated", taken.length > 0 ? `Pods exist that this Gordon does not control: ${taken.join(", ")}; delete or rename them` : "");
    const converged = ready === wanted && active.length === wanted;
    const conditions = ctx.condition("Ready", converged, converged ? "AllReplicasReady" : "ReplicasNotReady", `${ready}/${wanted} Pods ready`);
    await ctx.updateStatus({ replicas: active.length, readyReplicas: ready, selector: `${GORDON_LABEL}=${name}`, pods: entries, conditions });
    return Action.awaitChange();
  });
