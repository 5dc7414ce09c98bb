// The shared cache: one informer per kind + namespaces + selectors + mode,
// shared by every controller that asks for it and stopped when the last one
// lets go. Reads never start an informer behind the caller's back: reading a
// kind nobody watches is an error that says what to add.
import type { Client } from "../../client/client.ts";
import { OperantError } from "../../core/errors.ts";
import { gvkString, type Kind } from "../../core/kind.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import { keyOf, type Cached, type KubeObject, type ObjectRef, type Stored } from "../../core/object.ts";
import { Informer, type InformerHealth, type InformerOptions } from "./informer.ts";
import { BUILTIN_INDEXES, type IndexFn, type StoreListOptions } from "./store.ts";

/**
 * What a consumer asks the cache to watch: the {@link InformerOptions} a
 * consumer chooses (the cache sets the watcher tuning and the logger for
 * all). `namespaces` defaults to the cache's namespaces (or all).
 *
 * @example
 * ```ts
 * const request: InformerRequest<Pod> = { namespaces: ["web"], labelSelector: { app: "web" } };
 * const lease = cache.acquire(Pod, request);
 * ```
 */
export type InformerRequest<T extends KubeObject> = Pick<InformerOptions<T>, "namespaces" | "labelSelector" | "fieldSelector" | "metadataOnly" | "transform" | "indexers">;

/**
 * Options for {@link Cache}.
 *
 * @example
 * ```ts
 * const cache = new Cache(client, { namespaces: ["default"], logger } satisfies CacheOptions);
 * ```
 */
export interface CacheOptions {
  /** Default namespaces of namespaced kinds (omit or empty: all namespaces). */
  namespaces?: readonly string[] | undefined;
  /** Watcher tuning for every informer. */
  watch?: InformerOptions<KubeObject>["watch"];
  logger?: Logger | undefined;
  /** Told about every object an informer could not take as it is (see {@link InformerOptions.onRejected}). */
  onRejected?: InformerOptions<KubeObject>["onRejected"];
}

/**
 * A consumer's hold on a shared informer.
 *
 * @example
 * ```ts
 * const lease: InformerLease<Pod> = cache.acquire(Pod);
 * lease.informer.addHandler({ added: (pod) => console.log(pod.metadata.name) });
 * // …
 * lease.release();
 * ```
 */
export interface InformerLease<T extends KubeObject> {
  readonly informer: Informer<T>;
  /** Lets go; the informer stops when nobody holds it. */
  release(): void;
}

interface Entry {
  informer: Informer<KubeObject>;
  refs: number;
  stop: AbortController;
  request: InformerRequest<KubeObject>;
}

const fnIds = new WeakMap<object, number>();
let nextFnId = 1;
function fnId(fn: unknown): string {
  if (typeof fn !== "function") return String(fn);
  let id = fnIds.get(fn);
  if (id === undefined) fnIds.set(fn, (id = nextFnId++));
  return `fn${id}`;
}

/**
 * Shared, reference-counted informers, and cached reads across them.
 *
 * @example
 * ```ts
 * const cache = new Cache(client, { namespaces: ["default"] });
 * const pods = cache.acquire(Pod, { labelSelector: { app: "web" } });
 * cache.start(signal);
 * await cache.waitForSync(signal);
 * cache.list(Pod, { namespace: "default" });
 * pods.release();
 * ```
 */
export class Cache {
  readonly #client: Client;
  readonly #options: CacheOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #log: Logger;
  // Indexes declared for a kind (by `apiVersion, Kind=…`): every informer of the kind, present and future, has them.
  readonly #indexes = new Map<string, Map<string, IndexFn>>();
  #signal: AbortSignal | undefined;

  constructor(client: Client, options: CacheOptions = {}) {
    this.#client = client;
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
  }

  /** The namespaces namespaced kinds are watched in by default (empty: all). */
  get namespaces(): readonly string[] {
    return this.#options.namespaces ?? [];
  }

