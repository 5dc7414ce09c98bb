// Runs one controller definition: informers → predicates → work queue →
// workers → reconcile, with the reconcile contract enforced (errors back off
// per key, terminal errors stop retrying, a thrown exception or a rejected
// promise is an error, a timeout aborts the reconcile's signal).
import type { Registry } from "prom-client";
import type { Client } from "../../client/client.ts";
import { OperantError } from "../../core/errors.ts";
import { parseApiVersion, type Kind } from "../../core/kind.ts";
import type { Logger } from "../../core/logger.ts";
import { keyOf, metaOf, type Cached, type KubeObject, type Stored } from "../../core/object.ts";
import { jitter } from "../../core/time.ts";
import type { Cache, InformerLease } from "../cache/cache.ts";
import type { InformerHandler } from "../cache/informer.ts";
import type { EventRecorder } from "../events/recorder.ts";
import { controllerMetrics, type ControllerMetrics, type ReconcileResultLabel } from "../metrics/controller-metrics.ts";
import { Priority, prometheusWorkQueueMetrics, WorkQueue } from "../queue/index.ts";
import { TerminalError, type ReconcileAction } from "./action.ts";
import type { CacheReader, ControllerDefinition } from "./builder.ts";
import { ReconcileContext } from "./context.ts";
import type { ChangeEvent, Predicate } from "./predicates.ts";

/** What the manager gives a controller to run with. */
export interface RunnerDeps {
  client: Client;
  cache: Cache;
  recorder: EventRecorder;
  registry: Registry;
  log: Logger;
}

/** A controller's live state, for the status page and tests. */
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
 * A running controller. Created and driven by the Manager.
 *
 * @example
 * ```ts
 * const runner = new ControllerRunner(definition, { client, cache, recorder, registry, log });
 * runner.prepare();          // acquires informers
 * cache.start(signal);
 * await runner.run(signal);   // until the signal aborts, then drains
 * ```
 */
export class ControllerRunner<T extends KubeObject> {
  readonly definition: ControllerDefinition<T>;
  readonly queue: WorkQueue<string>;
  readonly #deps: RunnerDeps;
  readonly #metrics: ControllerMetrics;
  readonly #log: Logger;
  readonly #leases: InformerLease<KubeObject>[] = [];
  readonly #unsubscribe: (() => void)[] = [];
  #primary: InformerLease<T> | undefined;
  #status: ControllerStatus;

  constructor(definition: ControllerDefinition<T>, deps: RunnerDeps) {
    this.definition = definition;
    this.#deps = deps;
    this.#log = deps.log.child({ controller: definition.name });
    this.#metrics = controllerMetrics(deps.registry, definition.name);
    this.#metrics.workers(definition.options.maxConcurrentReconciles);
    this.queue = new WorkQueue<string>({ metrics: prometheusWorkQueueMetrics({ registry: deps.registry, name: definition.name, controller: definition.name }) });
    this.#status = { name: definition.name, kind: definition.kind.kind, queueDepth: 0, inFlight: 0, reconciles: 0, errors: 0, lastError: undefined, lastReconcileAt: undefined };
  }

