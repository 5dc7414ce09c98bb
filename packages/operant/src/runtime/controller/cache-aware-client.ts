// The one cache-aware writer: a Client whose every write result is reported
// to the cache (read-your-writes), so a reconcile that writes through
// ctx.client, ctx.apply or a helper such as createOrPatch(ctx.client, …)
// reads its own write on the next reconcile, whichever path it took.
import type { ApplyOptions, CallOptions, Client, DeleteOptions, ListOptions, ObjectList, PatchOptions, WatchEvent, WatchOptions, WriteOptions } from "../../client/client.ts";
import { Client as ClientClass } from "../../client/client.ts";
import type { Status } from "../../client/transport/api-error.ts";
import { OperantError } from "../../core/errors.ts";
import type { Kind, KindInput } from "../../core/kind.ts";
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

function fencedError(verb: string, kind: Kind, reason: unknown, cause?: unknown): OperantError {
  const why = reason instanceof Error ? reason.message : "leadership lost";
  return new OperantError("Fenced", `${verb} ${kind.kind} refused: this replica no longer leads (${why}), so its reconciles may not write. The reconcile should have stopped at ctx.signal; the next leader takes over.`, { cause: cause ?? reason });
}

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

  readonly #fence: AbortSignal | undefined;

  /**
   * @param options.fence once aborted (leadership lost), every write is refused with
   * `Fenced` and writes in flight are aborted: a reconcile that ignores its
   * signal cannot write on behalf of a leader that is no more. Reads go on.
   */
  constructor(inner: Client, observer: WriteObserver, options: { fence?: AbortSignal | undefined } = {}) {
    super(inner.transport, { fieldManager: inner.fieldManager });
    // Share the inner client's discovery cache instead of starting an empty one.
    Object.defineProperty(this, "discovery", { value: inner.discovery, enumerable: true });
    this.inner = inner;
    this.observer = observer;
    this.#fence = options.fence;
  }

  /** The write's options with the fence in its signal; throws `Fenced` once the fence is down. */
  #fenced<O extends { signal?: AbortSignal | undefined }>(verb: string, kind: Kind, options: O): O {
    const fence = this.#fence;
    if (!fence) return options;
    if (fence.aborted) throw fencedError(verb, kind, fence.reason);
    return { ...options, signal: options.signal ? AbortSignal.any([options.signal, fence]) : fence };
  }

  async #write<T>(verb: string, kind: Kind, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (this.#fence?.aborted) throw fencedError(verb, kind, this.#fence.reason, err);
      throw err;
    }
  }

  #observe<T extends KubeObject>(kind: Kind<T, never>, out: Stored<T>, options: WriteOptions): Stored<T> {
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

  override async create<T extends KubeObject, I extends KubeObject = never>(kind: Kind<T, I>, obj: NoInfer<KindInput<T, I>>, options: WriteOptions = {}): Promise<Stored<T>> {
    const fenced = this.#fenced("create", kind, options);
    return this.#observe(kind, await this.#write("create", kind, () => this.inner.create(kind, obj, fenced)), options);
  }

  override async update<T extends KubeObject, I extends KubeObject = never>(kind: Kind<T, I>, obj: NoInfer<KindInput<T, I>>, options: WriteOptions = {}): Promise<Stored<T>> {
    const fenced = this.#fenced("update", kind, options);
    return this.#observe(kind, await this.#write("update", kind, () => this.inner.update(kind, obj, fenced)), options);
  }

  override async updateStatus<T extends KubeObject, I extends KubeObject = never>(kind: Kind<T, I>, obj: NoInfer<KindInput<T, I>>, options: WriteOptions = {}): Promise<Stored<T>> {
    const fenced = this.#fenced("updateStatus", kind, options);
    return this.#observe(kind, await this.#write("updateStatus", kind, () => this.inner.updateStatus(kind, obj, fenced)), options);
  }

  override async patch<T extends KubeObject>(kind: Kind<T>, ref: ObjectRef, patch: unknown, options: PatchOptions = {}): Promise<Stored<T>> {
    const fenced = this.#fenced("patch", kind, options);
    return this.#observe(kind, await this.#write("patch", kind, () => this.inner.patch(kind, ref, patch, fenced)), options);
  }

  override async apply<T extends KubeObject, I extends KubeObject = never>(kind: Kind<T, I>, obj: NoInfer<KindInput<T, I>>, options: ApplyOptions = {}): Promise<Stored<T>> {
    const fenced = this.#fenced("apply", kind, options);
    return this.#observe(kind, await this.#write("apply", kind, () => this.inner.apply(kind, obj, fenced)), options);
  }

  override async delete<T extends KubeObject>(kind: Kind<T>, ref: ObjectRef, options: DeleteOptions = {}): Promise<Stored<T> | Status> {
    const fenced = this.#fenced("delete", kind, options);
    const out = await this.#write("delete", kind, () => this.inner.delete(kind, ref, fenced));
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
