// The keyed work queue controllers pull reconcile requests from. Same
// contract as client-go's rate-limiting workqueue (dedup, one worker per key,
// dirty re-queue on done, delayed and rate-limited adds), plus priorities
// with a bounded share for low-priority keys, so that the fresh watch events
// are served first without starving an initial list or resync
// (controller-runtime #2374, #3496).
import { OperantError } from "../../core/errors.ts";
import { systemClock, type Clock, type Timer } from "../../core/clock.ts";
import { DelayHeap } from "./delay-heap.ts";
import type { WorkQueueMetrics } from "./metrics.ts";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.ts";

/**
 * Named priorities, with controller-runtime's values: fresh watch events at
 * `High` (0, the default), initial-list and resync adds at `Low` (-100). Any
 * safe integer works; higher is served first.
 *
 * @example
 * ```ts
 * queue.add(key);                               // a watch event: Priority.High
 * queue.add(key, { priority: Priority.Low });   // from the initial list or a resync
 * ```
 */
export const Priority = { High: 0, Low: -100 } as const;

/**
 * Options of {@link WorkQueue.add}, {@link WorkQueue.addAfter} and {@link WorkQueue.addRateLimited}.
 *
 * @example
 * ```ts
 * queue.addRateLimited(key, { priority: Priority.Low } satisfies AddOptions); // a retry keeps its priority
 * ```
 */
export interface AddOptions {
  /** Higher is served first (default {@link Priority}.High = 0). A safe integer. */
  priority?: number;
}

/**
 * Options of {@link WorkQueue.shutdown}.
 *
 * @example
 * ```ts
 * await queue.shutdown({ drain: true, signal: AbortSignal.timeout(30_000) } satisfies ShutdownOptions);
 * ```
 */
export interface ShutdownOptions {
  /**
   * false (default): stop at once; waiting `get`s resolve `undefined`, keys
   * still queued are dropped, and the returned promise resolves immediately.
   * true: keep handing out what is queued (including keys re-added while in
   * flight) and resolve once nothing is queued or in flight.
   */
  drain?: boolean;
  /** Ends a drain early: when it aborts, the queue stops as without `drain`. */
  signal?: AbortSignal;
}

/**
 * Options of {@link WorkQueue}; every one has a default.
 *
 * @example
 * ```ts
 * const options: WorkQueueOptions = { starvationLimit: 4, rateLimiter: defaultControllerRateLimiter({ qps: 50, burst: 300 }) };
 * const queue = new WorkQueue(options);
 * ```
 */
export interface WorkQueueOptions<K = string> {
  /** Used by `addRateLimited`, `forget` and `retries` (default {@link defaultControllerRateLimiter}: 5 ms → 1000 s per key, 10 qps / burst 100 overall). */
  rateLimiter?: RateLimiter<K>;
  /** Time source (default {@link systemClock}); tests pass a {@link ManualClock}. */
  clock?: Clock;
  /** Callbacks for depth, adds, latencies, unfinished work and retries (default none). */
  metrics?: WorkQueueMetrics;
  /**
   * Anti-starvation bound: the most keys of the top waiting priority handed
   * out in a row while a key of lower priority waits. The next hand-out then
   * goes to the lower-priority key that has waited longest. Default 9: lower
   * priorities get at least 1 in 10 hand-outs while they have keys waiting.
   * An integer >= 1, or `Infinity` for strict priority (can starve).
   */
  starvationLimit?: number;
  /** How often `metrics.unfinishedWork` is called while keys are in flight, in ms (default 500, as client-go). */
  unfinishedWorkIntervalMs?: number;
}

/** A key that waits for a worker: queued in a band, or parked behind its own in-flight run. */
interface Waiting<K> {
  readonly key: K;
  priority: number;
  /** When it started waiting, for the queue-duration metric. */
  readonly addedAt: number;
  /** In flight: goes into its band when the worker calls done(). */
  parked: boolean;
  /** Order of entry into its current band: the lowest waited longest. */
  seq: number;
}

/**
 * The FIFO of one priority. Entries are removed lazily: an entry is stale
 * once its key was promoted to another band or handed out.
 */
interface Band<K> {
  readonly priority: number;
  items: Waiting<K>[];
  head: number;
  /** Entries that are not stale. */
  live: number;
}

