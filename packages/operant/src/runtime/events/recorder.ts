// The EventRecorder: events.k8s.io/v1 Events about objects, written in the
// background, aggregated so that a controller stuck in a hot loop writes a
// handful of API requests instead of thousands.
//
// Aggregation follows client-go's events/v2 broadcaster (tools/events), with
// a bounded write rate on top:
// - occurrences with the same regarding object (and related object), type,
//   reason, action and note form a series; the reporting controller and
//   instance are the recorder's own. (client-go leaves the note out of the
//   key, so differently worded events merge under the first wording; here a
//   new note is a new Event, so no message is hidden);
// - the first occurrence creates an Event; later ones only bump `series.count`
//   and `series.lastObservedTime` in memory, and the recorder PATCHes the
//   series at most once per `seriesInterval` (30 s) per series — client-go
//   writes the second occurrence at once and then only every 30 minutes or
//   when the series ends, which shows users stale counts for a long time;
// - a series ends after `window` (6 min, client-go's finishTime) without
//   occurrences; the next one starts a new Event;
// - if the Event vanished meanwhile (expired: the API server keeps Events for
//   an hour by default), the PATCH gets NotFound and the Event is created
//   again with its series, as client-go does;
// - all writes share one token bucket (`qps` 5, `burst` 25) and at most
//   `maxPending` (1000, client-go's maxQueuedEvents) series wait for a write;
// - failed writes are retried up to `maxTries` times (12) about `retryDelay`
//   (10 s, ±25 %) apart when the failure can pass (network, 5xx, 429,
//   timeouts); refusals (Invalid, Forbidden…) are logged and dropped at once.
import { hostname } from "node:os";
import { OperantError } from "../../core/errors.ts";
import { isQualifiedName } from "../../core/names.ts";
import type { KubeObject } from "../../core/object.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import { jitter, toMillis, type Duration } from "../../core/time.ts";
import { systemClock, type Clock } from "../../core/clock.ts";
import { TokenBucket } from "../../core/token-bucket.ts";
import type { Client } from "../../client/client.ts";
import { ApiError } from "../../client/transport/api-error.ts";
import { CoreEvent, Event } from "../../kinds/index.ts";
import { microTime, preciseNow } from "../../core/micro-time.ts";

/** The API server's limits on events.k8s.io/v1 Event fields (bytes). */
const NOTE_LIMIT = 1024;
const REASON_LIMIT = 128;
const ACTION_LIMIT = 128;
const INSTANCE_LIMIT = 128;
/** Live series remembered at most (each holds its Event, ~1 KB). */
const MAX_SERIES = 10_000;

/**
 * A reference to the object an Event is about (core/v1 ObjectReference).
 *
 * @example
 * ```ts
 * const regarding: EventObjectReference = { apiVersion: "v1", kind: "Pod", name: "web-0", namespace: "default", uid: pod.metadata.uid };
 * ```
 */
export interface EventObjectReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

/**
 * One occurrence to record.
 *
 * @example
 * ```ts
 * const e: EventInput = { type: "Warning", reason: "ScaleFailed", action: "Scale", note: "quota exceeded for pods" };
 * ```
 */
export interface EventInput {
  /** `Normal` for expected progress, `Warning` for something a person may need to look at. */
  type: "Normal" | "Warning";
  /** Why the action was taken, UpperCamelCase by convention (`Created`, `BackOff`); at most 128 bytes (longer is cut). */
  reason: string;
  /** What was done or failed, UpperCamelCase by convention (`Reconcile`, `Scale`); at most 128 bytes (longer is cut). */
  action: string;
  /**
   * Human-readable details, at most 1024 bytes (longer is cut, ending in `…`).
   * Anyone allowed to read Events in the namespace can read it: never put
   * Secret data, tokens or credentials in a note.
   */
  note?: string;
  /** A second object involved (e.g. the Pod a ReplicaSet created). */
  related?: KubeObject;
}

/**
 * Options of {@link EventRecorder}.
 *
 * @example
 * ```ts
 * const recorder = new EventRecorder(client, { reportingController: "cache.example.com/memcached-operator" } satisfies EventRecorderOptions);
 * ```
 */
