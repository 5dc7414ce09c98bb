// An informer: watchers (one per namespace, or one for all) feeding a store,
// telling handlers what changed, and reporting its health. It also remembers
// the operator's own writes until the watch catches up with them, so a read
// right after a write never sees the older version (read-your-writes).
import { OperantError } from "../../core/errors.ts";
import type { Kind } from "../../core/kind.ts";
import { labelMatcher } from "../../core/label-selector.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import { keyOf, metaOf, objectKey, type Cached, type KubeObject, type ObjectRef, type Stored } from "../../core/object.ts";
import { compareResourceVersions, watcher, type WatchClient, type WatcherOptions, type WatchHealth } from "../watcher/watcher.ts";
import { internAndFreeze, sharedStringPool } from "./string-pool.ts";
import { BUILTIN_INDEXES, MemoryStore, type IndexFn, type Store, type StoreListOptions } from "./store.ts";

/**
 * Rewrites an object before it is stored (may mutate it: it is freshly parsed).
 *
 * @example
 * ```ts
 * const dropSpec: Transform<Pod> = (pod) => { delete (pod as { spec?: unknown }).spec; return pod; };
 * new Informer(client, Pod, { transform: dropSpec });
 * ```
 */
export type Transform<T extends KubeObject> = (obj: Stored<T>) => Stored<T>;

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * The default transform: drops `metadata.managedFields` and kubectl's
 * last-applied annotation, which together are often half an object's size
 * and which operators never read.
 *
 * @example
 * ```ts
 * new Informer(client, Pod, { transform: (p) => { stripServerNoise(p); delete p.status?.conditions; return p; } });
 * ```
 */
export function stripServerNoise<T extends KubeObject>(obj: Stored<T>): Stored<T> {
  const m = obj.metadata;
  if (Object.isFrozen(m)) {
    // Decoded straight into the cache's form (managedFields left undecoded): a copy of what changes.
    const annotations = m.annotations && LAST_APPLIED in m.annotations ? Object.fromEntries(Object.entries(m.annotations).filter(([k]) => k !== LAST_APPLIED)) : m.annotations;
    if (annotations === m.annotations && !m.managedFields) return obj;
    const metadata: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(m)) {
      if (k === "managedFields" || (k === "annotations" && Object.keys(annotations ?? {}).length === 0)) continue;
      metadata[k] = k === "annotations" ? annotations : v;
    }
    return { ...obj, metadata } as unknown as Stored<T>;
  }
  if (m.managedFields) delete m.managedFields;
  if (m.annotations && LAST_APPLIED in m.annotations) {
    delete m.annotations[LAST_APPLIED];
    if (Object.keys(m.annotations).length === 0) delete m.annotations;
  }
  return obj;
}

/**
 * Options for {@link Informer}.
 *
 * @example
 * ```ts
 * const pods = new Informer(client, Pod, { namespaces: ["default"], labelSelector: { app: "web" }, indexers: { node: (p) => [p.spec?.nodeName ?? ""] } } satisfies InformerOptions<Pod>);
 * ```
 */
export interface InformerOptions<T extends KubeObject> {
  /** Namespaces to watch (one watch each); omit or empty for all namespaces. Ignored for cluster-scoped kinds. */
  namespaces?: readonly string[] | undefined;
  labelSelector?: string | Record<string, string> | undefined;
  fieldSelector?: string | undefined;
  /** Cache only metadata (PartialObjectMetadata objects). */
  metadataOnly?: boolean | undefined;
  /** Applied to every object before it is stored; default {@link stripServerNoise}. `false` stores objects as received. */
  transform?: Transform<T> | false | undefined;
  /** Extra indexes, by name. */
  indexers?: Record<string, IndexFn<T>> | undefined;
  /** Watcher tuning (inactivity timeout, backoff, page size). */
  watch?: Partial<Omit<WatcherOptions, "signal" | "namespace" | "labelSelector" | "fieldSelector" | "metadataOnly">> | undefined;
  logger?: Logger | undefined;
  /**
   * Told about each object the cache could not take as it is (its transform
   * or an indexer threw, or it could not be frozen); the informer has logged
   * it already and lists it in `health().rejected`. The Manager uses this to
   * post a Warning event about the object. Exceptions it throws are logged.
   */
  onRejected?: ((rejection: RejectedObject) => void) | undefined;
}

