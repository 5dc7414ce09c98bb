// Runs one controller definition: informers → predicates → work queue →
// workers → reconcile, with the reconcile contract enforced (errors back off
// per key, terminal errors stop retrying, a thrown exception or a rejected
// promise is an error, a timeout aborts the reconcile's signal).
import { Registry } from "prom-client";
import type { Client } from "../../client/client.ts";
import { OperantError } from "../../core/errors.ts";
import type { Kind } from "../../core/kind.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import { keyOf, metaOf, type KubeObject, type ObjectRef, type Stored } from "../../core/object.ts";
import { jitter } from "../../core/time.ts";
import type { Cache, InformerLease } from "../cache/cache.ts";
import type { EventRecorder } from "../events/recorder.ts";
import { controllerMetrics, type ControllerMetrics, type ReconcileResultLabel } from "../metrics/controller-metrics.ts";
import { Priority, prometheusWorkQueueMetrics, WorkQueue } from "../queue/index.ts";
import { TerminalError, type ReconcileAction } from "./action.ts";
import type { CacheReader, ControllerDefinition } from "./builder.ts";
import { CacheAwareClient } from "./cache-aware-client.ts";
import { ReconcileContext } from "./context.ts";
import { enqueueOwner, enqueueSelf, fromInformer, type RequestSink, type RequestSource } from "./sources.ts";

/**
 * The cache a runner needs: shared informers to acquire, cached reads, the
 * sync barrier and the read-your-writes entry points.
 *
 * @example
 * ```ts
 * const cache: RunnerCache = new Cache(client);
 * ```
 */
export type RunnerCache = Pick<Cache, "acquire" | "index" | "get" | "list" | "byIndex" | "waitForSync" | "observeWrite" | "observeDelete">;

/**
 * What a runner runs with. The manager passes its own; a test or a
 * hand-built controller passes fakes of these narrow slices.
 *
 * @example
 * ```ts
 * const deps: RunnerDeps = { client, cache, recorder: { event: () => {} } };
 * ```
 */
export interface RunnerDeps {
  /** The API client; the context's `ctx.client` wraps it in a {@link CacheAwareClient}. */
  client: Client;
  cache: RunnerCache;
  recorder: Pick<EventRecorder, "event">;
  /** Where the controller's metrics go (default: a private registry). */
  registry?: Registry | undefined;
  log?: Logger | undefined;
  /** The work queue (default: a new one with the controller rate limiter and Prometheus metrics). Tests pass one on a ManualClock. */
  queue?: WorkQueue<string> | undefined;
}

/**
 * A controller's live state, for the status page and tests.
 *
 * @example
 * ```ts
 * const status: ControllerStatus = runner.status();
 * console.log(status.queueDepth, status.lastError?.message);
 * ```
 */
export interface ControllerStatus {
  name: string;
  kind: string;
  queueDepth: number;
  inFlight: number;
  reconciles: number;
  errors: number;
  lastError: { key: string; message: string; at: string } | undefined;
  lastReconcileAt: string | undefined;
}

/** Validates objects of a kind client-side, if the kind knows how (defineResource kinds do). */
type Validating = { validate?: (obj: unknown) => { path: string; message: string }[] };

const PROGRAMMING_ERRORS = [TypeError, ReferenceError, RangeError, SyntaxError];

/**
 * The reconcile runner: the queue, its workers and the reconcile contract
 * (errors back off per key, `TerminalError` stops retrying, `awaitChange`
 * forgets the backoff, `requeueAfter` schedules the key, a timeout aborts
 * `ctx.signal`). It reads the primary kind from the cache and takes requests
 * from sources: the definition's (`for`, `owns`, `watches`,
 * `watchesSource`) and any added with {@link addSource}. The Manager creates
 * one per controller; nothing stops you from doing the same by hand.
 *
 * @example
 * ```ts
 * const runner = new ControllerRunner(definition, { client, cache, recorder });
 * runner.prepare();          // acquires informers, starts the sources
 * cache.start(signal);
 * await runner.run(signal);   // until the signal aborts, then drains
 * ```
 */
