// Leader election on a coordination.k8s.io/v1 Lease, with client-go's
// semantics: one holder at a time, renewed every retryPeriod; candidates
// judge expiry by when THEY saw the record change (never by its
// timestamps); every write is conditioned on the resourceVersion read; the
// leader stops leading (aborts its signal) when it has not renewed within
// renewDeadline, which is shorter than leaseDuration (see timings.ts for the
// argument); on shutdown it releases the Lease so a candidate takes over at
// once. Beyond client-go, candidates also watch the Lease: a release wakes
// them at once instead of at their next poll (up to 2.2 × retryPeriod away),
// and they see renewals as they happen (a change is never seen before it is
// committed, so expiry judged from these sightings stays safe).
import { Client } from "../../client/client.ts";
import { ApiError } from "../../client/transport/api-error.ts";
import { OperantError } from "../../core/errors.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import type { Stored } from "../../core/object.ts";
import { sleep } from "../../core/time.ts";
import { Lease } from "../../kinds/index.ts";
import { microTime } from "../../core/micro-time.ts";
import type { ElectionHost, LeaderElector } from "../elector.ts";
import { systemClock, type Timer } from "../../core/clock.ts";
import { leaderIdentity } from "../identity/identity.ts";
import { operatorNamespace } from "../namespace/operator-namespace.ts";
import { LeaseObservation, recordOf, type LeaderElectionRecord } from "./observation.ts";
import { LEASE_JITTER_FACTOR, leaseTimings, type LeaseTimings, type LeaseTimingsInput } from "./timings.ts";

/**
 * Options of {@link LeaseElector}.
 *
 * @example
 * ```ts
 * const options: LeaseElectorOptions = { name: "memcached-operator-leader", namespace: "memcached-operator-system", timings: "fast" };
 * ```
 */
export interface LeaseElectorOptions {
  /** Name of the Lease: the election's id, shared by all replicas (e.g. `memcached-operator-leader`). */
  name: string;
  /** Namespace of the Lease. Default: the Pod's namespace (ServiceAccount file); outside a cluster it must be given. */
  namespace?: string | undefined;
  /** This replica's identity; must differ between processes. Default: {@link leaderIdentity} of the host name. */
  identity?: string | undefined;
  /** `"default"` (15 s / 10 s / 2 s), `"fast"` (5 s / 3 s / 0.5 s) or explicit durations. */
  timings?: "default" | "fast" | LeaseTimingsInput | undefined;
  /** On release (graceful shutdown), clear the holder so a candidate takes over at once (default true). */
  releaseOnCancel?: boolean | undefined;
  /**
   * Client for the Lease. Default: a dedicated one on the manager's cluster
   * configuration, without client-side rate limit, so that renewals never
   * queue behind the controllers' requests.
   */
  client?: Client | undefined;
  /** Logger (default: the manager's). */
  logger?: Logger | undefined;
  /** Where to find the in-cluster namespace file (tests). */
  serviceAccountDir?: string | undefined;
}

interface Term {
  /** Aborted when leadership ends (lost or released). */
  readonly lost: AbortController;
  /** Stops the renewal loop. */
  readonly stop: AbortController;
  /** Monotonic time at which leadership ends unless renewed. */
  deadline: number;
  timer: Timer;
  ended: boolean;
  loop: Promise<void>;
}

const NOT_LEADING = () => new OperantError("LeaseLost", "not leading");

/**
 * Lease-based leader election for the Manager.
 *
 * Guarantees, as far as clocks tick at similar rates: a leader that cannot
 * renew for `renewDeadline` aborts its leadership signal (the manager then
 * stops all leader-only work and aborts in-flight reconciles) before any
 * candidate can take the Lease, which needs `leaseDuration` without a change.
 * Reconcilers must pass `ctx.signal` to what they await for this to stop them.
 *
 * @example
 * ```ts
 * const manager = new Manager({
 *   leaderElection: new LeaseElector({ name: "memcached-operator-leader", namespace: "memcached-operator-system" }),
 * });
 * ```
 */
