// The controller builder: declares what a controller reconciles, what it owns
// and what else it watches, then takes the reconcile function. The result is
// a plain definition value; a Manager runs it. What it declares is also what
// its RBAC is generated from.
import { OperantError } from "../../core/errors.ts";
import type { Kind } from "../../core/kind.ts";
import type { Cached, KubeObject, ObjectRef } from "../../core/object.ts";
import { toMillis, type Duration } from "../../core/time.ts";
import type { Cache } from "../cache/cache.ts";
import { BUILTIN_INDEXES, type IndexFn } from "../cache/store.ts";
import type { ReconcileAction } from "./action.ts";
import type { IndexDeclaration, ReconcileContext } from "./context.ts";
import type { Predicate } from "./predicates.ts";
import { fromRequests, type RequestSource, type Subscribe } from "./sources.ts";

/**
 * The reconcile function: read the current state, converge, say what next —
 * `Action.awaitChange()` or `Action.requeueAfter(d)`; throw to fail (backoff),
 * throw a `TerminalError` to fail without retrying. Returning nothing is a type error.
 *
 * @example
 * ```ts
 * const reconciler: Reconciler<ConfigMap> = async (cm, ctx) => {
 *   await ctx.apply(Secret, { metadata: { name: cm.metadata.name }, stringData: { copy: "yes" } });
 *   return Action.awaitChange();
 * };
 * ```
 */
export type Reconciler<T extends KubeObject, Ix = never, I extends KubeObject = never> = (object: Cached<T>, ctx: ReconcileContext<T, Ix, I>) => Promise<ReconcileAction> | ReconcileAction;

/**
 * Options of the primary kind (`Controller.for`).
 *
 * @example
 * ```ts
 * Controller.for(Memcached, { labelSelector: { tier: "cache" }, namespaces: ["prod"], predicates: [predicates.generationChanged()] } satisfies ForOptions<Memcached>);
 * ```
 */
export interface ForOptions<T extends KubeObject> {
  predicates?: Predicate<T>[] | undefined;
  labelSelector?: string | Record<string, string> | undefined;
  /** Namespaces to watch; default: the manager's. */
  namespaces?: readonly string[] | undefined;
}

/**
 * Options of an owned kind (`.owns`).
 *
 * @example
 * ```ts
 * Controller.for(Memcached).owns(Deployment, { metadataOnly: true } satisfies OwnsOptions<Deployment>);
 * ```
 */
export interface OwnsOptions<O extends KubeObject> {
  predicates?: Predicate<O>[] | undefined;
  /** Cache only metadata of owned objects (enough to map them to owners; `ctx.list` then returns metadata only). */
  metadataOnly?: boolean | undefined;
  /** Only cache owned objects with these labels (sharding selects a member's own shard this way). */
  labelSelector?: string | Record<string, string> | undefined;
}

/**
 * Cached reads a map function may make (the manager's shared cache): enough
 * to find which primary objects refer to a watched one, as controller-runtime
 * map functions do with the manager's cached client — by scanning a list, or
 * through an index declared with `.index()` (`byIndex`, controller-runtime's
 * `List` with `MatchingFields`).
 *
 * @example
 * ```ts
 * const toRequests = (secret: Cached<Secret>, cache: CacheReader) =>
 *   cache.list(AppConfig, { namespace: secret.metadata.namespace }).filter((a) => a.spec.secrets.includes(secret.metadata.name)).map((a) => ({ namespace: a.metadata.namespace, name: a.metadata.name }));
 * ```
 */
export type CacheReader = Pick<Cache, "get" | "list" | "byIndex">;

/**
 * Options of a watched kind (`.watches`).
 *
 * @example
 * ```ts
 * Controller.for(App).watches(Secret, { labels: { app: "web" }, toRequests: (s) => [{ namespace: s.metadata.namespace, name: s.metadata.labels?.app ?? "" }] } satisfies WatchesOptions<Secret>);
 * ```
 */