  #namespacesFor(kind: Kind, requested: readonly string[] | undefined): readonly string[] {
    if (!kind.namespaced) return [];
    const ns = requested ?? this.#options.namespaces ?? [];
    return [...new Set(ns)].sort();
  }

  #key(kind: Kind, r: InformerRequest<KubeObject>, namespaces: readonly string[]): string {
    const sel = typeof r.labelSelector === "object" ? Object.entries(r.labelSelector).sort().map(([k, v]) => `${k}=${v}`).join(",") : (r.labelSelector ?? "");
    return [kind.apiVersion, kind.kind, namespaces.join(","), sel, r.fieldSelector ?? "", r.metadataOnly ? "meta" : "full", fnId(r.transform), Object.keys(r.indexers ?? {}).sort().join(",")].join("|");
  }

  /**
   * Holds a shared informer for `kind` as requested, creating it if needed
   * (and starting it if the cache is started).
   */
  acquire<T extends KubeObject>(kind: Kind<T>, request: InformerRequest<T> = {}): InformerLease<T> {
    const namespaces = this.#namespacesFor(kind, request.namespaces);
    const key = this.#key(kind, request as InformerRequest<KubeObject>, namespaces);
    let entry = this.#entries.get(key);
    if (!entry) {
      const informer = new Informer<T>(this.#client, kind, {
        namespaces,
        labelSelector: request.labelSelector,
        fieldSelector: request.fieldSelector,
        metadataOnly: request.metadataOnly,
        transform: request.transform,
        indexers: request.indexers,
        watch: this.#options.watch,
        logger: this.#log,
        onRejected: this.#options.onRejected,
      });
      for (const [name, fn] of this.#indexes.get(gvkString(kind)) ?? []) informer.addIndexer(name, fn);
      entry = { informer: informer as unknown as Informer<KubeObject>, refs: 0, stop: new AbortController(), request: { ...request, namespaces } as InformerRequest<KubeObject> };
      this.#entries.set(key, entry);
      if (this.#signal) this.#startEntry(entry, this.#signal);
    }
    entry.refs++;
    const held = entry;
    let released = false;
    return {
      informer: held.informer as unknown as Informer<T>,
      release: () => {
        if (released) return;
        released = true;
        if (--held.refs === 0) {
          held.stop.abort(new Error("informer released"));
          this.#entries.delete(key);
        }
      },
    };
  }

  #startEntry(entry: Entry, signal: AbortSignal): void {
    const stop = AbortSignal.any([signal, entry.stop.signal]);
    entry.informer.start(stop);
  }

  /** Starts every informer, present and future, until `signal` aborts. */
  start(signal: AbortSignal): void {
    if (this.#signal) return;
    this.#signal = signal;
    for (const e of this.#entries.values()) this.#startEntry(e, signal);
  }

  /** Whether every informer has listed once. */
  get synced(): boolean {
    return [...this.#entries.values()].every((e) => e.informer.synced);
  }

  /** Waits until every informer has synced. */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.#entries.values()].map((e) => e.informer.waitForSync(signal)));
  }

  /** Health of every informer. */
  health(): InformerHealth[] {
    return [...this.#entries.values()].map((e) => e.informer.health());
  }

  /** The informers of a kind (several if requested with different selectors). */
  informersOf<T extends KubeObject>(kind: Kind<T>): Informer<T>[] {
    const out: Informer<T>[] = [];
    for (const e of this.#entries.values()) if (e.informer.kind.apiVersion === kind.apiVersion && e.informer.kind.kind === kind.kind) out.push(e.informer as unknown as Informer<T>);
    return out;
  }

  /** The best informer to read `namespace` of `kind` from: unfiltered before filtered, full before metadata-only. */
  #reader<T extends KubeObject>(kind: Kind<T>, namespace: string | undefined): Informer<T> {
    const candidates = [...this.#entries.values()].filter((e) => {
      const k = e.informer.kind;
      if (k.apiVersion !== kind.apiVersion || k.kind !== kind.kind) return false;
      const ns = e.request.namespaces ?? [];
      // An informer limited to some namespaces answers all-namespace reads with what it can see.
      return ns.length === 0 || namespace === undefined || ns.includes(namespace);
    });
    const rank = (e: Entry) => (e.request.labelSelector || e.request.fieldSelector ? 2 : 0) + (e.request.metadataOnly ? 1 : 0);
    candidates.sort((a, b) => rank(a) - rank(b));
    const best = candidates[0];
    if (!best) {
      const where = namespace ? ` in namespace ${namespace}` : "";
      throw new OperantError(
        "NotCached",
        `no informer watches ${gvkString(kind)}${where}, so it cannot be read from the cache. Declare it on the controller (.owns(${kind.kind}) or .watches(${kind.kind}, …)), or read it with the client (ctx.client.get).`,
      );
    }
    return best.informer as unknown as Informer<T>;
  }

  /**
   * Declares an index on every informer of `kind`, those there now (their
   * objects are indexed at once) and those acquired later: controller-runtime's
   * `IndexField`. `fn` gives the values an object is found under; read with
   * {@link byIndex}. The same function under the same name again does
   * nothing; another function under a name in use throws `IndexConflict`.
   * A metadata-only informer's objects have only their metadata.
   *
   * @example
   * ```ts
   * const byNode = (p: Cached<Pod>) => (p.spec?.nodeName ? [p.spec.nodeName] : []);
   * cache.index(Pod, "byNode", byNode);
   * cache.byIndex(Pod, "byNode", "kwok-node-0");
   * ```
   */
  index<T extends KubeObject>(kind: Kind<T>, name: string, fn: IndexFn<T>): void {
    const gvk = gvkString(kind);
    const declared = this.#indexes.get(gvk) ?? new Map<string, IndexFn>();
    const existing = declared.get(name);
    if (existing === (fn as IndexFn)) return;
    if (existing !== undefined || name in BUILTIN_INDEXES) {
      throw new OperantError(
        "IndexConflict",
        `${gvk} already has an index named "${name}" with another function${name in BUILTIN_INDEXES ? " (a built-in index)" : ""}. Give the new index another name, or declare the function once (a module-level const) and use it in every controller that declares the index.`,
      );
    }
    for (const inf of this.informersOf(kind)) inf.addIndexer(name, fn);
    declared.set(name, fn as IndexFn);
    this.#indexes.set(gvk, declared);
  }

  /**
   * Objects of `kind` whose index `name` has `value` (built-in indexes:
   * `namespace`, `owner`, `controller`; others declared with {@link index}).
   * Throws `NotCached` if no informer watches the kind, `UnknownIndex` if no
   * index has that name.
   *
   * @example
   * ```ts
   * const owned = cache.byIndex(Pod, "controller", replicaSet.metadata.uid);
   * ```
   */
  byIndex<T extends KubeObject>(kind: Kind<T>, name: string, value: string): Cached<T>[] {
    const reader = this.#reader(kind, undefined);
    if (!reader.hasIndex(name)) {
      const known = [...Object.keys(BUILTIN_INDEXES), ...(this.#indexes.get(gvkString(kind))?.keys() ?? [])];
      throw new OperantError("UnknownIndex", `${gvkString(kind)} has no index named "${name}" (have: ${known.join(", ")}). Declare it with the controller, .index(${kind.kind}, "${name}", fn), or cache.index(${kind.kind}, "${name}", fn) before reading.`);
    }
    return reader.byIndex(name, value);
  }

  /** Reads one object from the cache (undefined if absent). Throws `NotCached` if no informer covers it. */
  get<T extends KubeObject>(kind: Kind<T>, ref: ObjectRef): Cached<T> | undefined {
    return this.#reader(kind, ref.namespace).get(keyOf(ref));
  }

  /** Lists objects from the cache. Throws `NotCached` if no informer covers the namespace. */
  list<T extends KubeObject>(kind: Kind<T>, options: StoreListOptions = {}): Cached<T>[] {
    return this.#reader(kind, options.namespace).list(options);
  }

  /** Routes an object this process wrote to the informers of its kind (read-your-writes). */
  observeWrite<T extends KubeObject>(kind: Kind<T>, obj: Stored<T>): void {
    for (const inf of this.informersOf(kind)) inf.observeWrite(obj);
  }

  /** Routes a deletion this process made to the informers of its kind. */
  observeDelete<T extends KubeObject>(kind: Kind<T>, ref: ObjectRef): void {
    for (const inf of this.informersOf(kind)) inf.observeDelete(ref);
  }
}