interface Getter<K> {
  resolve(key: K | undefined): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

type State = "running" | "draining" | "stopped";

function checkPriority(priority: number | undefined): number {
  if (priority === undefined) return Priority.High;
  if (!Number.isSafeInteger(priority)) {
    throw new OperantError("InvalidQueueArgument", `work queue priority must be a safe integer (got ${priority}); use Priority.High (0) for watch events and Priority.Low (-100) for initial-list and resync adds`);
  }
  return priority;
}

/**
 * A keyed work queue with priorities, delayed and rate-limited adds.
 *
 * Keys are compared like `Map` keys (SameValueZero), so use strings such as
 * `"namespace/name"` or other primitives; objects would be compared by
 * identity. Guarantees:
 * - **Deduplication**: a key waiting in the queue is held once; adding it
 *   again only raises its priority, if higher (a waiting low-priority key is
 *   promoted and served as a high-priority one).
 * - **One worker per key**: a key handed out by `get` is not handed out
 *   again before `done(key)`. Added meanwhile, it waits parked and is queued
 *   when `done(key)` is called.
 * - **Priorities without starvation**: the highest waiting priority is served
 *   first, FIFO within a priority, but at most `starvationLimit` (default 9)
 *   hand-outs in a row while a lower-priority key waits; the next one goes to
 *   the lower-priority key that has waited longest. So while keys of several
 *   priorities wait, lower priorities get at least 1/(starvationLimit+1) of
 *   the hand-outs and high priorities at least starvationLimit/(starvationLimit+1).
 *   A low-priority key with n keys ahead of it in its priority is handed out
 *   within (n+1)·(starvationLimit+1) hand-outs.
 * - **Delays**: `addAfter` keeps one entry per key in a min-heap served by a
 *   single timer; the earliest of several delays wins, an immediate `add`
 *   cancels a pending delay, and a key that is already waiting ignores
 *   `addAfter` (it is due sooner anyway). Delay timers keep the process
 *   alive, as pending work should; `shutdown` clears them.
 *
 * Memory: about one small object and a few map/array slots per waiting key
 * (see bench/queue.ts), one heap entry per delayed key, one map entry per
 * in-flight key, plus what the rate limiter keeps per failing key.
 *
 * @example
 * ```ts
 * const queue = new WorkQueue();
 * queue.add("default/web");
 * queue.add("default/db", { priority: Priority.Low });
 *
 * async function worker(signal: AbortSignal) {
 *   for (let key = await queue.get(signal); key !== undefined; key = await queue.get(signal)) {
 *     try {
 *       await reconcile(key);
 *       queue.forget(key);          // success: reset its backoff
 *     } catch {
 *       queue.addRateLimited(key);  // failure: retry after 5 ms, 10 ms, 20 ms, …
 *     } finally {
 *       queue.done(key);
 *     }
 *   }
 * }
 * await queue.shutdown({ drain: true });
 * ```
 */
export class WorkQueue<K = string> {
  readonly #clock: Clock;
  readonly #limiter: RateLimiter<K>;
  readonly #metrics: WorkQueueMetrics | undefined;
  readonly #starvationLimit: number;
  readonly #unfinishedIntervalMs: number;

  /** Keys waiting for a worker, queued or parked. */
  readonly #waiting = new Map<K, Waiting<K>>();
  /** Keys handed out and not yet done, with the time they were handed out. */
  readonly #inFlight = new Map<K, number>();
  readonly #delayed = new DelayHeap<K>();
  /** One FIFO per priority, highest priority first. */
  readonly #bands: Band<K>[] = [];
  /** Waiting keys that are queued (not parked). */
  #ready = 0;
  #seq = 0;
  /** Top-priority hand-outs in a row while a lower priority waited. */
  #streak = 0;
  readonly #getters: Getter<K>[] = [];
  #delayTimer: Timer | undefined;
  #delayTimerAt = 0;
  #unfinishedTimer: Timer | undefined;
  /** The last unfinished-work report was not zeros. */
  #unfinishedReported = false;
  #state: State = "running";
  #shutdown: Promise<void> | undefined;
  #resolveShutdown: (() => void) | undefined;
  #drainSignal: { signal: AbortSignal; onAbort: () => void } | undefined;