  /** Live status. */
  status(): ControllerStatus {
    return { ...this.#status, queueDepth: this.queue.length, inFlight: this.queue.inFlight };
  }

  /** Acquires the informers this controller reads and wires their events to the queue. Call before the cache starts. */
  prepare(): void {
    const def = this.definition;
    const primary = this.#deps.cache.acquire(def.kind, { namespaces: def.forOptions.namespaces, labelSelector: def.forOptions.labelSelector });
    this.#primary = primary;
    this.#subscribe(primary, def.forOptions.predicates, (obj) => [keyOf({ namespace: metaOf(obj).namespace, name: metaOf(obj).name })]);

    for (const { kind, options } of def.owns) {
      const lease = this.#deps.cache.acquire(kind, { metadataOnly: options.metadataOnly });
      this.#subscribe(lease, options.predicates, (obj) => {
        const owner = (metaOf(obj).ownerReferences ?? []).find((r) => r.controller && sameGroupKind(r.apiVersion, r.kind, def.kind));
        // An owner reference always points into the owned object's namespace (or to a cluster-scoped owner).
        return owner ? [keyOf({ namespace: def.kind.namespaced ? metaOf(obj).namespace : undefined, name: owner.name })] : [];
      });
    }
    const reader: CacheReader = { get: (kind, ref) => this.#deps.cache.get(kind, ref), list: (kind, options) => this.#deps.cache.list(kind, options) };
    for (const { kind, options } of def.watches) {
      const lease = this.#deps.cache.acquire(kind, { labelSelector: options.labels, namespaces: options.namespaces, metadataOnly: options.metadataOnly });
      this.#subscribe(lease, options.predicates, (obj) => {
        const out: string[] = [];
        for (const ref of options.toRequests(obj, reader)) if (ref?.name) out.push(keyOf(ref));
        return out;
      });
    }
  }

  #subscribe<K extends KubeObject>(lease: InformerLease<K>, preds: Predicate<K>[] | undefined, toKeys: (obj: Cached<K>) => string[]): void {
    this.#leases.push(lease as unknown as InformerLease<KubeObject>);
    const pass = (e: ChangeEvent<K>) => {
      try {
        return (preds ?? []).every((p) => p(e));
      } catch (err) {
        this.#log.error({ err: (err as Error).message }, "predicate threw; letting the event through");
        return true;
      }
    };
    const enqueue = (objs: Cached<K>[], relist: boolean) => {
      // Unique keys first: adding one key twice could hand it to a waiting worker and then mark it dirty, reconciling it twice.
      const keys = new Set<string>();
      for (const obj of objs) {
        try {
          for (const k of toKeys(obj)) keys.add(k);
        } catch (err) {
          this.#log.error({ err: (err as Error).message, object: metaOf(obj).name }, "mapping an event to requests threw; event dropped");
        }
      }
      // Fresh events first; (re)list and resync floods at low priority.
      for (const key of keys) this.queue.add(key, { priority: relist ? Priority.Low : Priority.High });
    };
    const handler: InformerHandler<K> = {
      added: (object, { relist }) => pass({ type: "added", object, relist }) && enqueue([object], relist),
      updated: (previous, object, { relist }) => pass({ type: "updated", previous, object, relist }) && enqueue(previous === object ? [object] : [previous, object], relist),
      deleted: (object, { relist }) => pass({ type: "deleted", object, relist }) && enqueue([object], relist),
    };
    this.#unsubscribe.push(lease.informer.addHandler(handler));
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
    options.leading?.addEventListener("abort", () => hardStop.abort(options.leading!.reason), { once: true });

    const resync = def.options.resyncPeriodMs > 0 ? this.#startResync(def.options.resyncPeriodMs) : undefined;
    const workers = Array.from({ length: def.options.maxConcurrentReconciles }, () => this.#worker(hardStop.signal));
    await Promise.all(workers);
    clearTimeout(resync);
    signal.removeEventListener("abort", onAbort);
    this.#stop();
  }

  #stop(): void {
    for (const u of this.#unsubscribe.splice(0)) u();
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

    const problems = (def.kind as Validating).validate?.(obj) ?? [];
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
    const ctx = new ReconcileContext(def.kind, obj, signal, { client: this.#deps.client, cache: this.#deps.cache, recorder: this.#deps.recorder, fieldManager: def.options.fieldManager, log });
    const started = performance.now();
    this.#metrics.active(1);
    let result: ReconcileResultLabel;
    try {
      // A reconcile that ignores its signal keeps its key (and worker) until it returns: never two reconciles of one key at once.
      const action = await def.reconciler(obj, ctx);
      result = this.#applyAction(key, action ?? undefined);
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

  #applyAction(key: string, action: ReconcileAction | undefined): ReconcileResultLabel {
    if (!action || action.type === "done") {
      this.queue.forget(key);
      return "success";
    }
    if (action.type === "requeue") {
      this.queue.addRateLimited(key, { priority: Priority.High });
      return "requeue";
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

function sameGroupKind(apiVersion: string, kind: string, target: Kind): boolean {
  return kind === target.kind && parseApiVersion(apiVersion).group === target.group;
}
