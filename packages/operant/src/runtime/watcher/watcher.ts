// The watcher: the collection's current state, then its changes, forever.
// The current state is streamed in a watch (WatchList: `sendInitialEvents`,
// ended by a bookmark annotated `k8s.io/initial-events-end`) when the server
// supports it, and listed in pages otherwise — a server that rejects the
// request or never sends that bookmark is listed from then on; a stream that
// breaks before its end bookmark is followed by a paged list once.
// Everything that makes other clients' watches die silently is handled here
// and shows in `health`: bookmarks are always requested; a stream the server
// ends is resumed from the last resourceVersion seen; 410 Gone relists; any
// other failure retries with jittered exponential backoff; a stream quiet for
// longer than the inactivity timeout (no events, not even bookmarks) is
// assumed stalled and reopened. It only ends when its signal aborts.
import type { Client, ListOptions } from "../../client/client.ts";
import { ApiError } from "../../client/transport/api-error.ts";
import { isOperantError, OperantError } from "../../core/errors.ts";
import type { Kind } from "../../core/kind.ts";
import type { KubeObject, Stored } from "../../core/object.ts";
import { jitter, sleep } from "../../core/time.ts";

/** The annotation of the BOOKMARK that ends a streamed list's initial events. */
const INITIAL_EVENTS_END = "k8s.io/initial-events-end";

/**
 * Options for {@link watcher}.
 *
 * @example
 * ```ts
 * const w = watcher(client, Pod, { namespace: "default", labelSelector: { app: "web" }, signal } satisfies WatcherOptions);
 * ```
 */
export interface WatcherOptions {
  /** Watch one namespace (namespaced kinds); omit for all. */
  namespace?: string | undefined;
  labelSelector?: string | Record<string, string> | undefined;
  fieldSelector?: string | undefined;
  /** Only metadata (PartialObjectMetadata). */
  metadataOnly?: boolean | undefined;
  /** Leave managedFields out of the objects (see {@link ListOptions.withoutManagedFields}); the informer sets it when its transform drops them. */
  withoutManagedFields?: boolean | undefined;
  /** Decode protobuf straight into a cache's form (see {@link ListOptions.cacheForm}); the informer sets it when it keeps objects as received. */
  cacheForm?: ListOptions["cacheForm"];
  /** Page size of the (re)list (default 500). */
  pageSize?: number | undefined;
  /**
   * Stream the initial list in a watch (WatchList) when the server supports
   * it (default true); false always lists in pages, then watches.
   */
  streamInitialList?: boolean | undefined;
  /**
   * A stream that delivers nothing — no event, no bookmark — for this long is
   * considered stalled and reopened (default 150 s; the API server sends a
   * bookmark about every minute).
   */
  inactivityTimeoutMs?: number | undefined;
  /** Server-side timeout of each watch request, picked at random in this range of seconds (default 300–600, as client-go). */
  watchTimeoutSeconds?: readonly [number, number] | undefined;
  /** Backoff between failed attempts: first delay and cap (default 200 ms → 30 s), jittered. */
  backoff?: { initialMs: number; maxMs: number } | undefined;
  /** Stops the watcher. */
  signal: AbortSignal;
}

/**
 * What a watcher reports. A relist is framed by `relist-start` / `relist-done` so a store can drop what vanished meanwhile.
 *
 * @example
 * ```ts
 * for await (const e of watcher(client, Pod, { signal }) as AsyncIterable<WatcherEvent<Pod>>) {
 *   if (e.type === "applied") console.log(e.object.metadata.name);
 * }
 * ```
 */
export type WatcherEvent<T extends KubeObject> =
  | { type: "relist-start" }
  | { type: "relist-item"; object: Stored<T> }
  | { type: "relist-done"; resourceVersion: string }
  | { type: "applied"; object: Stored<T> }
  | { type: "deleted"; object: Stored<T> }
  | { type: "bookmark"; resourceVersion: string }
  | { type: "error"; error: OperantError; retryInMs: number };