/**
 * An object the cache could not take as it is. What happened to it depends
 * on `stage`: `transform`, the transform threw and the object was stored as
 * received; `index`, an indexer threw and the object is stored but missing
 * from that index; `cache`, it could not be prepared at all (no key, or
 * freezing failed) and the cache keeps its last good version, if any.
 * Every other object is unaffected. It stays listed until a later version is
 * taken without trouble or the object is deleted.
 *
 * @example
 * ```ts
 * for (const r of informer.health().rejected) console.warn(r.key, r.stage, r.message);
 * ```
 */
export interface RejectedObject {
  /** `namespace/name` (or the best the object allowed). */
  readonly key: string;
  readonly stage: "transform" | "index" | "cache";
  /** What failed and what was done about it. */
  readonly message: string;
  /** When (ms since epoch). */
  readonly at: number;
  /** The object's identity (apiVersion, kind and name, namespace, uid, resourceVersion), for an event about it. */
  readonly object: Stored<KubeObject>;
}

/**
 * What changed, for handlers. `relist` is true for changes found by a (re)list rather than a watch event.
 *
 * @example
 * ```ts
 * const log: InformerHandler<Pod> = { added: (p) => console.log("+", p.metadata.name), deleted: (p) => console.log("-", p.metadata.name) };
 * informer.addHandler(log);
 * ```
 */
export interface InformerHandler<T extends KubeObject> {
  /** An object appeared (`relist`: found by a (re)list rather than a watch event). */
  added?(obj: Cached<T>, info: { relist: boolean }): void;
  /** An object changed: the copy cached before and the new one. */
  updated?(previous: Cached<T>, obj: Cached<T>, info: { relist: boolean }): void;
  /** An object went away (its last cached copy). */
  deleted?(obj: Cached<T>, info: { relist: boolean }): void;
}

/**
 * Health of an informer: one entry per watcher, plus a summary.
 *
 * @example
 * ```ts
 * const h: InformerHealth = informer.health();
 * if (!h.synced) console.log(`${h.kind}: ${h.objects} objects so far, ${h.rejectedTotal} rejected`);
 * ```
 */
export interface InformerHealth {
  kind: string;
  synced: boolean;
  objects: number;
  watchers: readonly WatchHealth[];
  /** Objects the cache could not take as they are (the latest per key, at most 100; see {@link RejectedObject}). */
  rejected: readonly RejectedObject[];
  /** Rejections since the informer started. */
  rejectedTotal: number;
}

/** Rejections kept in `health().rejected` (the oldest drop out). */
const MAX_REJECTED = 100;

interface Overlay<T extends KubeObject> {
  obj: Cached<T> | undefined; // undefined: we deleted it
  rv: string | undefined;
  at: number;
}

/** How long a remembered write may wait for the watch to confirm it. */
const OVERLAY_TTL_MS = 60_000;

/**
 * A watch-backed cache of one kind.
 *
 * @example
 * ```ts
 * const pods = new Informer(client, Pod, { namespaces: ["default"] });
 * pods.addHandler({ added: (p) => console.log("pod", p.metadata.name) });
 * pods.start(signal);
 * await pods.waitForSync(signal);
 * pods.list({ labels: { app: "web" } });
 * ```
 */