export interface EventRecorderOptions {
  /**
   * `reportingController` of every Event: the controller's name, e.g.
   * `cache.example.com/memcached-operator` (a qualified name: optional DNS
   * prefix and '/', then at most 63 characters).
   */
  reportingController: string;
  /** `reportingInstance` (default `<reportingController>-<hostname>`, cut to 128 bytes): tells replicas apart. */
  reportingInstance?: string;
  /** Where write failures and drops are reported (default: nowhere). */
  logger?: Logger;
  /** A series ends after this long without occurrences (default `"6m"`). */
  window?: Duration;
  /** At most one write per series per this long (default `"30s"`); the first occurrence is written at once. */
  seriesInterval?: Duration;
  /** Writes per second across all series (default 5). */
  qps?: number;
  /** Writes allowed at once after idling (default 25). */
  burst?: number;
  /** Series waiting for a write beyond this many are dropped (default 1000). */
  maxPending?: number;
  /** Attempts per write before it is dropped (default 12). */
  maxTries?: number;
  /** Pause between attempts (default `"10s"`, ±25 %). */
  retryDelay?: Duration;
  /** Wall clock in epoch milliseconds, fraction allowed (default: `Date.now()` with sub-millisecond digits; with `clock`, the wall time at construction advanced by `clock`). For tests. */
  now?: () => number;
  /**
   * The clock of the recorder's waits (series interval, retry pauses, token
   * bucket). Default: the system clock. Tests pass a `ManualClock` and
   * advance it instead of sleeping.
   */
  clock?: Clock;
  /**
   * The API Events are written to: `events.k8s.io/v1` (default), or `v1`, the
   * core group's Event with the same content (regarding → involvedObject,
   * note → message, reportingController → reportingComponent). `v1` is for
   * where RBAC grants only the core group's events, as operant's OLM bundles
   * do (the operator-framework validators flag any events.k8s.io rule).
   */
  api?: EventsApi;
}

/** Where an {@link EventRecorder} writes: `events.k8s.io/v1` Events, or the core group's `v1` Events. */
export type EventsApi = "events.k8s.io/v1" | "v1";

/**
 * Counters of an {@link EventRecorder}, for tests and metrics.
 *
 * @example
 * ```ts
 * const { recorded, writes, dropped }: EventRecorderStats = recorder.stats();
 * ```
 */
export interface EventRecorderStats {
  /** Occurrences accepted by `event()`. */
  recorded: number;
  /** API writes that succeeded (creates and series patches). */
  writes: number;
  /** API writes that failed (each attempt). */
  failures: number;
  /** Occurrences or writes given up: invalid input, refused writes, retries exhausted, queue full, after close. */
  dropped: number;
  /** Series waiting for a write. */
  pending: number;
}

interface Series {
  key: string;
  /** The Event as first created (no series). */
  event: Event & { metadata: { name: string; namespace: string } };
  count: number;
  lastObservedMs: number;
  lastObservedTime: string;
  /** The count the API server has; 0 before the Event exists. */
  written: number;
  lastWriteMs: number;
  /** When the next write is due, while pending. */
  dueAt: number;
  /** The pending write is a retry (its pause is kept even by flush()). */
  retry: boolean;
  tries: number;
}

const encoder = new TextEncoder();

/**
 * `text` cut to at most `limit` UTF-8 bytes without splitting a character;
 * when cut, it ends with `…` (counted in the limit).
 *
 * @example
 * ```ts
 * truncateBytes("x".repeat(2000), 1024).length // 1022: 1021 × "x" and "…" (3 bytes)
 * ```
 */
export function truncateBytes(text: string, limit: number): string {
  if (encoder.encode(text).length <= limit) return text;
  let bytes = 0;
  let out = "";
  for (const ch of text) {
    const n = encoder.encode(ch).length;
    if (bytes + n > limit - 3) break;
    bytes += n;
    out += ch;
  }
  return `${out}…`;
}

function referenceOf(obj: KubeObject): EventObjectReference | undefined {
  const m = obj.metadata;
  if (!obj.apiVersion || !obj.kind || !m?.name) return undefined;
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: m.name, ...(m.namespace && { namespace: m.namespace }), ...(m.uid && { uid: m.uid }) };
}

/** A DNS-subdomain prefix for Event names from the regarding object's name. */
function namePrefix(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .slice(0, 253 - 17)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  return cleaned || "event";
}

