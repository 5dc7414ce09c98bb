// What a reconcile gets besides the object: cached reads, writes that own
// what they create and that the cache remembers (read-your-writes), status
// with conditions, finalizers, events, a logger and an AbortSignal.
import type { ApplyOptions, Client, DeleteOptions, PatchOptions, WriteOptions } from "../../client/client.ts";
import { createOrUpdate, type CreateOrUpdateResult } from "../../client/mutate/create-or-update.ts";
import { setCondition, type Condition, type ConditionInput } from "../../core/conditions/conditions.ts";
import { isOperantError, OperantError } from "../../core/errors.ts";
import { hasFinalizer, isBeingDeleted } from "../../core/finalizers/finalizers.ts";
import type { Kind, KindInput } from "../../core/kind.ts";
import type { Logger } from "../../core/logger.ts";
import { keyOf, type Cached, type KubeObject, type ObjectMeta, type ObjectRef, type Stored } from "../../core/object.ts";
import { setControllerReference } from "../../core/owners/owner-references.ts";
import type { Cache } from "../cache/cache.ts";
import type { BUILTIN_INDEXES, StoreListOptions } from "../cache/store.ts";
import type { EventRecorder } from "../events/recorder.ts";
import { CacheAwareClient } from "./cache-aware-client.ts";

/**
 * An index a controller declared (`.index(kind, name, fn)`), as a type: the
 * indexed kind's object type and the index's name. The builder collects them
 * so that {@link ReconcileContext.byIndex} accepts only declared names.
 *
 * @example
 * ```ts
 * type ByConfigMap = IndexDeclaration<Deployment, "configMap">;
 * ```
 */
export interface IndexDeclaration<O extends KubeObject = KubeObject, N extends string = string> {
  readonly object: O;
  readonly name: N;
}

/**
 * The index names {@link ReconcileContext.byIndex} takes for objects of type
 * `K`: those declared for that object type in `Ix`, and the built-in ones
 * (`namespace`, `owner`, `controller`).
 *
 * @example
 * ```ts
 * type Names = IndexNameOf<IndexDeclaration<Deployment, "configMap">, Deployment>; // "configMap" | "namespace" | "owner" | "controller"
 * ```
 */
export type IndexNameOf<Ix, K> = (Ix extends IndexDeclaration<infer O, infer N> ? (SameType<K, O> extends true ? N : never) : never) | keyof typeof BUILTIN_INDEXES;

// Whether two types are the same type, not merely assignable both ways: built-in kinds' object types have only
// optional fields, so a Deployment and a Secret are assignable to each other.
type SameType<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

/** Object types with a `status` field (custom resources from `defineResource`, most built-ins). */
type StatusOf<T> = T extends { status?: infer S } ? S : never;

/**
 * Options of {@link ReconcileContext.apply}.
 *
 * @example
 * ```ts
 * await ctx.apply(ConfigMap, { metadata: { name: "shared" }, data: {} }, { owned: false } satisfies ContextApplyOptions);
 * ```
 */
export interface ContextApplyOptions extends Omit<ApplyOptions, "signal" | "fieldManager"> {
  /** Set a controller owner reference to the reconciled object (default true; it makes owned objects garbage-collected with it and their events reach this controller). */
  owned?: boolean;
}

/**
 * Dependencies the controller hands to each context: the narrow slices of the
 * client, cache and recorder it uses. `client` is wrapped in a
 * {@link CacheAwareClient} reporting to `cache` (unless it already is one).
 *
 * @example
 * ```ts
 * const ctx = new ReconcileContext(ConfigMap, cm, signal, { client, cache, recorder, fieldManager: "operant-demo", log });
 * ```
 */
export interface ContextDeps {
  client: Client;
  cache: Pick<Cache, "get" | "list" | "byIndex" | "observeWrite" | "observeDelete">;
  recorder: Pick<EventRecorder, "event">;
  fieldManager: string;
  log: Logger;
}

function stableJson(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));
}