export class Informer<T extends KubeObject> implements Store<T> {
  readonly kind: Kind<T>;
  readonly #client: WatchClient;
  readonly #options: InformerOptions<T>;
  readonly #store: MemoryStore<T>;
  readonly #handlers = new Set<InformerHandler<T>>();
  readonly #overlay = new Map<string, Overlay<T>>();
  // Deletions the watch delivered (key → uid, time), kept as long as an overlay may live: a write response
  // that arrives after the watch saw that object (that uid) deleted must not bring it back as a ghost.
  // By uid, not resourceVersion: a delete response can carry a newer resourceVersion than the DELETED event.
  readonly #tombstones = new Map<string, { uid: string; at: number }>();
  readonly #health: WatchHealth[] = [];
  readonly #log: Logger;
  readonly #transform: Transform<T> | undefined;
  readonly #rejected = new Map<string, RejectedObject>();
  #rejectedTotal = 0;
  #started = false;
  #syncWaiters: (() => void)[] = [];
  #running: Promise<void>[] = [];
  // Every index of the store, by name, for read-your-writes objects not in the store yet.
  readonly #indexers: Map<string, IndexFn<T>>;

  constructor(client: WatchClient, kind: Kind<T>, options: InformerOptions<T> = {}) {
    this.kind = kind;
    this.#client = client;
    this.#options = options;
    this.#indexers = new Map<string, IndexFn<T>>([...Object.entries(BUILTIN_INDEXES), ...Object.entries(options.indexers ?? {})] as [string, IndexFn<T>][]);
    this.#store = new MemoryStore<T>(options.indexers, {
      onIndexError: (index, key, obj, err) => this.#reject(key, obj as unknown as Stored<T>, "index", `indexer "${index}" threw (${errorMessage(err)}); the object is cached but missing from that index`),
    });
    this.#log = (options.logger ?? silentLogger).child({ informer: kind.kind });
    this.#transform = options.transform === false ? undefined : (options.transform ?? stripServerNoise);
  }

  /** Registers a handler; returns the function that removes it. Objects already cached are not replayed: read the store for them. */
  addHandler(handler: InformerHandler<T>): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Starts the watchers (once). They run until `signal` aborts. */
  start(signal: AbortSignal): void {
    if (this.#started) return;
    this.#started = true;
    const namespaces = this.kind.namespaced && this.#options.namespaces?.length ? this.#options.namespaces : [undefined];
    for (const namespace of namespaces) {
      const w = watcher(this.#client, this.kind, {
        ...this.#options.watch,
        namespace,
        labelSelector: this.#options.labelSelector,
        fieldSelector: this.#options.fieldSelector,
        metadataOnly: this.#options.metadataOnly,
        // The default transform drops managedFields: then they are not decoded at all.
        withoutManagedFields: this.#transform === stripServerNoise,
        // Objects kept as received (or as the default transform leaves them, which copes with frozen ones)
        // are decoded frozen and interned: nothing is left for the cache to walk.
        cacheForm: this.#transform === undefined || this.#transform === stripServerNoise ? sharedStringPool : undefined,
        signal,
      });
      this.#health.push(w.health);
      this.#running.push(
        this.#consume(w, namespace).catch((err: unknown) => {
          // Not expected (each event is handled on its own): say so rather than end the process.
          if (!signal.aborted) this.#log.error({ err: errorMessage(err), target: w.health.target }, "the informer stopped consuming its watch after an unexpected error");
        }),
      );
    }
  }

  /** Resolves when every watcher has stopped (after the start signal aborted). */
  async stopped(): Promise<void> {
    await Promise.all(this.#running);
  }

  async #consume(w: ReturnType<typeof watcher<T>>, namespace: string | undefined): Promise<void> {
    let seen: Set<string> | undefined;
    for await (const ev of w) {
      try {
        switch (ev.type) {
          case "relist-start":
            seen = new Set();
            break;
          case "relist-item":
            this.#take(ev.object, true, seen);
            break;
          case "relist-done": {
            const inScope = namespace === undefined ? [...this.#store.keys()] : this.#store.byIndex("namespace", namespace).map((o) => objectKey(o as KubeObject));
            for (const key of inScope) {
              if (seen?.has(key)) continue;
              const gone = this.#store.remove(key);
              if (gone) {
                this.#bury(key, metaOf(gone).uid);
                this.#settleOverlay(key, undefined);
                this.#rejected.delete(key);
                this.#notify("deleted", undefined, gone, true);
              }
            }
            seen = undefined;
            if (this.synced) for (const wake of this.#syncWaiters.splice(0)) wake();
            break;
          }
          case "applied":
            this.#take(ev.object, false, undefined);
            break;
          case "deleted":
            this.#drop(ev.object);
            break;
          case "bookmark":
            break;
          case "error":
            this.#log.warn({ code: ev.error.code, retryInMs: ev.retryInMs, err: ev.error.message }, `watch ${w.health.target} failed; retrying`);
            break;
        }
      } catch (err) {
        // One event's trouble stays with its object: the watch goes on for every other one.
        const raw = "object" in ev ? ev.object : undefined;
        this.#reject(raw ? safeKey(raw) : w.health.target, raw, "cache", `handling its ${ev.type} event failed (${errorMessage(err)})`);
      }
    }
  }

  /** An added or changed object (from a watch event, or a list when `relist`). */
  #take(raw: Stored<T>, relist: boolean, seen: Set<string> | undefined): void {
    let key: string;
    try {
      key = objectKey(raw);
    } catch (err) {
      this.#reject(safeKey(raw), raw, "cache", `it has no usable metadata (${errorMessage(err)}); not cached`);
      return;
    }
    // Even if it cannot be taken now, it exists: a relist must not drop its last good version as vanished.
    seen?.add(key);
    this.#rejected.delete(key);
    let obj: Cached<T>;
    try {
      obj = this.#prepare(raw);
    } catch (err) {
      const kept = this.#store.get(key);
      this.#reject(key, raw, "cache", `it could not be prepared for the cache (${errorMessage(err)}); ${kept ? `the cache keeps resourceVersion ${metaOf(kept).resourceVersion}` : "it is not cached"}`);
      return;
    }
    this.#tombstones.delete(key);
    const previous = this.#store.get(key);
    if (relist && previous && metaOf(previous).resourceVersion === metaOf(obj).resourceVersion) return;
    this.#store.upsert(obj);
    this.#settleOverlay(key, obj);
    this.#notify(previous ? "updated" : "added", previous, obj, relist);
  }

  /** A deleted object (watch event). */
  #drop(raw: Stored<T>): void {
    const key = objectKey(raw);
    this.#rejected.delete(key);
    let gone = this.#store.remove(key);
    if (!gone) {
      try {
        gone = this.#prepare(raw);
      } catch {
        gone = raw as unknown as Cached<T>; // handlers still hear of the deletion
      }
    }
    this.#bury(key, raw.metadata.uid ?? metaOf(gone).uid);
    this.#settleOverlay(key, undefined);
    this.#notify("deleted", undefined, gone, false);
  }

  /** Records, logs and reports an object the cache could not take as it is. */
  #reject(key: string, raw: Stored<T> | KubeObject | undefined, stage: RejectedObject["stage"], what: string): void {
    const message = `${this.kind.kind} ${key}: ${what}`;
    const rejection: RejectedObject = { key, stage, message, at: Date.now(), object: identityOf(this.kind, raw) };
    this.#rejected.delete(key);
    this.#rejected.set(key, rejection);
    if (this.#rejected.size > MAX_REJECTED) this.#rejected.delete(this.#rejected.keys().next().value!);
    this.#rejectedTotal++;
    this.#log.error({ object: key, kind: this.kind.kind, stage, err: what }, "object rejected by the cache; every other object is unaffected");
    try {
      this.#options.onRejected?.(rejection);
    } catch (err) {
      this.#log.error({ object: key, err: errorMessage(err) }, "onRejected threw");
    }
  }

  #prepare(obj: Stored<T>): Cached<T> {
    let out = obj;
    if (this.#transform) {
      try {
        out = this.#transform(obj);
      } catch (err) {
        // A broken transform must not lose the object: store it as received and say so.
        this.#reject(safeKey(obj), obj, "transform", `the transform threw (${errorMessage(err)}); the object is cached untransformed`);
        out = obj;
      }
    }
    return internAndFreeze(out) as Cached<T>;
  }

  #notify(type: "added" | "updated" | "deleted", previous: Cached<T> | undefined, obj: Cached<T>, relist: boolean): void {
    for (const h of this.#handlers) {
      try {
        if (type === "added") h.added?.(obj, { relist });
        else if (type === "updated") h.updated?.(previous!, obj, { relist });
        else h.deleted?.(obj, { relist });
      } catch (err) {
        this.#log.error({ err: (err as Error).message, object: objectKey(obj as KubeObject) }, `event handler threw on ${type}`);
      }
    }
  }

  // ---- read-your-writes ----

  /**
   * Tells the informer about an object this process just wrote (the server's
   * response). Until the watch delivers that version or a newer one, reads
   * return it instead of the older cached version.
   */
  observeWrite(obj: Stored<T>): void {
    try {
      this.#observeWrite(obj);
    } catch (err) {
      // Read-your-writes is a courtesy: an object it cannot copy (e.g. nested too deep) is read from the watch.
      this.#log.warn({ object: safeKey(obj), err: errorMessage(err) }, "could not remember a write for read-your-writes; reads show the watch's version");
    }
  }

  #observeWrite(obj: Stored<T>): void {
    const key = objectKey(obj);
    const cached = this.#store.get(key);
    const rv = obj.metadata.resourceVersion;
    if (cached && (compareResourceVersions(metaOf(cached).resourceVersion, rv) ?? -1) >= 0) return;
    // Two write responses may arrive out of order: an older one must not replace a newer one remembered before it.
    const earlier = this.#overlaid(key);
    if (earlier?.obj && earlier.rv !== undefined && metaOf(earlier.obj).uid === obj.metadata.uid && (compareResourceVersions(earlier.rv, rv) ?? -1) >= 0) return;
    // This very object (same uid) was deleted, as the watch already told us: the write is history.
    const tomb = cached ? undefined : this.#tombstones.get(key);
    if (tomb && Date.now() - tomb.at <= OVERLAY_TTL_MS && tomb.uid === obj.metadata.uid) return;
    // A metadata-only informer keeps metadata only, also for our own writes (a Secret's data must not linger in memory).
    const clone = this.#options.metadataOnly ? ({ apiVersion: "meta.k8s.io/v1", kind: "PartialObjectMetadata", metadata: structuredClone(obj.metadata) } as unknown as Stored<T>) : structuredClone(obj);
    this.#overlay.set(key, { obj: this.#prepare(clone), rv, at: Date.now() });
  }

  /** Remembers that the watch saw the object `uid` at `key` deleted; forgets tombstones older than an overlay can live. */
  #bury(key: string, uid: string | undefined): void {
    const now = Date.now();
    for (const [k, t] of this.#tombstones) {
      if (now - t.at <= OVERLAY_TTL_MS) break; // insertion order is time order
      this.#tombstones.delete(k);
    }
    this.#tombstones.delete(key);
    if (uid) this.#tombstones.set(key, { uid, at: now });
  }

  /** Tells the informer this process deleted an object that is gone at once (no finalizers). */
  observeDelete(ref: ObjectRef): void {
    const key = keyOf(ref);
    if (this.#store.get(key) || this.#overlay.has(key)) this.#overlay.set(key, { obj: undefined, rv: undefined, at: Date.now() });
  }

  #settleOverlay(key: string, stored: Cached<T> | undefined): void {
    const o = this.#overlay.get(key);
    if (!o) return;
    if (stored === undefined) {
      // The watch saw a deletion: whatever we wrote before is superseded.
      this.#overlay.delete(key);
      return;
    }
    if (o.rv === undefined || (compareResourceVersions(metaOf(stored).resourceVersion, o.rv) ?? (metaOf(stored).resourceVersion === o.rv ? 0 : -1)) >= 0) this.#overlay.delete(key);
  }

  #overlaid(key: string): Overlay<T> | undefined {
    const o = this.#overlay.get(key);
    if (o && Date.now() - o.at > OVERLAY_TTL_MS) {
      this.#overlay.delete(key);
      return undefined;
    }
    return o;
  }

  // ---- Store ----

  /** How many objects are cached. */
  get size(): number {
    return this.#store.size;
  }

  keys(): IterableIterator<string> {
    return this.#store.keys();
  }

  get(ref: ObjectRef | string): Cached<T> | undefined {
    const key = typeof ref === "string" ? ref : keyOf(ref);
    const o = this.#overlaid(key);
    return o ? o.obj : this.#store.get(key);
  }

  list(options: StoreListOptions = {}): Cached<T>[] {
    const items = this.#store.list(options);
    if (this.#overlay.size === 0) return items;
    return this.#applyOverlay(items, (o) => (options.namespace === undefined || metaOf(o).namespace === options.namespace) && (options.labels === undefined || labelMatcher(options.labels)(metaOf(o).labels)));
  }

  /** Whether the store has an index of that name. */
  hasIndex(name: string): boolean {
    return this.#store.hasIndex(name);
  }

  /**
   * Adds an index to the store, at any time: the objects already cached are
   * indexed at once (client-go's `AddIndexers`). The same function under the
   * same name again does nothing; another one throws `IndexConflict`.
   *
   * @example
   * ```ts
   * pods.addIndexer("byNode", (p) => [p.spec?.nodeName ?? ""]);
   * pods.byIndex("byNode", "kwok-node-0");
   * ```
   */
  addIndexer(name: string, fn: IndexFn<T>): void {
    this.#store.addIndex(name, fn);
    this.#indexers.set(name, fn);
  }

  byIndex(name: string, value: string): Cached<T>[] {
    const items = this.#store.byIndex(name, value);
    if (this.#overlay.size === 0) return items;
    const fn = this.#indexers.get(name);
    return this.#applyOverlay(items, (o) => (fn ? fn(o) : []).includes(value));
  }

  #applyOverlay(items: Cached<T>[], matches: (o: Cached<T>) => boolean): Cached<T>[] {
    const byKey = new Map(items.map((i) => [objectKey(i as KubeObject), i]));
    for (const key of [...this.#overlay.keys()]) {
      const o = this.#overlaid(key);
      if (!o) continue;
      if (o.obj && matches(o.obj)) byKey.set(key, o.obj);
      else byKey.delete(key);
    }
    return [...byKey.values()];
  }

  // ---- sync & health ----

  /** Every watcher has completed its first list. */
  get synced(): boolean {
    return this.#health.length > 0 && this.#health.every((h) => h.synced);
  }

  /** Resolves once synced; rejects with the signal's reason if it aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (!this.#started) return Promise.reject(new OperantError("InformerNotStarted", `the ${this.kind.kind} informer was never started: call start(signal) first.`));
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal!.reason as Error);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#syncWaiters.push(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }

  /** Health summary and per-watcher detail. */
  health(): InformerHealth {
    return { kind: this.kind.kind, synced: this.synced, objects: this.#store.size, watchers: this.#health, rejected: [...this.#rejected.values()], rejectedTotal: this.#rejectedTotal };
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `namespace/name` of an object that may lack them (for messages only). */
function safeKey(obj: unknown): string {
  const m = (obj as { metadata?: { name?: unknown; namespace?: unknown } } | undefined)?.metadata;
  const name = typeof m?.name === "string" ? m.name : "<no name>";
  return typeof m?.namespace === "string" && m.namespace ? `${m.namespace}/${name}` : name;
}

/** Just the identity of an object (no spec, no deep data), for a Warning event about it. */
function identityOf(kind: Kind, raw: unknown): Stored<KubeObject> {
  const m = (raw as { metadata?: Record<string, unknown> } | undefined)?.metadata ?? {};
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata: { name: str(m.name) ?? "", ...(str(m.namespace) && { namespace: str(m.namespace) }), uid: str(m.uid) ?? "", resourceVersion: str(m.resourceVersion) ?? "" },
  } as Stored<KubeObject>;
}