/**
 * Records events.k8s.io/v1 Events about objects, in the background.
 * `event()` returns at once and never throws: the write happens later,
 * aggregated (identical occurrences become one Event with a `series`
 * count), rate-limited, and retried; failures go to the logger and are
 * dropped. Call `close()` on shutdown (it writes what is pending), `flush()`
 * in tests.
 *
 * Events land in the regarding object's namespace, or in `default` for
 * cluster-scoped objects (as client-go does). The identity writing them needs
 * RBAC: `create` and `patch` on `events` in API group `events.k8s.io`.
 *
 * Notes are user-provided text shown to anyone who can read Events in that
 * namespace (`kubectl events`, `kubectl describe`): never put Secret data,
 * tokens or credentials in them.
 *
 * @example
 * ```ts
 * const recorder = new EventRecorder(client, { reportingController: "cache.example.com/memcached-operator", logger });
 * recorder.event(memcached, { type: "Normal", reason: "Scaled", action: "Reconcile", note: "scaled to 3 replicas" });
 * // on shutdown:
 * await recorder.close();
 * ```
 */
export class EventRecorder {
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly #client: Pick<Client, "create" | "patch">;
  readonly #api: EventsApi;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #clock: Clock;
  readonly #window: number;
  readonly #interval: number;
  readonly #maxPending: number;
  readonly #maxTries: number;
  readonly #retryDelay: number;
  readonly #bucket: TokenBucket;
  /** The live series by key (recent ones; ended ones are swept). */
  readonly #series = new Map<string, Series>();
  readonly #pending = new Set<Series>();
  readonly #stats = { recorded: 0, writes: 0, failures: 0, dropped: 0 };
  #lastSweep = 0;
  #lastNameNanos = 0n;
  #running = false;
  #flushing = 0;
  #closed = false;
  #wake: (() => void) | undefined;
  #idle: (() => void)[] = [];

  constructor(client: Pick<Client, "create" | "patch">, options: EventRecorderOptions) {
    if (!isQualifiedName(options.reportingController)) {
      throw new OperantError(
        "InvalidArgument",
        `EventRecorder: reportingController ${JSON.stringify(options.reportingController)} is not a qualified name; use e.g. "memcached-operator" or "cache.example.com/memcached-operator" (optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.').`,
      );
    }
    this.#client = client;
    this.#api = options.api ?? "events.k8s.io/v1";
    this.reportingController = options.reportingController;
    this.reportingInstance = truncateBytes(options.reportingInstance ?? `${options.reportingController}-${hostname()}`, INSTANCE_LIMIT);
    this.#log = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    const clock = this.#clock;
    const [wallAtStart, clockAtStart] = [preciseNow(), clock.now()];
    this.#now = options.now ?? (options.clock ? () => wallAtStart + (clock.now() - clockAtStart) : preciseNow);
    this.#window = toMillis(options.window ?? "6m");
    this.#interval = toMillis(options.seriesInterval ?? "30s");
    this.#maxPending = options.maxPending ?? 1000;
    this.#maxTries = options.maxTries ?? 12;
    this.#retryDelay = toMillis(options.retryDelay ?? "10s");
    this.#bucket = new TokenBucket({ qps: options.qps ?? 5, burst: options.burst ?? 25, now: () => clock.now() });
  }

  /**
   * Records one occurrence of an event about `obj` (an object with apiVersion,
   * kind and metadata.name, as read from the API). Returns at once; never
   * throws. Invalid input (no reason or action, an object without kind or
   * name) is logged as an error and dropped.
   */
  event(obj: KubeObject, input: EventInput): void {
    const regarding = referenceOf(obj);
    const problem = !regarding
      ? "the object has no apiVersion, kind or metadata.name (pass an object as read from the API)"
      : input.type !== "Normal" && input.type !== "Warning"
        ? `type ${JSON.stringify(input.type)} is neither Normal nor Warning`
        : !input.reason
          ? "reason is empty"
          : !input.action
            ? "action is empty"
            : this.#closed
              ? "the recorder is closed"
              : undefined;
    if (problem) {
      this.#stats.dropped++;
      this.#log.error({ reason: input.reason, action: input.action, kind: obj.kind, name: obj.metadata?.name }, `event dropped: ${problem}`);
      return;
    }
    const related = input.related ? referenceOf(input.related) : undefined;
    const reason = truncateBytes(input.reason, REASON_LIMIT);
    const action = truncateBytes(input.action, ACTION_LIMIT);
    const note = truncateBytes(input.note ?? "", NOTE_LIMIT);
    const key = JSON.stringify([regarding, related ?? null, input.type, reason, action, note]);
    const now = this.#now();
    this.#stats.recorded++;
    this.#sweep(now);

    const live = this.#series.get(key);
    if (live && now - live.lastObservedMs <= this.#window) {
      live.count++;
      live.lastObservedMs = now;
      live.lastObservedTime = microTime(now);
      this.#schedule(live, now);
      return;
    }
    const series: Series = {
      key,
      event: this.#newEvent(regarding!, related, input.type, reason, action, note, now),
      count: 1,
      lastObservedMs: now,
      lastObservedTime: microTime(now),
      written: 0,
      lastWriteMs: -Infinity,
      dueAt: now,
      retry: false,
      tries: 0,
    };
    this.#series.delete(key); // re-insert at the end: the map stays in order of last start
    this.#series.set(key, series);
    this.#schedule(series, now);
  }