  constructor(options: WorkQueueOptions<K> = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#limiter = options.rateLimiter ?? defaultControllerRateLimiter<K>({ clock: this.#clock });
    this.#metrics = options.metrics;
    this.#starvationLimit = options.starvationLimit ?? 9;
    if (!(this.#starvationLimit === Infinity || (Number.isSafeInteger(this.#starvationLimit) && this.#starvationLimit >= 1))) {
      throw new OperantError("InvalidQueueOptions", `work queue starvationLimit must be an integer >= 1 or Infinity (got ${this.#starvationLimit}); the default 9 gives lower priorities at least 1 in 10 hand-outs`);
    }
    this.#unfinishedIntervalMs = options.unfinishedWorkIntervalMs ?? 500;
    if (!(this.#unfinishedIntervalMs > 0) || !Number.isFinite(this.#unfinishedIntervalMs)) {
      throw new OperantError("InvalidQueueOptions", `work queue unfinishedWorkIntervalMs must be a finite number above 0 (got ${this.#unfinishedIntervalMs}); the default is 500`);
    }
  }

  /** Keys queued and ready to be handed out now (not counting keys parked behind their in-flight run, nor delayed keys). */
  get length(): number {
    return this.#ready;
  }

  /** Keys handed out by `get` and not yet `done`. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Keys scheduled by `addAfter`/`addRateLimited` that are not due yet. */
  get delayed(): number {
    return this.#delayed.size;
  }

  /** Whether `shutdown` was called (adds are ignored from then on). */
  get shuttingDown(): boolean {
    return this.#state !== "running";
  }

  /**
   * Queues `key` now. Ignored if the key is already waiting (except that a
   * higher priority promotes it) and after `shutdown`. Cancels a pending
   * `addAfter` of the key. A key in flight is parked and queued at `done`.
   *
   * @example
   * ```ts
   * queue.add("default/web");
   * queue.add("default/web", { priority: Priority.Low }); // deduplicated: still one entry, still high
   * ```
   */
  add(key: K, options: AddOptions = {}): void {
    let priority = checkPriority(options.priority);
    if (this.#state !== "running") return;
    const delayed = this.#delayed.delete(key);
    if (delayed) {
      priority = Math.max(priority, delayed.priority);
      this.#armDelayTimer();
    }
    this.#enqueue(key, priority);
    this.#dispatch();
  }

  /**
   * Queues `key` once `delayMs` milliseconds have passed (at once if
   * `delayMs <= 0`). A key already delayed keeps the earlier due time and
   * the higher priority; a key already waiting ignores the call. Counts as a
   * retry in the metrics. Ignored after `shutdown`.
   *
   * @example
   * ```ts
   * queue.addAfter("default/web", 30_000); // reconcile again in 30 s
   * ```
   */
  addAfter(key: K, delayMs: number, options: AddOptions = {}): void {
    const priority = checkPriority(options.priority);
    if (Number.isNaN(delayMs) || delayMs === Infinity) {
      throw new OperantError("InvalidQueueArgument", `work queue delay must be a finite number of milliseconds (got ${delayMs}); to stop retrying a key, do not add it again`);
    }
    if (this.#state !== "running") return;
    this.#metrics?.retried?.();
    if (delayMs <= 0) {
      this.add(key, { priority });
      return;
    }
    if (this.#waiting.has(key)) return;
    if (this.#delayed.schedule(key, this.#clock.now() + delayMs, priority)) this.#armDelayTimer();
  }

  /**
   * Records a failure of `key` with the rate limiter and queues the key
   * after the delay it returns (see {@link WorkQueue.addAfter}). Returns that
   * delay in ms (0 after `shutdown`, where the call is ignored).
   *
   * @example
   * ```ts
   * const delay = queue.addRateLimited("default/web"); // 5, then 10, 20, … until forget()
   * ```
   */
  addRateLimited(key: K, options: AddOptions = {}): number {
    checkPriority(options.priority);
    if (this.#state !== "running") return 0;
    const delay = this.#limiter.when(key);
    this.addAfter(key, delay, options);
    return delay;
  }

  /**
   * Resets the rate limiter's record of `key` (call it when the key was
   * processed successfully). Does not remove the key from the queue.
   *
   * @example
   * ```ts
   * await reconcile(key);
   * queue.forget(key);
   * ```
   */
  forget(key: K): void {
    this.#limiter.forget(key);
  }

  /**
   * How many rate-limited retries of `key` are on record since the last `forget`.
   *
   * @example
   * ```ts
   * if (queue.retries(key) > 5) log.warn({ key }, "still failing");
   * ```
   */
  retries(key: K): number {
    return this.#limiter.retries(key);
  }

  /**
   * Hands out the next key; the caller owns it until it calls `done(key)`.
   * Waits while nothing is queued. Resolves `undefined` once the queue is
   * shut down (with `drain`: once nothing is left queued or in flight).
   * Rejects with `signal.reason` if `signal` aborts while waiting.
   *
   * @example
   * ```ts
   * const key = await queue.get(signal);
   * if (key === undefined) return; // shut down
   * ```
   */
  async get(signal?: AbortSignal): Promise<K | undefined> {
    signal?.throwIfAborted();
    if (this.#state === "stopped") return undefined;
    if (this.#ready > 0) return this.#handOut();
    return new Promise<K | undefined>((resolve, reject) => {
      const getter: Getter<K> = { resolve, signal, onAbort: undefined };
      if (signal) {
        getter.onAbort = () => {
          const at = this.#getters.indexOf(getter);
          if (at >= 0) this.#getters.splice(at, 1);
          reject(signal.reason as Error);
        };
        signal.addEventListener("abort", getter.onAbort, { once: true });
      }
      this.#getters.push(getter);
    });
  }

  /**
   * Marks `key` as processed by its worker. If the key was added again while
   * in flight, it is queued now. A key that is not in flight is ignored.
   *
   * @example
   * ```ts
   * try { await reconcile(key); } finally { queue.done(key); }
   * ```
   */
  done(key: K): void {
    const startedAt = this.#inFlight.get(key);
    if (startedAt === undefined) return;
    this.#inFlight.delete(key);
    this.#metrics?.workDuration?.((this.#clock.now() - startedAt) / 1000);
    const parked = this.#waiting.get(key);
    if (parked) {
      parked.parked = false;
      this.#push(parked);
      this.#ready++;
    }
    if (this.#inFlight.size === 0 && this.#unfinishedTimer) {
      this.#unfinishedTimer.cancel();
      this.#unfinishedTimer = undefined;
      // Zeros once, if a tick reported in-flight work since the last zeros.
      if (this.#unfinishedReported) this.#reportUnfinished();
    }
    this.#dispatch();
  }

  /**
   * Stops accepting adds and clears every delay timer (delayed keys are
   * dropped). Without `drain`, waiting `get`s resolve `undefined` at once,
   * queued keys are dropped and the promise resolves immediately. With
   * `drain`, `get` keeps handing out queued keys, and the promise resolves
   * when nothing is queued or in flight (or when `signal` aborts, which stops
   * the queue as without `drain`). Calling it again returns the same promise;
   * a call without `drain` cuts a drain short.
   *
   * @example
   * ```ts
   * await queue.shutdown({ drain: true, signal: AbortSignal.timeout(30_000) });
   * ```
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    if (!this.#shutdown) {
      this.#shutdown = new Promise((resolve) => (this.#resolveShutdown = resolve));
      this.#state = "draining";
      this.#delayed.clear();
      this.#armDelayTimer();
    }
    if (!options.drain) this.#stop();
    else if (options.signal && this.#state === "draining") {
      const signal = options.signal;
      if (signal.aborted) this.#stop();
      else if (!this.#drainSignal) {
        const onAbort = () => this.#stop();
        this.#drainSignal = { signal, onAbort };
        signal.addEventListener("abort", onAbort, { once: true });
      }
    }
    this.#checkDrained();
    return this.#shutdown;
  }

  #band(priority: number): Band<K> {
    const bands = this.#bands;
    let at = 0;
    while (at < bands.length && bands[at]!.priority > priority) at++;
    const found = bands[at];
    if (found?.priority === priority) return found;
    const band: Band<K> = { priority, items: [], head: 0, live: 0 };
    bands.splice(at, 0, band);
    return band;
  }

  #push(waiting: Waiting<K>): void {
    const band = this.#band(waiting.priority);
    waiting.seq = this.#seq++;
    band.items.push(waiting);
    band.live++;
  }

  /** The oldest live entry of `band`, dropping stale entries at its head. */
  #head(band: Band<K>): Waiting<K> | undefined {
    const items = band.items;
    while (band.head < items.length) {
      const w = items[band.head]!;
      if (w.priority === band.priority && this.#waiting.get(w.key) === w && !w.parked) return w;
      band.head++;
    }
    items.length = 0;
    band.head = 0;
    return undefined;
  }

  #enqueue(key: K, priority: number): void {
    const existing = this.#waiting.get(key);
    if (existing) {
      if (priority > existing.priority) {
        this.#metrics?.depth?.(existing.priority, -1);
        this.#metrics?.depth?.(priority, 1);
        if (!existing.parked) this.#band(existing.priority).live--;
        existing.priority = priority;
        if (!existing.parked) this.#push(existing);
      }
      return;
    }
    const waiting: Waiting<K> = { key, priority, addedAt: this.#clock.now(), parked: this.#inFlight.has(key), seq: 0 };
    this.#waiting.set(key, waiting);
    this.#metrics?.added?.();
    this.#metrics?.depth?.(priority, 1);
    if (!waiting.parked) {
      this.#push(waiting);
      this.#ready++;
    }
  }

  /** Picks the next key per the priority and anti-starvation rules and removes it from its band. */
  #pick(): Waiting<K> {
    let top: Band<K> | undefined;
    let lower: Band<K> | undefined;
    let lowerSeq = Infinity;
    for (const band of this.#bands) {
      if (band.live === 0) continue;
      if (!top) {
        top = band;
        continue;
      }
      const head = this.#head(band)!;
      if (head.seq < lowerSeq) {
        lower = band;
        lowerSeq = head.seq;
      }
    }
    let band = top!;
    if (!lower) this.#streak = 0;
    else if (this.#streak >= this.#starvationLimit) {
      band = lower;
      this.#streak = 0;
    } else this.#streak++;
    const picked = this.#head(band)!;
    band.head++;
    band.live--;
    if (band.head > 1024 && band.head * 2 > band.items.length) {
      band.items = band.items.slice(band.head);
      band.head = 0;
    }
    // The usual one to three priorities keep their bands; beyond a few,
    // empty bands go, so that many distinct priorities cost nothing once served.
    if (this.#bands.length > 4) {
      for (let i = this.#bands.length - 1; i >= 0; i--) if (this.#bands[i]!.live === 0) this.#bands.splice(i, 1);
    }
    return picked;
  }

  #handOut(): K {
    const picked = this.#pick();
    this.#ready--;
    this.#waiting.delete(picked.key);
    const now = this.#clock.now();
    this.#inFlight.set(picked.key, now);
    this.#metrics?.depth?.(picked.priority, -1);
    this.#metrics?.queueDuration?.((now - picked.addedAt) / 1000);
    if (this.#metrics?.unfinishedWork && !this.#unfinishedTimer) {
      this.#unfinishedTimer = this.#clock.setTimer(() => this.#onUnfinishedTick(), this.#unfinishedIntervalMs, { unref: true });
    }
    return picked.key;
  }

  #dispatch(): void {
    while (this.#getters.length > 0 && this.#ready > 0) {
      const getter = this.#getters.shift()!;
      if (getter.onAbort) getter.signal!.removeEventListener("abort", getter.onAbort);
      getter.resolve(this.#handOut());
    }
    this.#checkDrained();
  }

  #armDelayTimer(): void {
    const head = this.#delayed.peek();
    if (head && this.#delayTimer && this.#delayTimerAt === head.readyAt) return;
    this.#delayTimer?.cancel();
    this.#delayTimer = undefined;
    if (!head) return;
    this.#delayTimerAt = head.readyAt;
    this.#delayTimer = this.#clock.setTimer(() => this.#onDelayTimer(), head.readyAt - this.#clock.now());
  }

  #onDelayTimer(): void {
    this.#delayTimer = undefined;
    const now = this.#clock.now();
    for (let due = this.#delayed.peek(); due && due.readyAt <= now; due = this.#delayed.peek()) {
      this.#delayed.pop();
      this.#enqueue(due.key, due.priority);
    }
    this.#armDelayTimer();
    this.#dispatch();
  }

  #onUnfinishedTick(): void {
    this.#unfinishedTimer = undefined;
    this.#reportUnfinished();
    if (this.#inFlight.size > 0 && this.#state !== "stopped") {
      this.#unfinishedTimer = this.#clock.setTimer(() => this.#onUnfinishedTick(), this.#unfinishedIntervalMs, { unref: true });
    }
  }

  #reportUnfinished(): void {
    const now = this.#clock.now();
    let total = 0;
    let longest = 0;
    for (const startedAt of this.#inFlight.values()) {
      const age = now - startedAt;
      total += age;
      if (age > longest) longest = age;
    }
    this.#unfinishedReported = this.#inFlight.size > 0;
    this.#metrics?.unfinishedWork?.(total / 1000, longest / 1000);
  }

  #checkDrained(): void {
    if (this.#state === "draining" && this.#ready === 0 && this.#inFlight.size === 0) this.#finish();
  }

  /** Stops without draining: drops every waiting key. */
  #stop(): void {
    if (this.#state === "stopped") return;
    for (const waiting of this.#waiting.values()) this.#metrics?.depth?.(waiting.priority, -1);
    this.#waiting.clear();
    this.#bands.length = 0;
    this.#ready = 0;
    this.#finish();
  }

  #finish(): void {
    this.#state = "stopped";
    this.#unfinishedTimer?.cancel();
    this.#unfinishedTimer = undefined;
    if (this.#drainSignal) {
      this.#drainSignal.signal.removeEventListener("abort", this.#drainSignal.onAbort);
      this.#drainSignal = undefined;
    }
    for (const getter of this.#getters.splice(0)) {
      if (getter.onAbort) getter.signal!.removeEventListener("abort", getter.onAbort);
      getter.resolve(undefined);
    }
    this.#resolveShutdown?.();
  }
}
