// The sharder: on the elected leader, it watches the ring's member Leases
// and the sharded kinds (metadata only), and after every change (and every
// passInterval regardless) makes one pass: each primary object's next step
// (assignment.ts) is carried out as a label patch conditioned on its
// resourceVersion, and each owned object gets its owner's shard label.
//
// The bound on an unassigned object: a pass starts `debounceMs` after the
// watch delivers the object, and at the latest `passInterval` after the
// previous pass (lost wake-ups included); within the pass, its patch waits
// behind at most the other patches of that pass, sent `concurrency` at a
// time at the client's QPS. So, while a sharder leads:
//     unassigned ≤ passInterval + (patches in the pass) / qps + one request
// (5 s + 300 / 50 s = 11 s for 300 new objects at the defaults, usually a
// fraction of a second for one). When the sharder's leader fails over, add
// the election's failover time (leaseDuration + up to 2.2 × retryPeriod).
import type { Client } from "../client/client.ts";
import { ApiError } from "../client/transport/api-error.ts";
import { silentLogger, type Logger } from "../core/logger.ts";
import { metaOf, type Cached, type KubeObject } from "../core/object.ts";
import type { Kind } from "../core/kind.ts";
import { sleep, toMillis, type Duration } from "../core/time.ts";
import { Lease } from "../kinds/index.ts";
import { Cache, type InformerLease } from "../runtime/cache/cache.ts";
import type { Informer } from "../runtime/cache/informer.ts";
import { assignmentOf, nextStep, stepPatch } from "./assignment.ts";
import { drainLabel, RING_LABEL, shardLabel } from "./labels.ts";
import { MemberView } from "./membership.ts";
import { DEFAULT_VIRTUAL_NODES, HashRing } from "./ring.ts";

/**
 * One sharded controller, as the sharder sees it: its name (the label's),
 * its primary kind and the kinds it owns.
 *
 * @example
 * ```ts
 * const c: ShardedController = { name: "memcached", kind: Memcached, owns: [Deployment] };
 * ```
 */
export interface ShardedController {
  readonly name: string;
  readonly kind: Kind;
  readonly owns: readonly Kind[];
  /** The controller's own selection of its primary objects (its `for` label selector); others are not sharded. */
  readonly labelSelector?: string | Readonly<Record<string, string>> | undefined;
  /** The controller's own namespaces (its `for` namespaces), default the sharder's. */
  readonly namespaces?: readonly string[] | undefined;
}

/**
 * Options of {@link Sharder}.
 *
 * @example
 * ```ts
 * const o: SharderOptions = { ring: "memcached-operator", namespace: "memcached-operator-system", controllers: [{ name: "memcached", kind: Memcached, owns: [Deployment] }] };
 * ```
 */
export interface SharderOptions {
  /** The ring's name (the member Leases' label value). */
  ring: string;
  /** Namespace of the member Leases. */
  namespace: string;
  controllers: readonly ShardedController[];
  /** Namespaces of the sharded objects (default: all). */
  namespaces?: readonly string[] | undefined;
  virtualNodes?: number | undefined;
  /** A full pass at least this often, even without a change (default 5 s). */
  passInterval?: Duration | undefined;
  /** Quiet time after a change before a pass starts, to batch changes (default 100 ms). */
  debounceMs?: number | undefined;
  /** Label patches in flight at once (default 8; {@link shardOperator} sets half its QPS, so that the QPS, not the API server's latency, is the limit). */
  concurrency?: number | undefined;
  logger?: Logger | undefined;
}

/**
 * Counters of a sharder's work.
 *
 * @example
 * ```ts
 * const { passes, assigned, drained } = sharder.stats;
 * ```
 */
export interface SharderStats {
  passes: number;
  assigned: number;
  drained: number;
  ownedLabelled: number;
  conflicts: number;
  members: readonly string[];
}

/**
 * Assigns and moves the objects of sharded controllers across the live
 * members of a ring. Run exactly one at a time (on the elected leader):
 * `run(signal)` works until `signal` aborts.
 *
 * @example
 * ```ts
 * const sharder = new Sharder(client, { ring: "memcached-operator", namespace: "ops", controllers: [{ name: "memcached", kind: Memcached, owns: [] }] });
 * await sharder.run(leading);
 * ```
 */
export class Sharder {
  readonly #client: Client;
  readonly #options: SharderOptions;
  readonly #log: Logger;
  readonly #members = new MemberView();
  readonly stats: SharderStats = { passes: 0, assigned: 0, drained: 0, ownedLabelled: 0, conflicts: 0, members: [] };
  #wake: (() => void) | undefined;
  #dirty = true;