export class LeaseElector implements LeaderElector {
  readonly mode = "lease";
  /** Name of the Lease. */
  readonly name: string;
  /** This replica's identity (holderIdentity while it leads). */
  readonly identity: string;
  /** The resolved timings (ms). */
  readonly timings: LeaseTimings;
  readonly #options: LeaseElectorOptions;
  readonly #seen = new LeaseObservation(systemClock);
  #namespace: string | undefined;
  #client: Client | undefined;
  #ownsClient = false;
  #host: ElectionHost | undefined;
  #log: Logger = silentLogger;
  /** The Lease as last read or written (its resourceVersion conditions the next write). */
  #lease: Stored<Lease> | undefined;
  #term: Term | undefined;
  #reportedLeader: string | undefined;
  #lastError: { message: string; at: string } | undefined;
  #lastWarned: { message: string; at: number } | undefined;

  constructor(options: LeaseElectorOptions) {
    if (!options.name) throw new OperantError("InvalidArgument", "LeaseElector needs the Lease's name (the election id), e.g. \"my-operator-leader\".");
    this.#options = options;
    this.name = options.name;
    this.identity = options.identity ?? leaderIdentity();
    this.timings = leaseTimings(options.timings ?? "default");
    this.#namespace = options.namespace;
  }

  /** `namespace/name` of the Lease (namespace once known). */
  get lock(): string {
    return `${this.#namespace ?? "?"}/${this.name}`;
  }

  /** Whether this replica leads right now (its renewal deadline has not passed). */
  get leading(): boolean {
    const t = this.#term;
    return !!t && !t.ended && systemClock.now() < t.deadline;
  }