  /**
   * Writes everything pending now (ignoring `seriesInterval`, keeping retry
   * pauses) and resolves when nothing is left to write. Rejects with the
   * signal's reason if `signal` aborts first.
   */
  async flush(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.#flushing++;
    try {
      this.#wake?.();
      this.#pump();
      if (this.#pending.size === 0 && !this.#running) return;
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          this.#idle = this.#idle.filter((f) => f !== done);
          reject(signal!.reason as Error);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#idle.push(done);
      });
    } finally {
      this.#flushing--;
    }
  }

  /**
   * Stops accepting events, writes what is pending at once (one attempt each:
   * no retries once closing; still at the token bucket's rate), and resolves
   * when done. Later `event()` calls are dropped. Pass a `signal` to bound
   * the wait on a slow API server.
   */
  async close(signal?: AbortSignal): Promise<void> {
    this.#closed = true;
    await this.flush(signal);
  }

  /** Counters since creation. */
  stats(): EventRecorderStats {
    return { ...this.#stats, pending: this.#pending.size };
  }

  #newEvent(regarding: EventObjectReference, related: EventObjectReference | undefined, type: string, reason: string, action: string, note: string, now: number): Series["event"] {
    // Name as client-go: <regarding name>.<event time in hex nanoseconds>, kept unique within this process.
    let nanos = BigInt(Math.floor(now * 1000)) * 1000n;
    if (nanos <= this.#lastNameNanos) nanos = this.#lastNameNanos + 1n;
    this.#lastNameNanos = nanos;
    return {
      apiVersion: Event.apiVersion,
      kind: Event.kind,
      metadata: { name: `${namePrefix(regarding.name)}.${nanos.toString(16)}`, namespace: regarding.namespace || "default" },
      eventTime: microTime(now),
      reportingController: this.reportingController,
      reportingInstance: this.reportingInstance,
      action,
      reason,
      type,
      regarding,
      ...(related && { related }),
      ...(note && { note }),
    };
  }

  #schedule(series: Series, now: number): void {
    if (this.#pending.has(series)) return;
    if (this.#pending.size >= this.#maxPending) {
      this.#stats.dropped++;
      this.#log.warn({ event: series.event.metadata.name, reason: series.event.reason }, `event dropped: ${this.#maxPending} event writes already waiting (API server slow or unreachable?)`);
      return;
    }
    series.retry = false;
    series.dueAt = series.written === 0 ? now : Math.max(now, series.lastWriteMs + this.#interval);
    this.#pending.add(series);
    this.#wake?.();
    this.#pump();
  }

  /**
   * Forgets series that ended (no occurrence within the window) and are not
   * waiting for a write; beyond MAX_SERIES live ones, the oldest are forgotten
   * too (their next occurrence starts a new Event), so memory stays bounded.
   */
  #sweep(now: number): void {
    if (now - this.#lastSweep < Math.min(this.#window, 60_000) && this.#series.size <= MAX_SERIES) return;
    this.#lastSweep = now;
    for (const [key, s] of this.#series) {
      if (now - s.lastObservedMs > this.#window && !this.#pending.has(s)) this.#series.delete(key);
    }
    for (const [key, s] of this.#series) {
      if (this.#series.size <= MAX_SERIES) break;
      if (!this.#pending.has(s)) this.#series.delete(key);
    }
  }

  #pump(): void {
    if (this.#running || this.#pending.size === 0) return;
    this.#running = true;
    void this.#run().finally(() => {
      this.#running = false;
      if (this.#pending.size > 0) this.#pump();
      else for (const done of this.#idle.splice(0)) done();
    });
  }

  /** The one writer: takes the earliest due series, waits for its time and a token, writes. */
  async #run(): Promise<void> {
    while (this.#pending.size > 0) {
      let next: Series | undefined;
      let nextDue = Infinity;
      for (const s of this.#pending) {
        // Closing: one last attempt for everything, now. Flushing: now, but retries keep their pause.
        const due = this.#closed || (this.#flushing > 0 && !s.retry) ? -Infinity : s.dueAt;
        if (due < nextDue) [next, nextDue] = [s, due];
      }
      const wait = nextDue - this.#now();
      if (wait > 0) {
        await this.#sleep(wait);
        continue;
      }
      const forToken = this.#bucket.reserve();
      // Always yield first: occurrences recorded in the same tick join this write's count.
      if (forToken > 0) await new Promise<void>((resolve) => this.#clock.setTimer(resolve, forToken, { unref: true }));
      else await Promise.resolve();
      this.#pending.delete(next!);
      await this.#write(next!);
    }
  }

  /** Waits `ms` (without keeping the process alive) or until woken by new work or a flush. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#clock.setTimer(
        () => {
          this.#wake = undefined;
          resolve();
        },
        ms,
        { unref: true },
      );
      this.#wake = () => {
        timer.cancel();
        this.#wake = undefined;
        resolve();
      };
    });
  }

  async #write(s: Series): Promise<void> {
    const count = s.count;
    const series = count >= 2 ? { count, lastObservedTime: s.lastObservedTime } : undefined;
    const ref = { namespace: s.event.metadata.namespace, name: s.event.metadata.name };
    try {
      const create = (e: Series["event"]) => (this.#api === "v1" ? this.#client.create(CoreEvent, toCoreEvent(e)) : this.#client.create(Event, e));
      if (s.written === 0) {
        await create({ ...s.event, ...(series && { series }) });
      } else {
        try {
          await (this.#api === "v1" ? this.#client.patch(CoreEvent, ref, { series }) : this.#client.patch(Event, ref, { series }));
        } catch (err) {
          if (!(err instanceof ApiError && err.code === "NotFound")) throw err;
          await create({ ...s.event, series }); // expired or deleted: recreate with the series
        }
      }
      this.#stats.writes++;
      s.written = count;
      s.lastWriteMs = this.#now();
      s.tries = 0;
      if (s.count > s.written) this.#schedule(s, this.#now()); // more occurred while writing
    } catch (err) {
      this.#stats.failures++;
      s.tries++;
      const refused = err instanceof ApiError && !err.retryable && !(err.code === "AlreadyExists" && s.written > 0);
      const fields = { event: ref.name, namespace: ref.namespace, reason: s.event.reason, count, attempt: s.tries, err: (err as Error).message };
      if (refused || this.#closed || s.tries >= this.#maxTries) {
        this.#stats.dropped++;
        this.#log.error(fields, refused ? "event write refused by the API server; dropped" : "event write failed; dropped");
        if (s.written === 0 && this.#series.get(s.key) === s) this.#series.delete(s.key); // the next occurrence starts afresh
        return;
      }
      this.#log.warn(fields, "event write failed; will retry");
      s.retry = true;
      s.dueAt = this.#now() + jitter(this.#retryDelay, 0.25);
      this.#pending.add(s);
    }
  }
}

/** An events.k8s.io/v1 Event as the core group's v1 Event (the same object under the older field names). */
function toCoreEvent(e: Event & { metadata: { name: string; namespace: string } }): CoreEvent {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { ...e.metadata },
    involvedObject: { ...e.regarding },
    ...(e.related && { related: { ...e.related } }),
    ...(e.note !== undefined && { message: e.note }),
    ...(e.reason !== undefined && { reason: e.reason }),
    ...(e.type !== undefined && { type: e.type }),
    ...(e.action !== undefined && { action: e.action }),
    eventTime: e.eventTime,
    ...(e.reportingController !== undefined && { reportingComponent: e.reportingController }),
    ...(e.reportingInstance !== undefined && { reportingInstance: e.reportingInstance }),
    ...(e.series && { series: { ...e.series } }),
  };
}