  constructor(client: Client, options: SharderOptions) {
    this.#client = client;
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
  }

  /** Watches members and objects and makes passes until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { ring, namespace, controllers } = this.#options;
    const cache = new Cache(this.#client, { namespaces: this.#options.namespaces, logger: this.#log });
    const poke = () => {
      this.#dirty = true;
      this.#wake?.();
    };
    const leases = cache.acquire(Lease, { namespaces: [namespace], labelSelector: { [RING_LABEL]: ring } });
    leases.informer.addHandler({
      added: (l) => (this.#members.observe(l), poke()),
      updated: (_p, l) => (this.#members.observe(l), poke()),
      deleted: (l) => (this.#members.forget(l.metadata.name), poke()),
    });
    const primaries = new Map<string, InformerLease<KubeObject>>();
    const owned: { controller: ShardedController; lease: InformerLease<KubeObject> }[] = [];
    // A pass decides from labels (and, for owned objects, owner references) alone: other updates, such as the
    // members' status writes (one per reconcile), would only make it walk every object again for nothing.
    const primaryHandler = {
      added: poke,
      updated: (p: Cached<KubeObject>, o: Cached<KubeObject>) => {
        if (labelsDiffer(p, o)) poke();
      },
      deleted: poke,
    };
    const ownedHandler = {
      added: poke,
      updated: (p: Cached<KubeObject>, o: Cached<KubeObject>) => {
        if (labelsDiffer(p, o) || ownersDiffer(p, o)) poke();
      },
      deleted: poke,
    };
    for (const c of controllers) {
      const lease = cache.acquire(c.kind, { metadataOnly: true, labelSelector: c.labelSelector, namespaces: c.namespaces });
      lease.informer.addHandler(primaryHandler);
      primaries.set(c.name, lease);
      for (const kind of c.owns) {
        const o = cache.acquire(kind, { metadataOnly: true });
        o.informer.addHandler(ownedHandler);
        owned.push({ controller: c, lease: o });
      }
    }
    const stopCache = new AbortController();
    const done = AbortSignal.any([signal, stopCache.signal]);
    cache.start(done);
    try {
      await cache.waitForSync(signal);
      this.#log.info({ ring, controllers: controllers.map((c) => c.name) }, "sharder running");
      const interval = toMillis(this.#options.passInterval ?? "5s");
      const debounce = this.#options.debounceMs ?? 100;
      while (!signal.aborted) {
        if (this.#dirty) {
          this.#dirty = false;
          await this.#pass(primaries, owned, signal);
        }
        // Sleep until a change, the next member expiry, or the interval.
        const expiry = this.#members.nextExpiry();
        const wait = Math.min(interval, expiry === undefined ? interval : expiry + 1);
        const early = new AbortController();
        this.#wake = () => early.abort();
        if (!this.#dirty) await sleep(wait, AbortSignal.any([signal, early.signal])).catch(() => {});
        this.#wake = undefined;
        if (signal.aborted) break;
        await sleep(debounce, signal).catch(() => {});
        this.#dirty = true;
      }
    } finally {
      stopCache.abort();
    }
  }

  async #pass(primaries: Map<string, InformerLease<KubeObject>>, owned: { controller: ShardedController; lease: InformerLease<KubeObject> }[], signal: AbortSignal): Promise<void> {
    const unconfirmed = await this.#confirmDeaths(primaries, signal);
    const live = this.#members.live();
    const liveSet = new Set([...live, ...unconfirmed]);
    if (live.join(",") !== this.stats.members.join(",")) this.#log.info({ members: live }, "shard ring members changed");
    this.stats.members = live;
    this.stats.passes++;
    const ring = new HashRing(live, { virtualNodes: this.#options.virtualNodes ?? DEFAULT_VIRTUAL_NODES });
    const work: (() => Promise<void>)[] = [];
    for (const c of this.#options.controllers) {
      const S = shardLabel(c.name);
      const D = drainLabel(c.name);
      const primary = primaries.get(c.name)!.informer;
      for (const obj of primary.list()) {
        const m = metaOf(obj);
        const key = m.namespace ? `${m.namespace}/${m.name}` : m.name;
        const step = nextStep(assignmentOf(m.labels, S, D), ring.ownerOf(key), (id) => liveSet.has(id));
        const patch = stepPatch(step, S, D, m.resourceVersion);
        if (!patch) continue;
        work.push(async () => {
          if (await this.#patch(primary, obj, patch, signal)) {
            if (step.type === "assign") this.stats.assigned++;
            else this.stats.drained++;
            this.#log.debug({ controller: c.name, object: key, step }, "shard step");
          }
        });
      }
    }
    for (const { controller: c, lease } of owned) {
      const S = shardLabel(c.name);
      const primary = primaries.get(c.name)!.informer;
      for (const obj of lease.informer.list()) {
        const m = metaOf(obj);
        const ref = m.ownerReferences?.find((r) => r.controller && r.kind === c.kind.kind && r.apiVersion === c.kind.apiVersion);
        if (!ref) continue;
        const owner = primary.get({ namespace: m.namespace ?? "", name: ref.name });
        const want = owner ? metaOf(owner).labels?.[S] : undefined;
        if (!want || m.labels?.[S] === want) continue;
        const patch = { metadata: { resourceVersion: m.resourceVersion, labels: { [S]: want } } };
        work.push(async () => {
          if (await this.#patch(lease.informer, obj, patch, signal)) this.stats.ownedLabelled++;
        });
      }
    }
    if (work.length > 0) this.#log.info({ pass: this.stats.passes, patches: work.length, members: live }, "shard pass");
    await pool(work, this.#options.concurrency ?? 8);
  }

  /**
   * Before objects leave a member that looks dead, reads its Lease afresh: a
   * watch that lags (a loaded sharder) must not make a renewing member look
   * expired. A renewal found this way restarts its countdown. Returns the
   * members whose Lease could not be read: treated as live for this pass.
   */
  async #confirmDeaths(primaries: Map<string, InformerLease<KubeObject>>, signal: AbortSignal): Promise<Set<string>> {
    const unconfirmed = new Set<string>();
    const live = new Set(this.#members.live());
    const suspects = new Set<string>();
    for (const c of this.#options.controllers) {
      const S = shardLabel(c.name);
      for (const obj of primaries.get(c.name)!.informer.list()) {
        const m = metaOf(obj).labels?.[S];
        if (m && !live.has(m)) suspects.add(m);
      }
    }
    for (const id of suspects) {
      for (const name of this.#members.leasesOf(id)) {
        try {
          const fresh = await this.#client.tryGet(Lease, { namespace: this.#options.namespace, name }, { signal });
          if (fresh) this.#members.observe(fresh);
          else this.#members.forget(name);
        } catch (err) {
          if (signal.aborted) return unconfirmed;
          unconfirmed.add(id);
          this.#dirty = true;
          this.#log.warn({ member: id, lease: name, err: (err as Error).message }, "could not read a member Lease that looks expired; not moving its objects this pass");
        }
      }
    }
    return unconfirmed;
  }