export interface WatchesOptions<W extends KubeObject> {
  /**
   * Which primary objects to reconcile when a watched object changes. The
   * second argument reads the cache (only kinds this manager watches, e.g.
   * the primary kind): scan it for the objects that refer to this one. A
   * function that throws drops the event (logged).
   */
  toRequests: (object: Cached<W>, cache: CacheReader) => readonly (ObjectRef | undefined | null)[];
  predicates?: Predicate<W>[] | undefined;
  /** Only watch objects with these labels. */
  labels?: string | Record<string, string> | undefined;
  namespaces?: readonly string[] | undefined;
  metadataOnly?: boolean | undefined;
}

/**
 * Tuning of a controller.
 *
 * @example
 * ```ts
 * Controller.for(App).withOptions({ maxConcurrentReconciles: 4, reconcileTimeout: "2m", resyncPeriod: "1h" } satisfies ControllerOptions);
 * ```
 */
export interface ControllerOptions {
  /** Reconciles running at once, for different keys (default 1). A key is never reconciled twice at once. */
  maxConcurrentReconciles?: number;
  /** A reconcile still running after this is aborted (its signal fires) and retried with backoff (default 10 m). */
  reconcileTimeout?: Duration;
  /** Every object is reconciled again this often, jittered ±10% (default 10 h; 0 disables). */
  resyncPeriod?: Duration;
  /** Field manager for the controller's writes (default `operant-<name>`). */
  fieldManager?: string;
}

/**
 * Extra RBAC rules a controller needs beyond what it declares (e.g. reading Secrets it does not watch).
 *
 * @example
 * ```ts
 * Controller.for(App).permissions({ apiGroups: [""], resources: ["secrets"], verbs: ["get"] } satisfies PolicyRule);
 * ```
 */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/**
 * A complete controller description, ready for `manager.add()`.
 *
 * @example
 * ```ts
 * const def: ControllerDefinition<App> = Controller.for(App).reconcile(() => Action.awaitChange());
 * manager.add(def);
 * ```
 */
export interface ControllerDefinition<T extends KubeObject = KubeObject, Ix = never, I extends KubeObject = never> {
  readonly name: string;
  readonly kind: Kind<T, I>;
  readonly forOptions: ForOptions<T>;
  readonly owns: readonly { kind: Kind; options: OwnsOptions<KubeObject> }[];
  readonly watches: readonly { kind: Kind; options: WatchesOptions<KubeObject> }[];
  /** Sources added with `.watchesSource()`: requests from outside the cache. */
  readonly sources: readonly RequestSource[];
  readonly options: Required<Omit<ControllerOptions, "fieldManager">> & { reconcileTimeoutMs: number; resyncPeriodMs: number; fieldManager: string };
  readonly extraRules: readonly PolicyRule[];
  /** Indexes declared with `.index()`: the runner declares them on the cache before acquiring informers. */
  readonly indexes: readonly { kind: Kind; name: string; fn: IndexFn }[];
  readonly reconciler: Reconciler<T, Ix, I>;
}

/**
 * A controller definition of any kind (what a manager accepts). The reconcile
 * function's parameter makes definitions invariant in their object type, so a
 * list of different controllers needs this escape hatch.
 *
 * @example
 * ```ts
 * const controllers: AnyControllerDefinition[] = [memcachedController, backupController];
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyControllerDefinition = ControllerDefinition<any, any, any>;

/**
 * Builds a controller definition: sugar over the public pieces of
 * `operant/controller`, which a `ControllerRunner` puts together. Each
 * method names the lower-level call it stands for (and the controller-runtime
 * builder call it matches): `for` = `fromInformer(cache.acquire(kind), { toRequests: enqueueSelf() })`
 * (`For()`), `owns` = the same with `enqueueOwner(primary)` (`Owns()`),
 * `watches` = the same with your map function (`Watches()` +
 * `EnqueueRequestsFromMapFunc`), `watchesSource` = any {@link RequestSource}
 * (`WatchesRawSource()`), `reconcile` = the runner's reconcile loop.
 *
 * @example
 * ```ts
 * export const memcached = Controller.for(Memcached)
 *   .owns(Deployment)
 *   .watches(Pod, { labels: { app: "memcached" }, toRequests: (pod) => [{ namespace: pod.metadata.namespace, name: pod.metadata.labels?.memcached_cr ?? "" }] })
 *   .watches(ConfigMap, { toRequests: (cm, cache) => cache.list(Memcached, { namespace: cm.metadata.namespace }).filter((m) => m.spec.configMap === cm.metadata.name).map((m) => ({ namespace: m.metadata.namespace, name: m.metadata.name })) })
 *   .reconcile(async (mc, ctx) => {
 *     await ctx.apply(Deployment, { metadata: { name: mc.metadata.name }, spec: { replicas: mc.spec.size, … } });
 *     return Action.awaitChange();
 *   });
 * ```
 */
