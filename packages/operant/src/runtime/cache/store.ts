// The store behind an informer: objects by key, with secondary indexes. What
// readers get is frozen, so the store can hand out the same object to every
// reader without copying; a reconciler that wants to change one copies it.
import { OperantError } from "../../core/errors.ts";
import { labelMatcher, type LabelSelector } from "../../core/label-selector.ts";
import { keyOf, metaOf, objectKey, type Cached, type KubeObject, type ObjectRef } from "../../core/object.ts";

/**
 * Computes the values under which an object is indexed.
 *
 * @example
 * ```ts
 * const byNode: IndexFn<Pod> = (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);
 * cache.index(Pod, "node", byNode);
 * ```
 */
export type IndexFn<T extends KubeObject = KubeObject> = (obj: Cached<T>) => readonly string[];

/**
 * Indexes every store has.
 *
 * @example
 * ```ts
 * const children = store.byIndex("controller", replicaSet.metadata.uid); // every store has namespace, owner and controller
 * ```
 */
export const BUILTIN_INDEXES = {
  /** By `metadata.namespace` (cluster-scoped objects under ""). */
  namespace: (obj: Cached<KubeObject>) => [obj.metadata.namespace ?? ""],
  /** By the uid of every owner reference. */
  owner: (obj: Cached<KubeObject>) => ownerRefs(obj).map((o) => o.uid),
  /** By the uid of the controller owner reference (at most one). */
  controller: (obj: Cached<KubeObject>) => ownerRefs(obj).filter((o) => o.controller === true).map((o) => o.uid),
} as const satisfies Record<string, IndexFn>;

/** The well-formed owner references of an object (whatever a transform or a broken object left there). */
function ownerRefs(obj: Cached<KubeObject>): { uid: string; controller?: boolean | undefined }[] {
  const refs: unknown = obj.metadata.ownerReferences;
  if (!Array.isArray(refs)) return [];
  return refs.filter((r): r is { uid: string; controller?: boolean } => r !== null && typeof r === "object" && typeof (r as { uid?: unknown }).uid === "string");
}

/**
 * Options of {@link MemoryStore}.
 *
 * @example
 * ```ts
 * const options: MemoryStoreOptions = { onIndexError: (index, key, _obj, err) => log.error({ index, key, err }, "indexer threw") };
 * ```
 */
export interface MemoryStoreOptions {
  /**
   * Told when an indexer throws or returns something other than an array of
   * strings. The object is stored anyway, missing from that index.
   */
  onIndexError?: ((index: string, key: string, obj: Cached<KubeObject>, error: unknown) => void) | undefined;
}

/**
 * Options of {@link Store.list}.
 *
 * @example
 * ```ts
 * ctx.list(Pod, { namespace: "default", labels: { app: "web" } } satisfies StoreListOptions);
 * ```
 */
export interface StoreListOptions {
  namespace?: string | undefined;
  labels?: string | Record<string, string> | LabelSelector | undefined;
}

/**
 * Read access to cached objects. Shareable; cannot change the cache.
 *
 * @example
 * ```ts
 * const pods = store.list({ namespace: "default", labels: { app: "web" } });
 * const owned = store.byIndex("controller", memcached.metadata.uid);
 * ```
 */
export interface Store<T extends KubeObject> {
  /** One object by reference or key, if cached. */
  get(ref: ObjectRef | string): Cached<T> | undefined;
  /** Objects, optionally in one namespace and matching a label selector. */
  list(options?: StoreListOptions): Cached<T>[];
  /** Objects whose index `name` contains `value` (see {@link BUILTIN_INDEXES}). */
  byIndex(name: string, value: string): Cached<T>[];
  /** Keys (`namespace/name`) of every cached object. */
  keys(): IterableIterator<string>;
  readonly size: number;
}

/**
 * The in-memory store. The informer that owns it is its only writer.
 *
 * @example
 * ```ts
 * const store = new MemoryStore<Pod>({ byNode: (p) => [p.spec?.nodeName ?? ""] });
 * store.upsert(deepFreeze(pod));
 * store.byIndex("byNode", "kwok-node-0");
 * ```
 */
export class MemoryStore<T extends KubeObject> implements Store<T> {
  readonly #items = new Map<string, Cached<T>>();
  readonly #indexers: Map<string, IndexFn<T>>;
  readonly #indexes = new Map<string, Map<string, Set<string>>>();
  readonly #onIndexError: MemoryStoreOptions["onIndexError"];

