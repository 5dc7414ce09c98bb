// Assignment at creation: a mutating webhook on CREATE of each sharded
// controller's primary kind sets the shard label from the ring of live
// members, so a new object is stored already assigned and the sharder has
// nothing to patch for it. The sharder stays the fallback: the webhook's
// failurePolicy is Ignore (an unreachable webhook never blocks a create), it
// leaves an object alone when it cannot decide (no live member seen yet, a
// name the API server will generate after admission, an object outside the
// controller's selection), and an object it labelled for a member the
// sharder's ring does not choose is moved in the usual two steps. Its
// configuration selects only objects without the shard label.
import { systemClock, type Clock } from "../core/clock.ts";
import { labelMatcher } from "../core/label-selector.ts";
import type { Cached } from "../core/object.ts";
import { Lease } from "../kinds/index.ts";
import type { Runnable } from "../runtime/manager/manager.ts";
import { Admission, defineMutatingWebhook, type AdmissionWebhook } from "../webhook/admission/admission.ts";
import { RING_LABEL, shardLabel } from "./labels.ts";
import { MemberView } from "./membership.ts";
import { DEFAULT_VIRTUAL_NODES, HashRing } from "./ring.ts";
import type { ShardedController } from "./sharder.ts";

/**
 * The live members of a ring as one replica sees them (its own watch of the
 * member Leases), as a {@link HashRing}. Fed by {@link RingWatch.runnable}.
 * Liveness is judged as the sharder judges it: by when a Lease was seen to
 * change. So for the longest Lease duration after its first list, a replica
 * cannot tell a renewing member from the Lease a dead one left behind, and
 * the ring stays undecided (the webhook then leaves new objects to the
 * sharder) rather than assign objects to members long gone.
 *
 * @example
 * ```ts
 * const watch = new RingWatch({ ring: "memcached-operator", namespace: "ops" });
 * manager.add(watch.runnable());
 * watch.ring()?.ownerOf("default/web") // the member the sharder would choose
 * ```
 */
export class RingWatch {
  readonly view: MemberView;
  readonly #options: { ring: string; namespace: string; virtualNodes?: number | undefined };
  readonly #clock: Pick<Clock, "now">;
  /** When the Leases were first listed, and the longest Lease duration seen since (ms). */
  #syncedAt: number | undefined;
  #longestLeaseMs = 0;
  #cached: HashRing | undefined;

  constructor(options: { ring: string; namespace: string; virtualNodes?: number | undefined }, clock: Pick<Clock, "now"> = systemClock) {
    this.#options = options;
    this.#clock = clock;
    this.view = new MemberView(clock);
  }

  /** Takes a member Lease as listed or watched. */
  observe(lease: Cached<Lease>): void {
    this.#longestLeaseMs = Math.max(this.#longestLeaseMs, (lease.spec?.leaseDurationSeconds ?? 0) * 1000);
    this.view.observe(lease);
  }

  /** The Leases were listed (the watch is synced): liveness can be judged one Lease duration from now. */
  synced(): void {
    this.#syncedAt ??= this.#clock.now();
  }

  /** The ring of the members live now, or undefined before liveness can be judged (see above) or while none is live. */
  ring(): HashRing | undefined {
    const now = this.#clock.now();
    if (this.#syncedAt === undefined || now - this.#syncedAt < this.#longestLeaseMs) return undefined;
    const live = this.view.live(now);
    if (live.length === 0) return undefined;
    if (this.#cached?.members.join(",") !== live.join(",")) this.#cached = new HashRing(live, { virtualNodes: this.#options.virtualNodes ?? DEFAULT_VIRTUAL_NODES });
    return this.#cached;
  }

  /** A manager runnable (every replica) that watches the ring's member Leases through the manager's cache. */
  runnable(): Runnable {
    const { ring, namespace } = this.#options;
    return {
      name: "shard-ring-watch",
      needsLeaderElection: false,
      start: async (signal, manager) => {
        const lease = manager.cache.acquire(Lease, { namespaces: [namespace], labelSelector: { [RING_LABEL]: ring } });
        const remove = lease.informer.addHandler({ added: (l) => this.observe(l), updated: (_p, l) => this.observe(l), deleted: (l) => this.view.forget(l.metadata.name) });
        try {
          await lease.informer.waitForSync(signal);
          this.synced();
          await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
        } finally {
          this.#syncedAt = undefined;
          remove();
          lease.release();
        }
      },
    };
  }
}

/**
 * The mutating webhooks that assign new objects of `controllers` at creation:
 * one per controller, on CREATE of its primary kind, path
 * `/shard-<controller>`, name `<controller>.<ring>.shard.operant.dev`,
 * failurePolicy Ignore, objects without the shard label only. `watch`
 * decides the member; without it (manifest generation) every request is
 * allowed unchanged.
 *
 * @example
 * ```ts
 * const hooks = assignmentWebhooks([{ name: "memcached", kind: Memcached, owns: [] }], { ring: "memcached-operator", watch });
 * new WebhookServer({ webhooks: hooks, certificates, bindAddress: ":9443" });
 * ```
 */
export function assignmentWebhooks(controllers: readonly ShardedController[], options: { ring: string; watch?: Pick<RingWatch, "ring"> | undefined; namespaces?: readonly string[] | undefined }): AdmissionWebhook[] {
  return controllers.map((c) => {
    const S = shardLabel(c.name);
    const selected = labelMatcher(c.labelSelector);
    const namespaces = c.namespaces ?? options.namespaces;
    const matchLabels = c.labelSelector !== undefined && typeof c.labelSelector !== "string" ? { ...c.labelSelector } : undefined;
    return defineMutatingWebhook({
      kind: c.kind,
      name: `${c.name}.${options.ring}.shard.operant.dev`,
      path: `/shard-${c.name}`,
      operations: ["CREATE"],
      failurePolicy: "Ignore",
      sideEffects: "None",
      timeoutSeconds: 2,
      objectSelector: { ...(matchLabels && { matchLabels }), matchExpressions: [{ key: S, operator: "DoesNotExist" }] },
      mutate: (req) => {
        const object = req.object;
        const ring = options.watch?.ring();
        // The name of a generateName object is chosen after admission: the sharder assigns it.
        const name = req.name || object?.metadata?.name;
        if (!object || !ring || !name) return Admission.allow();
        const labels = object.metadata?.labels ?? {};
        if (labels[S] !== undefined || !selected(labels)) return Admission.allow();
        if (namespaces && !namespaces.includes(req.namespace ?? "")) return Admission.allow();
        const owner = ring.ownerOf(req.namespace ? `${req.namespace}/${name}` : name);
        if (!owner) return Admission.allow();
        object.metadata = { ...object.metadata, labels: { ...labels, [S]: owner } };
        return Admission.allow();
      },
    });
  });
}
