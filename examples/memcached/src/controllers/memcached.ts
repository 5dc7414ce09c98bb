// The Memcached controller (the Operator SDK quickstart's, in TypeScript).
// For each Memcached: a Deployment of spec.size memcached Pods, owned by the
// Memcached; status.nodes lists the names of its Pods; an Available
// condition says whether they all run; a finalizer cleans up before the
// Memcached goes away. The Pods are not owned by the Memcached (their
// ReplicaSet owns them), so they are watched by label and mapped back to it.
import { Action, Controller } from "operant";
import { Deployment, Pod } from "operant/kinds";
import { Memcached } from "../api/memcached.ts";

/** Labels of a Memcached's Pods: how they are selected, and mapped back to their Memcached. */
export function labelsFor(name: string): Record<string, string> {
  return { app: "memcached", memcached_cr: name };
}

/** The finalizer this controller puts on each Memcached. */
export const FINALIZER = `${Memcached.group}/finalizer`;

export const memcachedController = Controller.for(Memcached)
  .owns(Deployment)
  .watches(Pod, {
    labels: { app: "memcached" },
    toRequests: (pod) => [{ namespace: pod.metadata.namespace, name: pod.metadata.labels?.memcached_cr ?? "" }],
  })
  .reconcile(async (memcached, ctx) => {
    const { name, namespace } = memcached.metadata;

    // Being deleted: clean up (here, the Deployment at once rather than when the
    // garbage collector gets to it), then the finalizer is removed and it goes.
    const deleted = await ctx.finalize(FINALIZER, async () => {
      await ctx.delete(Deployment, { namespace, name });
      ctx.log.info({}, "finalized: Deployment deleted");
    });
    if (deleted) return Action.awaitChange();

    // The Deployment, with spec.size replicas (server-side apply; owned by the Memcached).
    const labels = labelsFor(name);
    const before = ctx.get(Deployment, { namespace, name });
    await ctx.apply(Deployment, {
      metadata: { name, labels },
      spec: {
        replicas: memcached.spec.size,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: "memcached",
                image: "memcached:1.4.36-alpine",
                command: ["memcached", "-m=64", "-o", "modern", "-v"],
                ports: [{ containerPort: 11211, name: "memcached" }],
              },
            ],
          },
        },
      },
    });
    if (before?.spec?.replicas !== memcached.spec.size) {
      ctx.event("Normal", before ? "Scaled" : "Created", `Deployment ${name} ${before ? "scaled" : "created"} with ${memcached.spec.size} replicas`);
    }

    // Status: the names of the Pods, and whether they all run.
    const pods = ctx.list(Pod, { namespace, labels }).filter((p) => !p.metadata.deletionTimestamp);
    const running = pods.filter((p) => p.status?.phase === "Running").length;
    const available = running === memcached.spec.size && pods.length === memcached.spec.size;
    await ctx.updateStatus({
      nodes: pods.map((p) => p.metadata.name).sort(),
      conditions: ctx.condition("Available", available, available ? "PodsRunning" : "PodsNotRunning", `${running}/${memcached.spec.size} Pods running`),
    });
    return Action.awaitChange();
  });