  constructor(indexers: Record<string, IndexFn<T>> = {}, options: MemoryStoreOptions = {}) {
    this.#onIndexError = options.onIndexError;
    this.#indexers = new Map<string, IndexFn<T>>([...Object.entries(BUILTIN_INDEXES), ...Object.entries(indexers)] as [string, IndexFn<T>][]);
    for (const name of this.#indexers.keys()) this.#indexes.set(name, new Map());
  }

  /** How many objects are stored. */
  get size(): number {
    return this.#items.size;
  }

  get(ref: ObjectRef | string): Cached<T> | undefined {
    return this.#items.get(typeof ref === "string" ? ref : keyOf(ref));
  }

  keys(): IterableIterator<string> {
    return this.#items.keys();
  }

  list(options: StoreListOptions = {}): Cached<T>[] {
    const match = options.labels === undefined ? undefined : labelMatcher(options.labels);
    const source = options.namespace !== undefined ? this.byIndex("namespace", options.namespace) : this.#items.values();
    const out: Cached<T>[] = [];
    for (const obj of source) if (!match || match(metaOf(obj).labels)) out.push(obj);
    return out;
  }

  /** Whether an index of that name exists (built-in, given to the constructor, or added). */
  hasIndex(name: string): boolean {
    return this.#indexes.has(name);
  }

  /**
   * Adds an index, indexing the objects already stored (client-go's
   * `AddIndexers`). Adding the same function under the same name again does
   * nothing; another function under a name in use throws `IndexConflict`.
   *
   * @example
   * ```ts
   * store.addIndex("byNode", byNode); // byNode: (p) => [p.spec?.nodeName ?? ""]
   * ```
   */
  addIndex(name: string, fn: IndexFn<T>): void {
    const existing = this.#indexers.get(name);
    if (existing === fn) return;
    if (existing !== undefined) {
      throw new OperantError("IndexConflict", `an index named "${name}" already exists with another function${name in BUILTIN_INDEXES ? " (a built-in index)" : ""}. Give the new index another name, or declare the function once (a module-level const) and use it everywhere.`);
    }
    this.#indexers.set(name, fn);
    this.#indexes.set(name, new Map());
    for (const [key, obj] of this.#items) this.#indexOne(name, fn, key, obj);
  }

  byIndex(name: string, value: string): Cached<T>[] {
    const index = this.#indexes.get(name);
    if (!index) throw new OperantError("UnknownIndex", `no index named "${name}" (have: ${[...this.#indexes.keys()].join(", ")}). Declare it in the informer's \`indexers\` option.`);
    const keys = index.get(value);
    if (!keys) return [];
    const out: Cached<T>[] = [];
    for (const k of keys) out.push(this.#items.get(k)!);
    return out;
  }

  /** Inserts or replaces an object (already frozen); returns the previous one. */
  upsert(obj: Cached<T>): Cached<T> | undefined {
    const key = objectKey(obj as KubeObject);
    const previous = this.#items.get(key);
    if (previous) this.#unindex(key, previous);
    this.#items.set(key, obj);
    this.#index(key, obj);
    return previous;
  }

  /** Removes an object by key; returns it. */
  remove(key: string): Cached<T> | undefined {
    const previous = this.#items.get(key);
    if (!previous) return undefined;
    this.#unindex(key, previous);
    this.#items.delete(key);
    return previous;
  }

  /** The values `fn` gives `obj`, or undefined if it throws or gives something else than strings. */
  #valuesOf(name: string, fn: IndexFn<T>, key: string, obj: Cached<T>, report: boolean): readonly string[] | undefined {
    try {
      const values = fn(obj);
      if (!Array.isArray(values) || !values.every((v) => typeof v === "string")) throw new TypeError(`it returned ${Array.isArray(values) ? "an array with non-string values" : typeof values}, not an array of strings`);
      return values;
    } catch (err) {
      if (report) this.#onIndexError?.(name, key, obj as Cached<KubeObject>, err);
      return undefined;
    }
  }

  #index(key: string, obj: Cached<T>): void {
    for (const [name, fn] of this.#indexers) this.#indexOne(name, fn, key, obj);
  }

  #indexOne(name: string, fn: IndexFn<T>, key: string, obj: Cached<T>): void {
    const index = this.#indexes.get(name)!;
    for (const v of this.#valuesOf(name, fn, key, obj, true) ?? []) {
      let set = index.get(v);
      if (!set) index.set(v, (set = new Set()));
      set.add(key);
    }
  }

  #unindex(key: string, obj: Cached<T>): void {
    for (const [name, fn] of this.#indexers) {
      const index = this.#indexes.get(name)!;
      // An indexer that throws now cannot say where the object was: look for it everywhere in that index.
      const values = this.#valuesOf(name, fn, key, obj, false) ?? [...index.keys()];
      for (const v of values) {
        const set = index.get(v);
        if (!set) continue;
        set.delete(key);
        if (set.size === 0) index.delete(v);
      }
    }
  }
}