/**
 * What a watcher needs of a client: paged lists and watches. A `Client` is
 * one; a test passes a fake that yields scripted pages and events.
 *
 * @example
 * ```ts
 * const w = watcher(client satisfies WatchClient, Pod, { signal });
 * ```
 */
export type WatchClient = Pick<Client, "listPages" | "watch">;

/**
 * Live health of a watcher (read it any time; it is updated in place).
 *
 * @example
 * ```ts
 * const h: WatchHealth = w.health;
 * console.log(h.target, h.synced, h.connected, h.resourceVersion);
 * ```
 */
export interface WatchHealth {
  /** `Kind` and scope, for messages. */
  readonly target: string;
  /** The first full list has been delivered. */
  synced: boolean;
  /** A watch stream is open right now. */
  connected: boolean;
  /** Last resourceVersion seen (from a list, event or bookmark). */
  resourceVersion: string | undefined;
  /** When anything (event, bookmark, list page) last arrived (ms since epoch). */
  lastEventAt: number | undefined;
  /** Full relists (the first list counts), streamed or paged. */
  relists: number;
  /** How the next full list is read: `stream` (WatchList) or `pages` (list, then watch); `pages` for good once the server turned streaming down. */
  initialList: "stream" | "pages";
  /** Watch streams reopened after the server ended them or they broke. */
  restarts: number;
  /** Streams abandoned for inactivity. */
  stalls: number;
  /** Failed attempts (list or watch). */
  errors: number;
  /** The last failure and when it happened; cleared once a list or watch succeeds again. */
  lastError: { code: string; message: string; at: number } | undefined;
  /**
   * When the current run of failures began (ms since epoch): the first
   * failure since the last success. Unlike `lastError.at`, retries do not
   * move it, so "failing for longer than X" is `now - failingSince > X`.
   */
  failingSince: number | undefined;
}

/**
 * A running watcher: its events and its health.
 *
 * @example
 * ```ts
 * const w: Watcher<Pod> = watcher(client, Pod, { namespace: "default", signal });
 * for await (const e of w) if (e.type === "relist-done") console.log("synced at", e.resourceVersion, w.health.relists);
 * ```
 */
export interface Watcher<T extends KubeObject> extends AsyncIterable<WatcherEvent<T>> {
  readonly health: WatchHealth;
}

/**
 * Compares two resourceVersions numerically when both are integers (etcd revisions); otherwise undefined.
 *
 * @example
 * ```ts
 * compareResourceVersions("100", "99")  // > 0
 * compareResourceVersions("abc", "99") // undefined: not etcd revisions
 * ```
 */