  /**
   * Campaigns until this replica holds the Lease, then keeps renewing it
   * until {@link release} or until it cannot renew within renewDeadline.
   * Rejects with `signal`'s reason if it aborts before the Lease is won; a
   * later abort of `signal` does not end leadership (the manager first
   * drains leader-only work, then calls {@link release}).
   */
  async acquire(signal: AbortSignal, host: ElectionHost): Promise<AbortSignal> {
    if (this.#term) throw new OperantError("LeaderElectionInProgress", `acquire() was called while ${this.identity} still holds Lease ${this.lock}: call release() first.`);
    this.#host = host;
    this.#log = this.#options.logger ?? host.logger.child({ leaderElection: this.name });
    host.leading(this.name, false);
    try {
      this.#namespace ??= await operatorNamespace({ serviceAccountDir: this.#options.serviceAccountDir });
      if (!this.#namespace) {
        throw new OperantError("LeaderElectionNamespaceUnknown", `Lease leader election "${this.name}" needs a namespace, and this process is not in a Pod: pass the namespace (--leader-election-namespace, POD_NAMESPACE, or the elector's namespace option).`);
      }
      if (!this.#client) {
        this.#client = this.#options.client ?? Client.fromConfig(host.client.transport.config, { qps: Infinity, maxRetries: 0, timeoutMs: this.timings.renewDeadline, fieldManager: "operant-leader-election", userAgent: "operant/leader-election" });
        this.#ownsClient = !this.#options.client;
      }
      this.#log.info({ identity: this.identity, lease: this.lock }, "attempting to acquire leader lease");
      const watching = new AbortController();
      let wake: (() => void) | undefined;
      void this.#watchLease(this.#client, AbortSignal.any([signal, watching.signal]), () => wake?.());
      try {
        for (;;) {
          signal.throwIfAborted();
          const started = systemClock.now();
          if (await this.#tryAcquireOrRenew(AbortSignal.any([signal, AbortSignal.timeout(this.timings.renewDeadline)]))) return this.#begin(started);
          const early = new AbortController();
          wake = () => early.abort();
          await sleep(this.timings.retryPeriod * (1 + Math.random() * LEASE_JITTER_FACTOR), AbortSignal.any([signal, early.signal])).catch((err: unknown) => {
            if (signal.aborted) throw err;
          });
          wake = undefined;
        }
      } finally {
        watching.abort();
      }
    } catch (err) {
      await this.#closeClient();
      throw signal.aborted ? signal.reason : err;
    }
  }

  /**
   * While campaigning: follows the Lease (list, then watch from there),
   * records each change as observed, and calls `wake` when the Lease is
   * released or deleted, so the candidate tries at once.
   */
  async #watchLease(client: Client, stop: AbortSignal, wake: () => void): Promise<void> {
    const fieldSelector = `metadata.name=${this.name}`;
    let failures = 0;
    while (!stop.aborted) {
      try {
        const list = await client.list(Lease, { namespace: this.#namespace!, fieldSelector, signal: stop });
        for await (const ev of client.watch(Lease, { namespace: this.#namespace!, fieldSelector, resourceVersion: list.metadata.resourceVersion, signal: stop })) {
          if (ev.type === "BOOKMARK") continue;
          failures = 0;
          if (ev.type !== "DELETED") {
            this.#seen.observe(recordOf(ev.object));
            this.#reportLeader();
          }
          if (ev.type === "DELETED" || !ev.object.spec?.holderIdentity) wake();
        }
      } catch {
        if (stop.aborted) return;
        await sleep(Math.min(this.timings.retryPeriod * 2 ** failures++, 30_000), stop).catch(() => {});
      }
    }
  }

  #begin(started: number): AbortSignal {
    const term: Term = { lost: new AbortController(), stop: new AbortController(), deadline: started + this.timings.renewDeadline, timer: { cancel() {} }, ended: false, loop: Promise.resolve() };
    this.#term = term;
    this.#arm(term);
    this.#host?.leading(this.name, true);
    this.#log.info({ identity: this.identity, lease: this.lock, transitions: this.#seen.record?.leaseTransitions }, "successfully acquired lease: leading");
    term.loop = this.#renewLoop(term);
    return term.lost.signal;
  }

  /** (Re)arms the timer that ends leadership at the deadline. */
  #arm(term: Term): void {
    term.timer.cancel();
    term.timer = systemClock.setTimer(() => this.#lose(term, new OperantError("LeaseRenewFailed", `could not renew Lease ${this.lock} within the renew deadline (${this.timings.renewDeadline} ms)${this.#lastError ? `: ${this.#lastError.message}` : ""}. Leader-only work was stopped; another replica may take over after ${this.timings.leaseDuration} ms.`)), term.deadline - systemClock.now());
  }

  #lose(term: Term, reason: OperantError): void {
    if (term.ended) return;
    term.ended = true;
    term.timer.cancel();
    term.stop.abort(reason);
    this.#host?.leading(this.name, false);
    this.#log.error({ identity: this.identity, lease: this.lock, code: reason.code, err: reason.message }, "leadership lost");
    term.lost.abort(reason);
  }

  /** Renews every retryPeriod; on failure retries every retryPeriod until the deadline. */
  async #renewLoop(term: Term): Promise<void> {
    const { retryPeriod, renewDeadline } = this.timings;
    try {
      while (!term.ended) {
        await sleep(retryPeriod, term.stop.signal);
        for (;;) {
          const started = systemClock.now();
          const left = term.deadline - started;
          if (left <= 0) return; // the timer ends the term
          const renewed = await this.#tryAcquireOrRenew(AbortSignal.any([term.stop.signal, AbortSignal.timeout(Math.max(1, Math.floor(left)))]));
          if (term.ended) return;
          if (renewed && systemClock.now() < started + renewDeadline) {
            term.deadline = started + renewDeadline;
            this.#arm(term);
            break;
          }
          const holder = this.#seen.record?.holderIdentity;
          if (holder && holder !== this.identity) {
            this.#lose(term, new OperantError("LeaseLost", `Lease ${this.lock} is now held by ${holder}. Leader-only work was stopped.`));
            return;
          }
          await sleep(Math.min(retryPeriod, Math.max(0, term.deadline - systemClock.now())), term.stop.signal);
        }
      }
    } catch (err) {
      if (!term.stop.signal.aborted) this.#lose(term, new OperantError("LeaseLost", `renewing Lease ${this.lock} failed unexpectedly: ${(err as Error).message}`, { cause: err }));
    }
  }

  /** A record naming this replica, keeping acquireTime and transitions when it already holds the lease. */
  #desired(previous: LeaderElectionRecord | undefined, holding: boolean): Record<string, unknown> {
    const now = microTime();
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.timings.leaseDuration / 1000),
      acquireTime: holding ? (previous?.acquireTime ?? now) : now,
      renewTime: now,
      leaseTransitions: holding ? (previous?.leaseTransitions ?? 0) : previous ? (previous.leaseTransitions ?? 0) + 1 : 0,
    };
  }

  /** Records a Lease this replica has just written: the countdown restarts. */
  #wrote(lease: Stored<Lease>): void {
    this.#lease = lease;
    this.#seen.set(recordOf(lease));
    this.#lastError = undefined;
    this.#reportLeader();
  }

  #reportLeader(): void {
    const holder = this.#seen.record?.holderIdentity;
    if (holder === this.#reportedLeader) return;
    this.#reportedLeader = holder;
    this.#log.info({ holder: holder ?? null, lease: this.lock }, holder ? "new leader observed" : "the lease is free");
  }

  #failed(err: unknown, what: string): false {
    const message = `${what}: ${(err as Error).message}`;
    this.#lastError = { message, at: new Date().toISOString() };
    // A failing election must be visible (e.g. Forbidden on leases), without a line every retry period.
    const now = Date.now();
    if (this.#lastWarned?.message !== message || now - this.#lastWarned.at > 30_000) {
      this.#lastWarned = { message, at: now };
      this.#log.warn({ lease: this.lock, err: message }, "leader election attempt failed; retrying");
    } else this.#log.debug({ lease: this.lock, err: message }, "leader election attempt failed");
    return false;
  }

  /** client-go's tryAcquireOrRenew: true when this replica holds the Lease afterwards. */
  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const client = this.#client!;
    const ref = { namespace: this.#namespace!, name: this.name };
    // 1. Fast path: the leader renews optimistically on the object it last wrote.
    if (this.#lease && this.#seen.heldBy(this.identity) && !this.#seen.expired()) {
      try {
        this.#wrote(await client.update(Lease, strip({ ...this.#lease, spec: { ...this.#lease.spec, ...this.#desired(this.#seen.record, true) } }), { signal }));
        return true;
      } catch (err) {
        if (signal.aborted) return this.#failed(err, "renewing");
        // Conflict or other trouble: read the Lease and decide again.
      }
    }
    // 2. Read it, or create it.
    let current: Stored<Lease> | undefined;
    try {
      current = await client.tryGet(Lease, ref, { signal });
    } catch (err) {
      return this.#failed(err, "reading the Lease");
    }
    if (!current) {
      try {
        this.#wrote(await client.create(Lease, { metadata: ref, spec: this.#desired(undefined, false) }, { signal }));
        return true;
      } catch (err) {
        return this.#failed(err, "creating the Lease");
      }
    }
    // 3. Judge the record by when this replica saw it change.
    this.#lease = current;
    this.#seen.observe(recordOf(current));
    this.#reportLeader();
    if (!this.#seen.mayAcquire(this.identity)) return false;
    // 4. Take it (or renew it), conditioned on the resourceVersion just read.
    const holding = this.#seen.heldBy(this.identity);
    try {
      this.#wrote(await client.update(Lease, strip({ ...current, spec: { ...current.spec, ...this.#desired(this.#seen.record, holding) } }), { signal }));
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === "Conflict") return false; // another replica wrote first
      return this.#failed(err, holding ? "renewing" : "acquiring");
    }
  }

  /**
   * Ends this replica's term: stops renewing and, with releaseOnCancel and
   * if it still holds the Lease, clears the holder (leaseDurationSeconds 1)
   * so a candidate takes over at its next attempt instead of waiting out the
   * lease. Call only after leader-only work has stopped (the manager does).
   */
  async release(): Promise<void> {
    const term = this.#term;
    this.#term = undefined;
    if (term) {
      const wasLeading = !term.ended;
      term.ended = true;
      term.timer.cancel();
      term.stop.abort(NOT_LEADING());
      await term.loop;
      this.#host?.leading(this.name, false);
      if ((this.#options.releaseOnCancel ?? true) && this.#lease && this.#seen.heldBy(this.identity)) await this.#clearHolder();
      if (wasLeading) term.lost.abort(new OperantError("LeadershipReleased", `released Lease ${this.lock}.`));
    }
    await this.#closeClient();
  }

  /**
   * Writes the Lease with no holder, so candidates need not wait for it to
   * expire. A renewal aborted by the release may still have been committed
   * (its answer never read), leaving a stale resourceVersion: on Conflict the
   * Lease is read again and cleared if this replica still holds it; if
   * someone else does, it is not ours to clear.
   */
  async #clearHolder(): Promise<void> {
    const deadline = AbortSignal.timeout(this.timings.renewDeadline);
    let lease = this.#lease!;
    for (let attempt = 1; ; attempt++) {
      try {
        const now = microTime();
        const released = await this.#client!.update(
          Lease,
          strip({ ...lease, spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: lease.spec?.leaseTransitions ?? this.#seen.record?.leaseTransitions ?? 0 } }),
          { signal: deadline },
        );
        this.#lease = released;
        this.#seen.set(recordOf(released));
        this.#log.info({ identity: this.identity, lease: this.lock }, "released the lease");
        return;
      } catch (err) {
        if (err instanceof ApiError && err.code === "Conflict" && attempt < 3) {
          const fresh = await this.#client!.tryGet(Lease, { namespace: this.#namespace!, name: this.name }, { signal: deadline }).catch(() => undefined);
          if (fresh?.spec?.holderIdentity === this.identity) {
            lease = fresh;
            continue;
          }
          if (fresh) this.#seen.set(recordOf(fresh));
          this.#log.info({ lease: this.lock, holder: fresh?.spec?.holderIdentity ?? null }, "not releasing the lease: another replica holds it now");
          return;
        }
        this.#log.warn({ lease: this.lock, err: (err as Error).message }, "could not release the lease; candidates wait for it to expire");
        return;
      }
    }
  }

  async #closeClient(): Promise<void> {
    const c = this.#client;
    if (!c || !this.#ownsClient) return;
    this.#client = undefined;
    await c.close().catch(() => {});
  }

  /** For status pages: the Lease as last observed by this replica. */
  describe(): Record<string, unknown> {
    const r = this.#seen.record;
    const observedAt = this.#seen.observedAt;
    return {
      mode: this.mode,
      identity: this.identity,
      lock: `Lease ${this.lock}`,
      leading: this.leading,
      holder: r?.holderIdentity ?? null,
      holderSince: r?.holderIdentity ? (r.acquireTime ?? null) : null,
      renewTime: r?.renewTime ?? null,
      leaseDurationSeconds: r?.leaseDurationSeconds ?? null,
      leaseTransitions: r?.leaseTransitions ?? null,
      observedAt: observedAt === undefined ? null : new Date(observedAt).toISOString(),
      timings: { ...this.timings },
      lastError: this.#lastError ?? null,
    };
  }
}

/** The object to PUT: without managedFields (the server keeps its own). */
function strip(lease: Stored<Lease>): Stored<Lease> {
  const { managedFields: _drop, ...metadata } = lease.metadata;
  return { ...lease, metadata };
}