/**
 * The reconcile context: one per reconcile.
 *
 * @example
 * ```ts
 * .reconcile(async (mc, ctx) => {
 *   if (await ctx.finalize("cache.example.com/finalizer", () => cleanup(mc))) return Action.awaitChange();
 *   await ctx.apply(Deployment, { metadata: { name: mc.metadata.name }, spec: { … } });
 *   const pods = ctx.list(Pod, { namespace: mc.metadata.namespace, labels: { app: "memcached" } });
 *   await ctx.updateStatus({ nodes: pods.map((p) => p.metadata.name), conditions: ctx.condition("Available", true, "PodsReady", "all ready") });
 *   return Action.awaitChange();
 * })
 * ```
 */
export class ReconcileContext<T extends KubeObject, Ix = never, I extends KubeObject = never> {
  /** The object being reconciled, as read from the cache when the reconcile began. */
  readonly object: Cached<T>;
  /** Its namespace/name. */
  readonly request: ObjectRef;
  /** Aborted when the reconcile times out, the manager shuts down, or leadership is lost: pass it to long operations. */
  readonly signal: AbortSignal;
  /** Logger with `controller` and `object` fields. */
  readonly log: Logger;
  /**
   * The API client: reads go to the API server (uncached); every write's
   * result is reported to the cache (read-your-writes), like the context's
   * own write methods, so `createOrPatch(ctx.client, …)` is as safe as `ctx.apply`.
   */
  readonly client: Client;
  readonly #kind: Kind<T, I>;
  readonly #deps: ContextDeps;
  #conditions: Condition[] | undefined;

  constructor(kind: Kind<T, I>, object: Cached<T>, signal: AbortSignal, deps: ContextDeps) {
    this.#kind = kind;
    this.object = object;
    const m = (object as unknown as Stored<T>).metadata;
    this.request = { name: m.name, namespace: m.namespace };
    this.signal = signal;
    this.log = deps.log;
    this.client = deps.client instanceof CacheAwareClient && deps.client.observer === deps.cache ? deps.client : new CacheAwareClient(deps.client, deps.cache);
    this.#deps = deps;
  }

