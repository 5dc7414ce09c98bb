// The one cache-aware writer: a Client whose every write result is reported
// to the cache (read-your-writes), so a reconcile that writes through
// ctx.client, ctx.apply or a helper such as createOrPatch(ctx.client, …)
// reads its own write on the next reconcile, whichever path it took.
import type { ApplyOptions, CallOptions, Client, DeleteOptions, ListOptions, ObjectList, PatchOptions, WatchEvent, WatchOptions, WriteOptions } from "../../client/client.ts";
import { Client as ClientClass } from "../../client/client.ts";
import type { Status } from "../../client/transport/api-error.ts";
import type { Kind } from "../../core/kind.ts";
import type { KubeObject, ObjectRef, Stored } from "../../core/object.ts";
import type { Cache } from "../cache/cache.ts";

/**
 * What the writer tells about its writes: the cache's read-your-writes entry points.
 *
 * @example
 * ```ts
 * const observer: WriteObserver = cache;
 * const client = new CacheAwareClient(await Client.connect(), observer);
 * ```
 */
export type WriteObserver = Pick<Cache, "observeWrite" | "observeDelete">;

function isStored(out: unknown): out is Stored<KubeObject> {
  return typeof out === "object" && out !== null && (out as { kind?: unknown }).kind !== "Status" && typeof (out as KubeObject).metadata?.name === "string";
}

/**
 * A {@link Client} that passes every call to `inner` and reports each write's
 * result to `observer` (normally the manager's cache): create, update,
 * updateStatus, patch and apply results through `observeWrite`, a delete
 * through `observeWrite` (still finalizing) or `observeDelete` (gone).
 * Dry-run writes are not reported. The reconcile context's `ctx.client` is
 * one, so nothing written during a reconcile bypasses the cache.
 *
 * @example
 * ```ts
 * const client = new CacheAwareClient(await Client.connect(), cache);
 * await createOrPatch(client, Deployment, { namespace: "default", name: "web" }, (d) => { d.spec = { … }; });
 * cache.get(Deployment, { namespace: "default", name: "web" }); // already the patched object
 * ```
 */
export class CacheAwareClient extends ClientClass {
  /** The client calls go to. */
  readonly inner: Client;
  /** Where writes are reported. */
  readonly observer: WriteObserver;

  constructor(inner: Client, observer: WriteObserver) {
    super(inner.transport, { fieldManager: inner.fieldManager });
    // Share the inner client's discovery cache instead of starting an empty one.
    Object.defineProperty(this, "discovery", { value: inner.discovery, enumerable: true });
    this.inner = inner;
    this.observer = observer;
  }

  #observe<T extends KubeObject>(kind: Kind<T>, out: Stored<T>, options: WriteOptions): Stored<T> {
    if (!options.dryRun) this.observer.observeWrite(kind, out);
    return out;
  }

  override get defaultNamespace(): string {
    return this.inner.defaultNamespace;
  }

  override get<T extends KubeObject>(kind: Kind<T>, ref: ObjectRef, options: CallOptions = {}): Promise<Stored<T>> {
    return this.inner.get(kind, ref, options);
  }

  override tryGet<T extends KubeObject>(kind: Kind<T>, ref: ObjectRef, options: CallOptions = {}): Promise<Stored<T> | undefined> {
    return this.inner.tryGet(kind, ref, options);
  }

  override listPages<T extends KubeObject>(kind: Kind<T>, options: ListOptions & { resourceVersion?: string } = {}): AsyncGenerator<ObjectList<T> & { restarted: boolean }> {
    return this.inner.listPages(kind, options);
  }

  override list<T extends KubeObject>(kind: Kind<T>, options: ListOptions = {}): Promise<ObjectList<T>> {
    return this.inner.list(kind, options);
  }

  override watch<T extends KubeObject>(kind: Kind<T>, options: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    return this.inner.watch(kind, options);
  }

  override async create<T extends KubeObject>(kind: Kind<T>, obj: T, options: WriteOptions = {}): Promise<Stored<T>> {
    return this.#observe(kind, await this.inner.create(kind, obj, options), options);
  }

  override async update<T extends KubeObject>(kind: Kind<T>, obj: T, options: WriteOptions = {}): Promise<Stored<T>> {
    return this.#observe(kind, await this.inner.update(kind, obj, options), options);
  }

  override async updateStatus<T extends KubeObject>(kind: Kind<T>, obj: T, options: WriteOptions = {}): Promise<Stored<T>> {
    return this.#observe(kind, await this.inner.updateStatus(kind, obj, options), options);
  }

  override async patch<T extends KubeObject>(kind: Kind<T>, ref: ObjectRef, patch: unknown, options: PatchOptions = {}): Promise<Stored<T>> {
    return this.#observe(kind, await this.inner.patch(kind, ref, patch, options), options);
  }

  override async apply<T extends KubeObject>(kind: Kind<T>, obj: T, options: ApplyOptions = {}): Promise<Stored<T>> {
    return this.#observe(kind, await this.inner.apply(kind, obj, options), options);
  }

  override async delete<T extends KubeObject>(kind: Kind<T>, ref: ObjectRef, options: DeleteOptions = {}): Promise<Stored<T> | Status> {
    const out = await this.inner.delete(kind, ref, options);
    if (options.dryRun) return out;
    // Marked for deletion (finalizers still to run): the object lives on with its deletionTimestamp. Otherwise it is gone.
    if (isStored(out) && out.metadata.deletionTimestamp) this.observer.observeWrite(kind, out);
    else this.observer.observeDelete(kind, ref);
    return out;
  }

  override close(): Promise<void> {
    return this.inner.close();
  }
}