export function compareResourceVersions(a: string, b: string): number | undefined {
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return undefined;
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Starts watching `kind` and returns its event stream and health.
 *
 * @example
 * ```ts
 * const ac = new AbortController();
 * const w = watcher(client, Pod, { namespace: "default", signal: ac.signal });
 * for await (const ev of w) {
 *   if (ev.type === "applied") console.log("now", ev.object.metadata.name);
 * }
 * ```
 */
export function watcher<T extends KubeObject>(client: WatchClient, kind: Kind<T>, options: WatcherOptions): Watcher<T> {
  const target = `${kind.kind}${options.namespace ? ` in ${options.namespace}` : kind.namespaced ? " in all namespaces" : ""}${options.labelSelector ? ` (${typeof options.labelSelector === "string" ? options.labelSelector : JSON.stringify(options.labelSelector)})` : ""}`;
  const health: WatchHealth = { target, synced: false, connected: false, resourceVersion: undefined, lastEventAt: undefined, relists: 0, initialList: options.streamInitialList === false ? "pages" : "stream", restarts: 0, stalls: 0, errors: 0, lastError: undefined, failingSince: undefined };
  return { health, [Symbol.asyncIterator]: () => run(client, kind, options, health) };
}

async function* run<T extends KubeObject>(client: WatchClient, kind: Kind<T>, options: WatcherOptions, health: WatchHealth): AsyncGenerator<WatcherEvent<T>> {
  const { signal } = options;
  const select: ListOptions = {
    namespace: options.namespace,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
    metadataOnly: options.metadataOnly ?? false,
    withoutManagedFields: options.withoutManagedFields,
    cacheForm: options.cacheForm,
  };
  const inactivityMs = options.inactivityTimeoutMs ?? 150_000;
  const [minTimeout, maxTimeout] = options.watchTimeoutSeconds ?? [300, 600];
  const backoff = options.backoff ?? { initialMs: 200, maxMs: 30_000 };
  let failures = 0;
  let rv: string | undefined;

  const fail = (err: unknown): Extract<WatcherEvent<T>, { type: "error" }> => {
    const error = err instanceof OperantError ? err : new OperantError("WatchFailed", `watch ${health.target}: ${(err as Error).message}`, { cause: err, retryable: true });
    failures++;
    health.errors++;
    health.connected = false;
    health.lastError = { code: error.code, message: error.message, at: Date.now() };
    health.failingSince ??= health.lastError.at;
    const retryInMs = Math.round(jitter(Math.min(backoff.maxMs, backoff.initialMs * 2 ** (failures - 1)), 0.25));
    return { type: "error", error, retryInMs };
  };
  const recovered = () => {
    failures = 0;
    health.lastError = undefined;
    health.failingSince = undefined;
  };

  // A streamed list that broke before its end bookmark is followed by one paged list.
  let pagesOnce = false;

  while (!signal.aborted) {
    // Streamed (re)list: the watch below starts with the current state and no resourceVersion.
    const streaming = rv === undefined && health.initialList === "stream" && !pagesOnce;
    pagesOnce = false;
    // Paged (re)list when there is no resourceVersion to resume from.
    if (rv === undefined && !streaming) {
      try {
        yield { type: "relist-start" };
        let listRv = "";
        for await (const page of client.listPages(kind, { ...select, limit: options.pageSize ?? 500, signal })) {
          if (page.restarted) yield { type: "relist-start" };
          health.lastEventAt = Date.now();
          for (const object of page.items) yield { type: "relist-item", object };
          listRv = page.metadata.resourceVersion;
        }
        if (signal.aborted) return;
        rv = listRv;
        health.resourceVersion = rv;
        health.relists++;
        health.synced = true;
        recovered();
        yield { type: "relist-done", resourceVersion: rv };
      } catch (err) {
        if (signal.aborted) return;
        const ev = fail(err);
        yield ev;
        await sleep(ev.retryInMs, signal).catch(() => {});
        continue;
      }
    }

    // Watch from rv (or, streaming, from the current state) until the stream ends, breaks, stalls or is Gone.
    const stream = new AbortController();
    const onAbort = () => stream.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    // One timer per stream, not one per event (a streamed list is thousands of events): it fires after
    // the inactivity timeout and, if something arrived meanwhile, waits again for the time left.
    let lastArrival = Date.now();
    const check = () => {
      const quiet = Date.now() - lastArrival;
      if (quiet < inactivityMs) {
        timer = setTimeout(check, inactivityMs - quiet);
        timer.unref();
        return;
      }
      stalled = true;
      stream.abort(new OperantError("WatchStalled", `watch ${health.target}: nothing received for ${inactivityMs} ms`, { retryable: true }));
    };
    let sawEvent = false;
    // While streaming, the initial events are list items until the end bookmark.
    let initial = streaming;
    const openedAt = Date.now();
    try {
      timer = setTimeout(check, inactivityMs);
      timer.unref();
      const timeoutSeconds = Math.round(minTimeout + Math.random() * (maxTimeout - minTimeout));
      const events = client.watch(kind, {
        ...select,
        ...(streaming ? { sendInitialEvents: true, resourceVersionMatch: "NotOlderThan" as const } : { resourceVersion: rv }),
        allowWatchBookmarks: true,
        timeoutSeconds,
        signal: stream.signal,
      });
      health.connected = true;
      if (streaming) yield { type: "relist-start" };
      for await (const ev of events) {
        lastArrival = Date.now();
        health.lastEventAt = lastArrival;
        if (initial) {
          if (ev.type === "ADDED" || ev.type === "MODIFIED") {
            yield { type: "relist-item", object: ev.object };
            continue;
          }
          if (ev.type === "BOOKMARK" && ev.object.metadata.annotations?.[INITIAL_EVENTS_END] === "true") {
            initial = false;
            rv = ev.object.metadata.resourceVersion;
            health.resourceVersion = rv;
            health.relists++;
            health.synced = true;
            sawEvent = true;
            recovered();
            yield { type: "relist-done", resourceVersion: rv };
            continue;
          }
          // A plain bookmark before the end one: the server ignored sendInitialEvents (no WatchList). A
          // deletion among the initial events is not in the protocol. Either way: list in pages instead.
          if (ev.type === "BOOKMARK") health.initialList = "pages";
          else pagesOnce = true;
          break;
        }
        rv = ev.object.metadata.resourceVersion;
        health.resourceVersion = rv;
        if (!sawEvent) {
          sawEvent = true;
          recovered();
        }
        if (ev.type === "BOOKMARK") yield { type: "bookmark", resourceVersion: rv };
        else if (ev.type === "DELETED") yield { type: "deleted", object: ev.object };
        else yield { type: "applied", object: ev.object };
      }
      // The stream ended: normal (server timeout) unless we stalled or were stopped.
      health.connected = false;
      if (signal.aborted) return;
      if (initial) {
        // Ended (or left) before the end bookmark: the list is incomplete; the next one is paged.
        if (health.initialList === "stream") pagesOnce = true;
        if (stalled) {
          health.stalls++;
          yield fail(new OperantError("WatchStalled", `watch ${health.target}: the streamed list delivered nothing for ${inactivityMs} ms; listing in pages instead`, { retryable: true }));
        }
        continue;
      }
      health.restarts++;
      if (stalled) {
        health.stalls++;
        yield fail(new OperantError("WatchStalled", `watch ${health.target}: no event or bookmark for ${inactivityMs} ms; reopening from resourceVersion ${rv}`, { retryable: true }));
      } else if (!sawEvent && Date.now() - openedAt < 1000) {
        // Closed at once without a word: don't hammer the server.
        const ev = fail(new OperantError("WatchFailed", `watch ${health.target}: the server closed the stream immediately; retrying`, { retryable: true }));
        yield ev;
        await sleep(ev.retryInMs, signal).catch(() => {});
      }
    } catch (err) {
      health.connected = false;
      if (signal.aborted) return;
      if (initial) {
        if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 410 && err.status !== 429) {
          // The server turned the streamed list down (no WatchList, e.g. 422 Invalid): list in pages from now on.
          health.initialList = "pages";
          continue;
        }
        // Broke before the end bookmark: report it, then list in pages (making progress beats retrying the stream).
        pagesOnce = true;
        if (stalled) health.stalls++;
        const ev = fail(stalled ? new OperantError("WatchStalled", `watch ${health.target}: no response to the streamed list for ${inactivityMs} ms; listing in pages instead`, { retryable: true }) : err);
        yield ev;
        await sleep(ev.retryInMs, signal).catch(() => {});
        continue;
      }
      if (stalled) {
        // Stalled before the response even started: same remedy, reopen at once.
        health.restarts++;
        health.stalls++;
        yield fail(new OperantError("WatchStalled", `watch ${health.target}: no response for ${inactivityMs} ms; reopening from resourceVersion ${rv}`, { retryable: true }));
        continue;
      }
      if (isOperantError(err, "Gone")) {
        // Too old: the events in between are lost to us, so list again (not a failure of ours).
        rv = undefined;
        health.restarts++;
        continue;
      }
      const ev = fail(err);
      yield ev;
      health.restarts++;
      await sleep(ev.retryInMs, signal).catch(() => {});
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      stream.abort();
    }
  }
}