  #meta(): Stored<KubeObject>["metadata"] {
    return (this.object as unknown as Stored<T>).metadata;
  }

  // ---- cached reads ----

  /** Reads an object from the cache (undefined if absent). The kind must be watched by this manager (for/owns/watches). */
  get<K extends KubeObject>(kind: Kind<K>, ref: ObjectRef): Cached<K> | undefined {
    return this.#deps.cache.get(kind, ref);
  }

  /** Lists objects from the cache. */
  list<K extends KubeObject>(kind: Kind<K>, options: StoreListOptions = {}): Cached<K>[] {
    return this.#deps.cache.list(kind, options);
  }

  /**
   * Objects of `kind` from the cache whose index `name` has `value`: an index
   * declared with the controller (`.index(kind, name, fn)`; another name is
   * a type error) or a built-in one (`namespace`, `owner`, `controller`, the
   * last two by owner uid). controller-runtime's `List` with
   * `MatchingFields`. Throws `UnknownIndex` for an index nobody declared,
   * `NotCached` for a kind nobody watches.
   *
   * @example
   * ```ts
   * Controller.for(AppConfig).watches(Deployment, { … }).index(Deployment, "configMap", usedConfigMaps)
   *   .reconcile((ac, ctx) => {
   *     const users = ctx.byIndex(Deployment, "configMap", `${ac.metadata.namespace}/app-config`);
   *     …
   *   });
   * ```
   */
  byIndex<K extends KubeObject>(kind: Kind<K>, name: NoInfer<IndexNameOf<Ix, K>>, value: string): Cached<K>[] {
    return this.#deps.cache.byIndex(kind, name, value);
  }

  // ---- writes ----

  #prepare<I extends KubeObject>(kind: Kind<KubeObject, never>, obj: I, owned: boolean): I {
    const own = this.#meta();
    let out: I = obj;
    if (kind.namespaced && !obj.metadata?.namespace) {
      if (!own.namespace) throw new OperantError("NamespaceRequired", `${kind.kind} "${obj.metadata?.name}" needs metadata.namespace: the reconciled ${this.#kind.kind} is cluster-scoped, so there is no namespace to default to.`);
      out = { ...out, metadata: { ...out.metadata, namespace: own.namespace } };
    }
    if (owned) out = setControllerReference(this.object as unknown as Stored<T>, out, this.#kind);
    return out;
  }

  /**
   * Server-side apply of the fields this controller manages, owned by the
   * reconciled object (controller reference) unless `owned: false`; the
   * namespace defaults to the reconciled object's. Conflicts with other field
   * managers are forced: the controller is the authority on what it applies.
   */
  async apply<K extends KubeObject, I extends KubeObject = never>(kind: Kind<K, I>, obj: NoInfer<KindInput<K, I>>, options: ContextApplyOptions = {}): Promise<Stored<K>> {
    const { owned = true, ...rest } = options;
    const body = this.#prepare(kind, obj, owned && !rest.subresource);
    return this.client.apply(kind, body, { force: true, ...rest, fieldManager: this.#deps.fieldManager, signal: this.signal });
  }

  /** Creates an object (owned by the reconciled object unless `owned: false`). */
  async create<K extends KubeObject, I extends KubeObject = never>(kind: Kind<K, I>, obj: NoInfer<KindInput<K, I>>, options: Omit<WriteOptions, "signal"> & { owned?: boolean } = {}): Promise<Stored<K>> {
    const { owned = true, ...rest } = options;
    return this.client.create(kind, this.#prepare(kind, obj, owned), { fieldManager: this.#deps.fieldManager, ...rest, signal: this.signal });
  }

  /** Replaces an object (optimistic concurrency through its resourceVersion). */
  async update<K extends KubeObject, I extends KubeObject = never>(kind: Kind<K, I>, obj: NoInfer<KindInput<K, I>>, options: Omit<WriteOptions, "signal"> = {}): Promise<Stored<K>> {
    return this.client.update(kind, obj, { fieldManager: this.#deps.fieldManager, ...options, signal: this.signal });
  }

  /** Patches an object (JSON merge patch by default). */
  async patch<K extends KubeObject>(kind: Kind<K>, ref: ObjectRef, patch: unknown, options: Omit<PatchOptions, "signal"> = {}): Promise<Stored<K>> {
    return this.client.patch(kind, ref, patch, { fieldManager: this.#deps.fieldManager, ...options, signal: this.signal });
  }

  /** Deletes an object; a missing object is not an error here (the goal is that it is gone). */
  async delete<K extends KubeObject>(kind: Kind<K>, ref: ObjectRef, options: Omit<DeleteOptions, "signal"> = {}): Promise<void> {
    try {
      await this.client.delete(kind, ref, { ...options, signal: this.signal });
    } catch (err) {
      if (err instanceof OperantError && err.code === "NotFound") return;
      throw err;
    }
  }

  /**
   * Reads `ref` (or starts from an empty object), lets `mutate` edit it, and
   * creates or updates only if something changed; retried on conflicts. The
   * object is owned by the reconciled one unless `owned: false`.
   */
  async createOrUpdate<K extends KubeObject>(kind: Kind<K>, ref: ObjectRef, mutate: (draft: K) => void | Promise<void>, options: { owned?: boolean } = {}): Promise<CreateOrUpdateResult<K>> {
    const owned = options.owned ?? true;
    const target: ObjectRef = { name: ref.name, namespace: ref.namespace ?? (kind.namespaced ? this.#meta().namespace : undefined) };
    return createOrUpdate(
      this.client,
      kind,
      target,
      async (draft: K) => {
        await mutate(draft);
        if (owned) {
          const withRef = setControllerReference(this.object as unknown as Stored<T>, draft, this.#kind);
          (draft as { metadata?: ObjectMeta }).metadata = withRef.metadata;
        }
      },
      { signal: this.signal, fieldManager: this.#deps.fieldManager },
    );
  }

  // ---- status ----

  /**
   * Sets `conditionType` on a working copy of the object's conditions and
   * returns the whole list, ready for {@link updateStatus}. The transition
   * time changes only when the status changes; observedGeneration is the
   * object's generation.
   */
  condition(conditionType: string, status: boolean | "True" | "False" | "Unknown", reason: string, message = ""): Condition[] {
    const current = this.#conditions ?? [...(((this.object as { status?: { conditions?: Condition[] } }).status?.conditions ?? []))];
    const input: ConditionInput = { type: conditionType, status, reason, message, ...(this.#meta().generation !== undefined && { observedGeneration: this.#meta().generation }) };
    this.#conditions = setCondition(current, input);
    return this.#conditions;
  }

  /**
   * Declares the status this controller owns: a server-side apply on the
   * status subresource, as this controller's field manager. Pass every status
   * field the controller manages, each time: like any apply, a field this
   * controller set before and now leaves out is removed, while fields other
   * managers own are left alone. Nothing is sent when the object's status
   * already equals `status`; an apply that changes nothing does not write
   * either, so status updates cannot drive a hot loop. The status is typed
   * as written (`InputOf` the kind): `Defaulted` fields may be left out.
   */
  async updateStatus(status: Partial<StatusOf<KindInput<T, I>>>): Promise<void> {
    const current = (this.object as { status?: unknown }).status ?? {};
    if (stableJson(current) === stableJson(status)) return;
    const own = this.#meta();
    await this.client.apply(this.#kind, { apiVersion: this.#kind.apiVersion, kind: this.#kind.kind, metadata: { name: own.name, ...(own.namespace && { namespace: own.namespace }) }, status } as unknown as KindInput<T, I>, {
      subresource: "status",
      force: true,
      fieldManager: this.#deps.fieldManager,
      signal: this.signal,
    });
  }

  // ---- finalizers ----

  /**
   * The finalizer flow in one call. While the object lives, makes sure it
   * carries `finalizer` and returns false. Once it is being deleted, runs
   * `cleanup` (if the finalizer is still there), removes the finalizer and
   * returns true — the reconciler should then return. If `cleanup` throws,
   * the finalizer stays and the reconcile is retried.
   *
   * Cleanup runs at most once per object: before running it, the object is
   * read from the API server (the cache may lag, e.g. after an outage), and
   * if it is gone, is another object now (another uid), or no longer carries
   * the finalizer, cleanup is skipped. A NotFound when removing the
   * finalizer means the object is gone: done, not a failure.
   */
  async finalize(finalizer: string, cleanup: () => Promise<void> | void): Promise<boolean> {
    const obj = this.object as unknown as Stored<T>;
    const m = obj.metadata;
    if (isBeingDeleted(obj)) {
      if (hasFinalizer(obj, finalizer)) {
        const live = await this.#deps.client.tryGet(this.#kind, this.request, { signal: this.signal });
        if (!live || live.metadata.uid !== m.uid || !hasFinalizer(live, finalizer)) {
          this.log.debug({ finalizer }, "finalizer already removed (the cache was behind): cleanup not run again");
          return true;
        }
        await cleanup();
        const remaining = (live.metadata.finalizers ?? []).filter((f) => f !== finalizer);
        try {
          await this.patch(this.#kind, this.request, { metadata: { resourceVersion: live.metadata.resourceVersion, finalizers: remaining } });
        } catch (err) {
          if (!isOperantError(err, "NotFound")) throw err;
          this.log.debug({ finalizer }, "the object was gone when its finalizer was removed: done");
          return true;
        }
        this.log.info({ finalizer }, "cleanup done, finalizer removed");
      }
      return true;
    }
    if (!hasFinalizer(obj, finalizer)) {
      // The resourceVersion in a merge patch is a precondition: a concurrent change makes this a Conflict (retried).
      await this.patch(this.#kind, this.request, { metadata: { resourceVersion: m.resourceVersion, finalizers: [...(m.finalizers ?? []), finalizer] } });
    }
    return false;
  }

  // ---- events ----

  /** Records an Event about the reconciled object (aggregated; never blocks or fails the reconcile). */
  event(type: "Normal" | "Warning", reason: string, note: string, action = "Reconcile"): void {
    this.#deps.recorder.event(this.object as unknown as Stored<T>, { type, reason, note, action });
  }

  /** `namespace/name` of the reconciled object. */
  get key(): string {
    return keyOf(this.request);
  }
}