  /**
   * One conditioned label patch; a conflict or a vanished object means the
   * next pass decides again. The result goes into the informer's
   * read-your-writes overlay, so the next pass sees it even before the watch
   * delivers it (a lagging watch would otherwise cost a conflict per object).
   */
  async #patch(informer: Informer<KubeObject>, obj: Cached<KubeObject>, patch: unknown, signal: AbortSignal): Promise<boolean> {
    const m = metaOf(obj);
    const kind = informer.kind;
    try {
      informer.observeWrite(await this.#client.patch(kind, { namespace: m.namespace, name: m.name }, patch, { signal }));
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      if (err instanceof ApiError && (err.code === "Conflict" || err.code === "NotFound")) {
        this.stats.conflicts++;
        this.#dirty = true;
        return false;
      }
      this.#dirty = true;
      this.#log.warn({ kind: kind.kind, object: m.name, err: (err as Error).message }, "shard label patch failed; retrying in the next pass");
      return false;
    }
  }
}

function labelsDiffer(a: Cached<KubeObject>, b: Cached<KubeObject>): boolean {
  const x = metaOf(a).labels ?? {};
  const y = metaOf(b).labels ?? {};
  const kx = Object.keys(x);
  return kx.length !== Object.keys(y).length || kx.some((k) => x[k] !== y[k]);
}

function ownersDiffer(a: Cached<KubeObject>, b: Cached<KubeObject>): boolean {
  return JSON.stringify(metaOf(a).ownerReferences ?? []) !== JSON.stringify(metaOf(b).ownerReferences ?? []);
}

async function pool(work: (() => Promise<void>)[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < work.length) await work[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, work.length) }, worker));
}