export class ControllerBuilder<T extends KubeObject, Ix = never, I extends KubeObject = never> {
  #name: string;
  readonly #kind: Kind<T, I>;
  readonly #for: ForOptions<T>;
  readonly #owns: { kind: Kind; options: OwnsOptions<KubeObject> }[] = [];
  readonly #watches: { kind: Kind; options: WatchesOptions<KubeObject> }[] = [];
  readonly #sources: RequestSource[] = [];
  readonly #rules: PolicyRule[] = [];
  readonly #indexes: { kind: Kind; name: string; fn: IndexFn }[] = [];
  #options: ControllerOptions = {};

  constructor(kind: Kind<T, I>, options: ForOptions<T> = {}) {
    this.#kind = kind;
    this.#for = options;
    this.#name = kind.kind.toLowerCase();
  }

  /** Names the controller (metrics label, logs, field manager); default: the kind in lower case. */
  named(name: string): this {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) throw new OperantError("InvalidName", `controller name "${name}" is not valid: use lower-case letters, digits, '-' and '.'.`);
    this.#name = name;
    return this;
  }

  /**
   * Watches objects of `kind` created by this controller: a change enqueues
   * their controller owner (if it is of the primary kind). Stands for
   * `runner.addSource(fromInformer(cache.acquire(kind, { metadataOnly }).informer, { toRequests: enqueueOwner(primaryKind), predicates }))`.
   */
  owns<O extends KubeObject>(kind: Kind<O>, options: OwnsOptions<O> = {}): this {
    this.#owns.push({ kind, options: options as unknown as OwnsOptions<KubeObject> });
    return this;
  }

  /**
   * Watches objects of `kind` and maps each change to primary objects to
   * reconcile. Stands for
   * `runner.addSource(fromInformer(cache.acquire(kind, { labelSelector: labels, namespaces, metadataOnly }).informer, { toRequests: (o) => toRequests(o, cache), predicates }))`.
   */
  watches<W extends KubeObject>(kind: Kind<W>, options: WatchesOptions<W>): this {
    this.#watches.push({ kind, options: options as unknown as WatchesOptions<KubeObject> });
    return this;
  }

  /**
   * The escape hatch: reconciles whatever requests `source` yields — a
   * {@link RequestSource}, an `AsyncIterable<ObjectRef>` or a {@link Subscribe}
   * function (e.g. webhooks from an external system, a timer, another
   * controller). Stands for `runner.addSource(source)` (an iterable or a
   * function through `fromRequests(source)`). A request for an object the
   * cache does not hold is dropped at reconcile time, as for any source.
   * Sources are not informers: they add nothing to the generated RBAC.
   *
   * @example
   * ```ts
   * Controller.for(Site).watchesSource((emit, signal) => uptime.on("down", (name) => emit({ namespace: "web", name }), { signal })).reconcile(…);
   * ```
   */
  watchesSource(source: RequestSource | AsyncIterable<ObjectRef> | Subscribe): this {
    this.#sources.push(typeof source === "function" || Symbol.asyncIterator in source ? fromRequests(source) : source);
    return this;
  }

  /**
   * Declares an index on the cached objects of `kind` (controller-runtime's
   * `mgr.GetFieldIndexer().IndexField`): `fn` gives the values an object is
   * found under, and the reconcile reads them with
   * `ctx.byIndex(kind, name, value)`, typed: a name not declared here is a
   * type error. Stands for `cache.index(kind, name, fn)` before the
   * informers start. The kind must be watched (`for`, `owns`, `watches`, here
   * or by another controller of the manager). Declare `fn` once (a
   * module-level const): controllers that declare the same name for a kind
   * must pass the same function, or the manager fails to start with
   * `IndexConflict`.
   *
   * @throws OperantError `InvalidArgument` for an empty name, `IndexConflict` for a built-in one (`namespace`, `owner`, `controller`)
   * @example
   * ```ts
   * const usedConfigMaps = (d: Cached<Deployment>) => (d.spec?.template.spec?.volumes ?? []).flatMap((v) => (v.configMap ? [`${d.metadata.namespace}/${v.configMap.name}`] : []));
   * Controller.for(AppConfig)
   *   .watches(Deployment, { toRequests: … })
   *   .index(Deployment, "configMap", usedConfigMaps)
   *   .reconcile((ac, ctx) => {
   *     for (const d of ctx.byIndex(Deployment, "configMap", `${ac.metadata.namespace}/app-config`)) …
   *   });
   * ```
   */
  index<K extends KubeObject, N extends string>(kind: Kind<K>, name: N, fn: IndexFn<K>): ControllerBuilder<T, Ix | IndexDeclaration<K, N>, I> {
    if (typeof name !== "string" || name === "") throw new OperantError("InvalidArgument", `.index(${kind.kind}, …): the index needs a non-empty name.`);
    if (name in BUILTIN_INDEXES) throw new OperantError("IndexConflict", `.index(${kind.kind}, "${name}", …): "${name}" is a built-in index (namespace, owner, controller); ctx.byIndex reads it without declaring. Give your index another name.`);
    if (this.#indexes.some((i) => i.name === name && i.kind.apiVersion === kind.apiVersion && i.kind.kind === kind.kind && i.fn !== fn)) {
      throw new OperantError("IndexConflict", `.index(${kind.kind}, "${name}", …) is declared twice on this controller with different functions; declare it once.`);
    }
    this.#indexes.push({ kind, name, fn: fn as IndexFn });
    return this;
  }

  /** Sets concurrency, timeout, resync and field manager (the runner's and its queue's settings). */
  withOptions(options: ControllerOptions): this {
    this.#options = { ...this.#options, ...options };
    return this;
  }

  /** Declares permissions beyond what `for`/`owns`/`watches` imply (they go into the generated RBAC). */
  permissions(...rules: PolicyRule[]): this {
    this.#rules.push(...rules);
    return this;
  }

  /** Completes the definition with the reconcile function: what each of the runner's workers calls for a request (`new ControllerRunner(definition, deps)` runs it). */
  reconcile(reconciler: Reconciler<T, Ix, I>): ControllerDefinition<T, Ix, I> {
    const o = this.#options;
    const max = o.maxConcurrentReconciles ?? 1;
    if (!Number.isInteger(max) || max < 1) throw new OperantError("InvalidArgument", `maxConcurrentReconciles must be a positive integer (got ${max}).`);
    const reconcileTimeout = o.reconcileTimeout ?? "10m";
    const resyncPeriod = o.resyncPeriod ?? "10h";
    return Object.freeze({
      name: this.#name,
      kind: this.#kind,
      forOptions: this.#for,
      owns: [...this.#owns],
      watches: [...this.#watches],
      sources: [...this.#sources],
      extraRules: [...this.#rules],
      indexes: [...this.#indexes],
      reconciler,
      options: {
        maxConcurrentReconciles: max,
        reconcileTimeout,
        resyncPeriod,
        reconcileTimeoutMs: toMillis(reconcileTimeout),
        resyncPeriodMs: toMillis(resyncPeriod),
        fieldManager: o.fieldManager ?? `operant-${this.#name}`,
      },
    });
  }
}

/**
 * Entry point of the builder.
 *
 * @example
 * ```ts
 * const def = Controller.for(ConfigMap, { predicates: [predicates.resourceVersionChanged()] }).reconcile(async (cm, ctx) => { … });
 * manager.add(def);
 * ```
 */
export const Controller = {
  /** Starts a builder for controllers of `kind`: its objects' events (passing `options.predicates`) enqueue themselves — `fromInformer(cache.acquire(kind, { namespaces, labelSelector }).informer, { toRequests: enqueueSelf(), predicates })`. */
  for<T extends KubeObject, I extends KubeObject = never>(kind: Kind<T, I>, options: ForOptions<T> = {}): ControllerBuilder<T, never, I> {
    return new ControllerBuilder(kind, options);
  },
} as const;