export class ControllerRunner<T extends KubeObject> {
  readonly definition: ControllerDefinition<T>;
  readonly queue: WorkQueue<string>;
  readonly #deps: RunnerDeps;
  readonly #client: CacheAwareClient;
  readonly #metrics: ControllerMetrics;
  readonly #log: Logger;
  readonly #leases: InformerLease<KubeObject>[] = [];
  readonly #sources = new AbortController();
  readonly #fence = new AbortController();
  readonly #sink: RequestSink;
  #primary: InformerLease<T> | undefined;
  #status: ControllerStatus;

  constructor(definition: ControllerDefinition<T>, deps: RunnerDeps) {
    this.definition = definition;
    this.#deps = deps;
    this.#log = (deps.log ?? silentLogger).child({ controller: definition.name });
    const registry = deps.registry ?? new Registry();
    this.#metrics = controllerMetrics(registry, definition.name);
    this.#metrics.workers(definition.options.maxConcurrentReconciles);
    this.queue = deps.queue ?? new WorkQueue<string>({ metrics: prometheusWorkQueueMetrics({ registry, name: definition.name, controller: definition.name }) });
    // Writes are fenced when this term's leadership ends (see run()'s `leading`): runners are made per term.
    this.#client = new CacheAwareClient(deps.client, deps.cache, { fence: this.#fence.signal });
    this.#sink = {
      log: this.#log,
      // Fresh events first; (re)list and resync floods at low priority.
      enqueue: (refs: Iterable<ObjectRef>, options: { relist?: boolean } = {}) => {
        for (const ref of refs) this.queue.add(keyOf(ref), { priority: options.relist ? Priority.Low : Priority.High });
      },
    };
    this.#status = { name: definition.name, kind: definition.kind.kind, queueDepth: 0, inFlight: 0, reconciles: 0, errors: 0, lastError: undefined, lastReconcileAt: undefined };
  }

  /** Live status. */
  status(): ControllerStatus {
    return { ...this.#status, queueDepth: this.queue.length, inFlight: this.queue.inFlight };
  }

  /**
   * Acquires the informers this controller reads and starts its sources:
   * `for` as {@link fromInformer} with {@link enqueueSelf}, each `owns` with
   * {@link enqueueOwner}, each `watches` with its map function, each
   * `watchesSource` as given. Call once, before the cache starts.
   */
  prepare(): void {
    const def = this.definition;
    const cache = this.#deps.cache;
    // Before any informer of this controller exists (those of other controllers get them added, objects indexed at once).
    for (const { kind, name, fn } of def.indexes) cache.index(kind, name, fn);
    const primary = cache.acquire(def.kind, { namespaces: def.forOptions.namespaces, labelSelector: def.forOptions.labelSelector });
    this.#primary = primary;
    this.#leases.push(primary as unknown as InformerLease<KubeObject>);
    this.addSource(fromInformer(primary.informer, { toRequests: enqueueSelf(), predicates: def.forOptions.predicates }));

    for (const { kind, options } of def.owns) {
      const lease = cache.acquire(kind, { metadataOnly: options.metadataOnly, labelSelector: options.labelSelector });
      this.#leases.push(lease);
      this.addSource(fromInformer(lease.informer, { toRequests: enqueueOwner(def.kind), predicates: options.predicates }));
    }
    const reader: CacheReader = { get: (kind, ref) => cache.get(kind, ref), list: (kind, options) => cache.list(kind, options), byIndex: (kind, name, value) => cache.byIndex(kind, name, value) };
    for (const { kind, options } of def.watches) {
      const lease = cache.acquire(kind, { labelSelector: options.labels, namespaces: options.namespaces, metadataOnly: options.metadataOnly });
      this.#leases.push(lease);
      this.addSource(fromInformer(lease.informer, { toRequests: (obj) => options.toRequests(obj, reader), predicates: options.predicates }));
    }
    for (const source of def.sources) this.addSource(source);
  }

  /** Starts delivering a source's requests to this controller's queue, until the runner stops. */
  addSource(source: RequestSource): void {
    source.start(this.#sink, this.#sources.signal);
  }

  /**
   * Waits for the caches, then runs the workers until `signal` aborts. On
   * abort, stops taking work and lets in-flight reconciles finish for up to
   * `drainMs`, then aborts their signals.
   */
  async run(signal: AbortSignal, options: { drainMs?: number; leading?: AbortSignal } = {}): Promise<void> {
    const def = this.definition;
    // Prepare the kind's validator (load and compile its schema) now, while the
    // caches wait for the API server, rather than in the first reconcile.
    const warm = setImmediate(() => {
      try {
        (def.kind as Validating).validate?.(undefined);
      } catch (err) {
        this.#log.debug({ err: (err as Error).message }, "preparing the validator failed; the first reconcile will retry");
      }
    });
    await this.#deps.cache.waitForSync(signal).catch((err: unknown) => {
      if (!signal.aborted) throw err;
    });
    if (signal.aborted) {
      clearImmediate(warm);
      return this.#stop();
    }
    this.#log.info({ workers: def.options.maxConcurrentReconciles }, "caches synced, starting workers");

    // In-flight reconciles get their own signal: aborted on timeout, on leadership loss, or after the drain period.
    const hardStop = new AbortController();
    const onAbort = () => {
      void this.queue.shutdown({ drain: false });
      setTimeout(() => hardStop.abort(new OperantError("ShuttingDown", "the controller is shutting down")), options.drainMs ?? 30_000).unref();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    options.leading?.addEventListener(
      "abort",
      () => {
        // Fence first: from now on ctx writes are refused, even from reconciles that ignore their signal.
        this.#fence.abort(options.leading!.reason);
        hardStop.abort(options.leading!.reason);
      },
      { once: true },
    );
    if (options.leading?.aborted) this.#fence.abort(options.leading.reason);

    const resync = def.options.resyncPeriodMs > 0 ? this.#startResync(def.options.resyncPeriodMs) : undefined;
    const workers = Array.from({ length: def.options.maxConcurrentReconciles }, () => this.#worker(hardStop.signal));
    await Promise.all(workers);
    clearTimeout(resync);
    signal.removeEventListener("abort", onAbort);
    this.#stop();
  }

  #stop(): void {
    this.#sources.abort();
    for (const l of this.#leases.splice(0)) l.release();
  }

  #startResync(periodMs: number): NodeJS.Timeout {
    let timer: NodeJS.Timeout;
    const tick = () => {
      for (const key of this.#primary?.informer.keys() ?? []) this.queue.add(key, { priority: Priority.Low });
      timer = setTimeout(tick, jitter(periodMs));
      timer.unref();
    };
    timer = setTimeout(tick, jitter(periodMs));
    timer.unref();
    return timer;
  }

  async #worker(hardStop: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.#reconcileKey(key, hardStop);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async #reconcileKey(key: string, hardStop: AbortSignal): Promise<void> {
    const def = this.definition;
    const obj = this.#primary!.informer.get(key);
    if (!obj) {
      // Gone: nothing to converge (owned objects follow through garbage collection; cleanup belongs in a finalizer).
      this.queue.forget(key);
      return;
    }
    const log = this.#log.child({ object: key, resourceVersion: metaOf(obj).resourceVersion });

    let problems: { path: string; message: string }[];
    try {
      problems = (def.kind as Validating).validate?.(obj) ?? [];
    } catch (err) {
      // A validator that cannot cope with the object (e.g. nested past the stack) must not take the worker down.
      problems = [{ path: "", message: `could not be validated: ${(err as Error).message}` }];
    }
    if (problems.length > 0) {
      const message = problems.map((p) => `${p.path}: ${p.message}`).join("; ");
      log.error({ problems }, "object does not match its schema; not reconciling it until it changes");
      this.#deps.recorder.event(obj as unknown as Stored<T>, { type: "Warning", reason: "InvalidObject", note: message, action: "Reconcile" });
      this.#metrics.errored("terminal");
      this.#metrics.reconciled("error", 0);
      this.#fail(key, message);
      this.queue.forget(key);
      return;
    }

    const timeout = AbortSignal.timeout(def.options.reconcileTimeoutMs);
    const signal = AbortSignal.any([hardStop, timeout]);
    const ctx = new ReconcileContext(def.kind, obj, signal, { client: this.#client, cache: this.#deps.cache, recorder: this.#deps.recorder, fieldManager: def.options.fieldManager, log });
    const started = performance.now();
    this.#metrics.active(1);
    let result: ReconcileResultLabel;
    try {
      // A reconcile that ignores its signal keeps its key (and worker) until it returns: never two reconciles of one key at once.
      const action = await def.reconciler(obj, ctx);
      result = this.#applyAction(key, action);
      this.#status.reconciles++;
      this.#status.lastReconcileAt = new Date().toISOString();
      log.debug({ result }, "reconciled");
    } catch (caught) {
      result = "error";
      this.#status.reconciles++;
      this.#status.lastReconcileAt = new Date().toISOString();
      const err = timeout.aborted && !hardStop.aborted ? new OperantError("ReconcileTimeout", `reconcile of ${key} did not finish within ${def.options.reconcileTimeoutMs} ms; aborted and will be retried`, { cause: caught, retryable: true }) : caught;
      const message = err instanceof Error ? err.message : String(err);
      if (hardStop.aborted && !timeout.aborted) {
        // Shutdown or lost leadership: not the reconciler's fault; the next leader or run picks it up.
        log.info({ reason: message }, "reconcile aborted");
        this.#metrics.active(-1);
        return;
      }
      this.#fail(key, message);
      if (err instanceof TerminalError) {
        this.#metrics.errored("terminal");
        this.queue.forget(key);
        log.error({ err: message, reason: err.reason }, "reconcile failed permanently; not retrying until the object changes");
        this.#deps.recorder.event(obj as unknown as Stored<T>, { type: "Warning", reason: err.reason, note: message, action: "Reconcile" });
      } else {
        const panic = !(err instanceof Error) || PROGRAMMING_ERRORS.some((E) => err instanceof E);
        this.#metrics.errored(panic ? "panic" : "error");
        const delay = this.queue.addRateLimited(key, { priority: Priority.High });
        log.error({ err: message, code: (err as { code?: string }).code, retryInMs: delay, ...(panic && err instanceof Error && { stack: err.stack }) }, "reconcile failed; will retry");
      }
    }
    this.#metrics.active(-1);
    this.#metrics.reconciled(result, (performance.now() - started) / 1000);
  }

  #applyAction(key: string, action: ReconcileAction): ReconcileResultLabel {
    // A JavaScript caller (or a cast) can still return nothing: say what to return instead of guessing.
    if (action?.type !== "awaitChange" && action?.type !== "requeueAfter") throw new OperantError("InvalidReconcileResult", `the reconciler of ${this.definition.name} returned ${JSON.stringify(action) ?? "undefined"} for ${key}: return Action.awaitChange() or Action.requeueAfter(d), or throw to fail`, { retryable: true });
    if (action.type === "awaitChange") {
      this.queue.forget(key);
      return "success";
    }
    this.queue.forget(key);
    this.queue.addAfter(key, action.afterMs, { priority: Priority.High });
    return "requeue_after";
  }

  #fail(key: string, message: string): void {
    this.#status.errors++;
    this.#status.lastError = { key, message, at: new Date().toISOString() };
  }

  /** The kind this controller reconciles. */
  get kind(): Kind<T> {
    return this.definition.kind;
  }

  /** Enqueues a key by hand (e.g. from an external trigger). */
  enqueue(ref: { namespace?: string; name: string }): void {
    this.queue.add(keyOf(ref), { priority: Priority.High });
  }
}
