// The Client: typed CRUD, patches, server-side apply, status, watches, for
// built-in and custom kinds alike. It always talks to the API server (reads
// from the watch cache go through the cache, not through here).
import { OperantError } from "../core/errors.ts";
import type { Kind, KindInput } from "../core/kind.ts";
import type { KubeObject, ObjectRef, Stored, StoredMeta } from "../core/object.ts";
import { loadClusterConfig, type ClusterConfig, type LoadClusterConfigOptions } from "./config/index.ts";
import { Discovery } from "./discovery/discovery.ts";
import { decodeList, decodeObject, decodeWatchEvent, PROTOBUF_MEDIA_TYPE, protobufDecoder, type DecodeOptions } from "./protobuf/envelope.ts";
import { lengthFrames } from "./protobuf/frames.ts";
import type { KindDecoder } from "./protobuf/generated.ts";
import type { Interner } from "./protobuf/wire.ts";
import { ApiError, type Status } from "./transport/api-error.ts";
import { DEFAULT_MAX_LINE_BYTES, jsonLines } from "./transport/json-lines.ts";
import { Transport, type TransportOptions } from "./transport/transport.ts";

/**
 * Options for {@link Client}.
 *
 * @example
 * ```ts
 * const client = await Client.connect({ fieldManager: "my-operator", qps: 50, burst: 100 } satisfies ClientOptions);
 * ```
 */
export interface ClientOptions extends TransportOptions {
  /** Field manager for writes (default `operant`); server-side apply always needs one. */
  fieldManager?: string;
  /**
   * Largest watch event accepted, in bytes (default 16 MiB, {@link DEFAULT_MAX_LINE_BYTES}). A larger one ends
   * the watch with `WatchEventTooLarge` instead of being held in memory however large it grows.
   */
  maxWatchEventBytes?: number;
  /**
   * Wire format of reads (get, list, watch) of built-in kinds: `protobuf` (default; what the API server encodes
   * fastest, with JSON as the fallback it may answer with) or `json`. Custom resources and writes are always JSON.
   */
  wire?: "protobuf" | "json";
}

/**
 * Options shared by every call.
 *
 * @example
 * ```ts
 * await client.get(Pod, { namespace: "default", name: "web" }, { signal: AbortSignal.timeout(5_000) } satisfies CallOptions);
 * ```
 */
export interface CallOptions {
  signal?: AbortSignal | undefined;
}

/**
 * Options of writes.
 *
 * @example
 * ```ts
 * await client.create(ConfigMap, cm, { dryRun: true, fieldManager: "preview" } satisfies WriteOptions);
 * ```
 */
export interface WriteOptions extends CallOptions {
  /** Validate and admit, but do not persist (`dryRun=All`). */
  dryRun?: boolean;
  /** Overrides the client's field manager. */
  fieldManager?: string;
}

/**
 * Selects objects for list and watch.
 *
 * @example
 * ```ts
 * const { items } = await client.list(Pod, { namespace: "default", labelSelector: { app: "web" }, fieldSelector: "status.phase=Running" } satisfies ListOptions);
 * ```
 */
export interface ListOptions extends CallOptions {
  /** Namespace of a namespaced kind; omit for all namespaces. */
  namespace?: string | undefined;
  /** Label selector, as a string (`app=web,tier!=db`) or as equality pairs. */
  labelSelector?: string | Record<string, string> | undefined;
  /** Field selector, e.g. `metadata.name=web` or `status.phase=Running`. */
  fieldSelector?: string | undefined;
  /** Page size for list (default 500). Lists are always paged. */
  limit?: number;
  /** Ask for metadata only (`PartialObjectMetadata`): much smaller when only names, labels or owners matter. */
  metadataOnly?: boolean;
  /**
   * Leave `metadata.managedFields` out of the objects (a cache that drops them anyway): in protobuf they are
   * skipped undecoded, which saves most of the decoding of a typical object; in JSON they are deleted after parsing.
   */
  withoutManagedFields?: boolean | undefined;
  /**
   * Decode protobuf answers straight into the form a cache keeps: every
   * object, array and map frozen as it is decoded, the strings that repeat
   * between objects made one instance by this interner, a list's items with
   * their apiVersion and kind from the start. JSON answers are parsed as
   * usual (mutable): a cache freezes those itself. The informer sets it when
   * it keeps what it receives as it is.
   */
  cacheForm?: Interner | undefined;
}

/**
 * Options of {@link Client.watch}.
 *
 * @example
 * ```ts
 * for await (const e of client.watch(Pod, { namespace: "default", resourceVersion: list.metadata.resourceVersion } satisfies WatchOptions)) console.log(e.type);
 * ```
 */
export interface WatchOptions extends ListOptions {
  /** Start after this resourceVersion (from a list, or the last event seen). */
  resourceVersion?: string | undefined;
  /** Ask for BOOKMARK events (default true): they advance the resourceVersion on quiet streams. */
  allowWatchBookmarks?: boolean;
  /** Server-side timeout of the watch request (the server closes it then). */
  timeoutSeconds?: number | undefined;
  /**
   * Stream the collection's current state first (WatchList): synthetic ADDED
   * events, then a BOOKMARK annotated `k8s.io/initial-events-end: "true"`
   * whose resourceVersion is where the list ends. Needs
   * `resourceVersionMatch: "NotOlderThan"` and bookmarks; servers without the
   * WatchList feature reject the request or ignore it (no such bookmark).
   */
  sendInitialEvents?: boolean | undefined;
  /** With `sendInitialEvents`: `NotOlderThan` (the only value the server accepts there). */
  resourceVersionMatch?: "NotOlderThan" | undefined;
}

/**
 * Options of {@link Client.patch}.
 *
 * @example
 * ```ts
 * await client.patch(Deployment, ref, { spec: { replicas: 3 } }, { type: "merge" } satisfies PatchOptions);
 * await client.patch(Memcached, ref, { status: { ready: true } }, { subresource: "status" });
 * ```
 */
export interface PatchOptions extends WriteOptions {
  /** `merge` (JSON merge patch, RFC 7386; default), `json` (RFC 6902 operations) or `strategic` (built-in kinds only). */
  type?: "merge" | "json" | "strategic";
  subresource?: "status" | "scale";
}

/**
 * Options of {@link Client.apply}.
 *
 * @example
 * ```ts
 * await client.apply(ConfigMap, cm, { fieldManager: "my-operator", force: true } satisfies ApplyOptions);
 * ```
 */
export interface ApplyOptions extends WriteOptions {
  /** Take ownership of fields another manager owns, instead of failing with Conflict. */
  force?: boolean;
  subresource?: "status";
}

/**
 * Options of {@link Client.delete}.
 *
 * @example
 * ```ts
 * await client.delete(Job, ref, { propagationPolicy: "Foreground", preconditions: { uid: job.metadata.uid } } satisfies DeleteOptions);
 * ```
 */
export interface DeleteOptions extends WriteOptions {
  /** `Background` (default on the server for most kinds), `Foreground` or `Orphan`. */
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  /** Delete only if the object still has this uid / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
}

/**
 * A page or a whole list.
 *
 * @example
 * ```ts
 * const list: ObjectList<Pod> = await client.list(Pod, { namespace: "default" });
 * console.log(list.items.length, list.metadata.resourceVersion);
 * ```
 */
export interface ObjectList<T extends KubeObject> {
  items: Stored<T>[];
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
}

/**
 * An object with nothing but its metadata (metadata-only list and watch).
 *
 * @example
 * ```ts
 * const { items } = await client.list(Secret, { namespace: "default", metadataOnly: true });
 * const names = items.map((s: PartialObjectMetadata) => s.metadata.name);
 * ```
 */
export interface PartialObjectMetadata extends KubeObject {
  apiVersion: string;
  kind: string;
  metadata: StoredMeta;
}

/**
 * One event of a watch.
 *
 * @example
 * ```ts
 * for await (const e of client.watch(Pod, { namespace: "default" }) as AsyncGenerator<WatchEvent<Pod>>) {
 *   if (e.type !== "BOOKMARK") console.log(e.type, e.object.metadata.name);
 * }
 * ```
 */
export type WatchEvent<T extends KubeObject> =
  | { type: "ADDED" | "MODIFIED" | "DELETED"; object: Stored<T> }
  | { type: "BOOKMARK"; object: { apiVersion?: string; kind?: string; metadata: { resourceVersion: string; annotations?: Record<string, string> } } };

const PATCH_TYPES = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
} as const;

const METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
const METADATA_ONE = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
/** Reads of built-in kinds: protobuf, JSON if the server will not (a proxy, an aggregated API without protobuf). */
const PROTOBUF_OR_JSON = `${PROTOBUF_MEDIA_TYPE}, application/json`;

/**
 * `a=b,c=d` from pairs; strings pass through.
 *
 * @example
 * ```ts
 * selectorString({ app: "web", tier: "db" }) // "app=web,tier=db"
 * selectorString("app!=web")               // "app!=web"
 * ```
 */
export function selectorString(sel: string | Record<string, string> | undefined): string | undefined {
  if (sel === undefined || typeof sel === "string") return sel;
  return Object.entries(sel)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

function basePath(kind: Kind): string {
  return kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
}

/**
 * Checks that a name or namespace can be one segment of a request path, by
 * the API server's rule for names in paths (apimachinery's
 * `IsValidPathSegmentName`, which client-go applies before sending): not
 * empty, not `.` or `..`, no `/` and no `%`. Without it `..` would climb the
 * path (`list(Secret, { namespace: ".." })` would list every namespace's
 * Secrets). Throws `InvalidName`.
 *
 * @example
 * ```ts
 * checkPathSegment("web", "name", "get ConfigMap");  // fine
 * checkPathSegment("..", "namespace", "list Secret"); // throws InvalidName
 * ```
 */
export function checkPathSegment(value: string, what: "name" | "namespace", action: string): void {
  let problem: string | undefined;
  if (value === "") problem = "is empty";
  else if (value === "." || value === "..") problem = `may not be "${value}"`;
  else if (value.includes("/")) problem = 'may not contain "/"';
  else if (value.includes("%")) problem = 'may not contain "%"';
  if (problem === undefined) return;
  throw new OperantError(
    "InvalidName",
    `${action}: the ${what} ${JSON.stringify(value)} ${problem}, so it cannot be part of a request path; nothing was sent. ` +
      `Kubernetes ${what}s are never ".", ".." and never contain "/" or "%": if the ${what} comes from user input or another object, check it before the call.`,
  );
}

/**
 * The REST path of a kind's collection (optionally in a namespace) or of one
 * object. The name and namespace are checked with {@link checkPathSegment}
 * (throws `InvalidName`), so no request can reach another path than the one
 * meant.
 *
 * @example
 * ```ts
 * resourcePath(Deployment, { namespace: "prod", name: "web" }) // "/apis/apps/v1/namespaces/prod/deployments/web"
 * ```
 */
export function resourcePath(kind: Kind, ref: { namespace?: string | undefined; name?: string | undefined }, subresource?: string, action = `${kind.kind}`): string {
  let p = basePath(kind);
  if (kind.namespaced && ref.namespace) {
    checkPathSegment(ref.namespace, "namespace", action);
    p += `/namespaces/${encodeURIComponent(ref.namespace)}`;
  }
  p += `/${kind.plural}`;
  if (ref.name !== undefined) {
    checkPathSegment(ref.name, "name", action);
    p += `/${encodeURIComponent(ref.name)}`;
  }
  if (subresource) p += `/${subresource}`;
  return p;
}

function requireRef(kind: Kind, ref: Partial<ObjectRef>, verb: string): ObjectRef {
  if (!ref.name) throw new OperantError("InvalidArgument", `${verb} ${kind.kind}: a name is required.`);
  if (kind.namespaced && !ref.namespace) {
    throw new OperantError("NamespaceRequired", `${verb} ${kind.kind} "${ref.name}": ${kind.kind} is namespaced, so a namespace is required (set metadata.namespace or pass { namespace }).`);
  }
  return { name: ref.name, namespace: kind.namespaced ? ref.namespace : undefined };
}

function withTypeMeta<T extends KubeObject>(kind: Kind, obj: T): T {
  if (obj.apiVersion === kind.apiVersion && obj.kind === kind.kind) return obj;
  return { ...obj, apiVersion: kind.apiVersion, kind: kind.kind };
}

function writeQuery(o: WriteOptions, fieldManager: string): Record<string, string | undefined> {
  return { dryRun: o.dryRun ? "All" : undefined, fieldManager: o.fieldManager ?? fieldManager };
}

/**
 * A Kubernetes API client: typed CRUD for any {@link Kind}, paged lists,
 * patches, server-side apply, the status subresource, dry runs, and watches
 * parsed event by event. Errors are {@link ApiError}s with stable codes.
 *
 * @example
 * ```ts
 * const client = await Client.connect();                        // kubeconfig like kubectl
 * const dep = await client.get(Deployment, { namespace: "default", name: "web" });
 * await client.apply(ConfigMap, { metadata: { name: "settings", namespace: "default" }, data: { a: "1" } }, { fieldManager: "my-operator" });
 * for await (const ev of client.watch(Pod, { namespace: "default" })) console.log(ev.type, ev.object.metadata.name);
 * ```
 */
export class Client {
  readonly transport: Transport;
  readonly discovery: Discovery;
  /** The default field manager of writes. */
  readonly fieldManager: string;
  /** Largest watch event accepted, in bytes. */
  readonly maxWatchEventBytes: number;
  /** Wire format of reads of built-in kinds. */
  readonly wire: "protobuf" | "json";

  constructor(transport: Transport, options: { fieldManager?: string; maxWatchEventBytes?: number; wire?: "protobuf" | "json" } = {}) {
    this.transport = transport;
    this.discovery = new Discovery(transport);
    this.fieldManager = options.fieldManager ?? "operant";
    this.maxWatchEventBytes = options.maxWatchEventBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.wire = options.wire ?? "protobuf";
  }

  /** The protobuf decoders to read `kind` with, or `undefined` to read it as JSON. */
  #protobuf(kind: Kind, metadataOnly: boolean | undefined): KindDecoder | undefined {
    if (this.wire === "json" || metadataOnly) return undefined;
    return protobufDecoder(kind.apiVersion, kind.kind);
  }

  /** A read of a built-in kind, in protobuf if the server answers so, else JSON. */
  async #read<T>(req: Parameters<Transport["request"]>[0], decode: (body: Buffer) => unknown): Promise<T> {
    const res = await this.transport.requestBytes({ ...req, accept: PROTOBUF_OR_JSON });
    if (res.contentType.startsWith(PROTOBUF_MEDIA_TYPE)) return decode(res.body) as T;
    const text = res.body.toString("utf8");
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new OperantError("InvalidResponse", `${req.method} ${req.path}: the API server sent a body that is not JSON (${text.slice(0, 120)}…)`, { cause: err });
    }
  }

  /**
   * Loads the cluster configuration like kubectl does (`kubeconfig` option,
   * `KUBECONFIG`, `~/.kube/config`, or in-cluster) and returns a client.
   */
  static async connect(options: LoadClusterConfigOptions & ClientOptions = {}): Promise<Client> {
    const config = await loadClusterConfig(options);
    return Client.fromConfig(config, options);
  }

  /** A client for an already-loaded cluster configuration. */
  static fromConfig(config: ClusterConfig, options: ClientOptions = {}): Client {
    return new Client(new Transport(config, options), {
      ...(options.fieldManager !== undefined && { fieldManager: options.fieldManager }),
      ...(options.maxWatchEventBytes !== undefined && { maxWatchEventBytes: options.maxWatchEventBytes }),
      ...(options.wire !== undefined && { wire: options.wire }),
    });
  }

  /** The namespace of the kubeconfig's context (or the in-cluster namespace). */
  get defaultNamespace(): string {
    return this.transport.config.namespace;
  }

  /** Reads one object. Throws `NotFound` if it does not exist. */
  async get<T extends KubeObject>(kind: Kind<T>, ref: ObjectRef, options: CallOptions = {}): Promise<Stored<T>> {
    const r = requireRef(kind, ref, "get");
    const req = { method: "GET", path: resourcePath(kind, r, undefined, `get ${kind.kind}`), signal: options.signal } as const;
    if (this.#protobuf(kind, false)) return this.#read<Stored<T>>(req, (body) => decodeObject(body, `get ${kind.kind}`));
    return (await this.transport.request<Stored<T>>(req)).body;
  }

  /** Reads one object, or returns `undefined` if it does not exist. */
  async tryGet<T extends KubeObject>(kind: Kind<T>, ref: ObjectRef, options: CallOptions = {}): Promise<Stored<T> | undefined> {
    try {
      return await this.get(kind, ref, options);
    } catch (err) {
      if (err instanceof ApiError && err.code === "NotFound") return undefined;
      throw err;
    }
  }

  /**
   * Yields a list page by page (`limit`/`continue`), so memory holds one page
   * at a time. If the continue token expires mid-way (410), the list restarts
   * from the beginning — callers get `restarted: true` on the first page of
   * the new pass and must discard earlier pages.
   */
  async *listPages<T extends KubeObject>(kind: Kind<T>, options: ListOptions & { resourceVersion?: string } = {}): AsyncGenerator<ObjectList<T> & { restarted: boolean }> {
    let cont: string | undefined;
    let restarted = false;
    for (let restarts = 0; ; ) {
      let page: ObjectList<T>;
      try {
        const req = {
          method: "GET",
          path: resourcePath(kind, { namespace: options.namespace }, undefined, `list ${kind.kind}`),
          query: {
            limit: options.limit ?? 500,
            continue: cont,
            labelSelector: selectorString(options.labelSelector),
            fieldSelector: options.fieldSelector,
            resourceVersion: cont ? undefined : options.resourceVersion,
          },
          accept: options.metadataOnly ? METADATA_LIST : undefined,
          signal: options.signal,
        } as const;
        const proto = this.#protobuf(kind, options.metadataOnly);
        const decode = { dropManagedFields: options.withoutManagedFields, cacheForm: options.cacheForm };
        page = proto ? await this.#read<ObjectList<T>>(req, (body) => decodeList(body, proto, `list ${kind.kind}`, decode)) : (await this.transport.request<ObjectList<T>>(req)).body;
      } catch (err) {
        if (cont && err instanceof ApiError && err.code === "Gone" && restarts < 3) {
          restarts++;
          cont = undefined;
          restarted = true;
          continue;
        }
        throw err;
      }
      // A metadata-only list with no (matching) items says `"items": null`.
      page.items ??= [];
      // List items carry no apiVersion/kind on the wire; add them so every Stored object has them.
      const apiVersion = options.metadataOnly ? "meta.k8s.io/v1" : kind.apiVersion;
      const k = options.metadataOnly ? "PartialObjectMetadata" : kind.kind;
      for (const item of page.items as KubeObject[]) {
        item.apiVersion ??= apiVersion;
        item.kind ??= k;
        if (options.withoutManagedFields && item.metadata?.managedFields) delete item.metadata.managedFields;
      }
      yield { ...page, restarted };
      restarted = false;
      cont = page.metadata.continue || undefined;
      if (!cont) return;
    }
  }

  /** Lists objects (all pages). The list's `resourceVersion` is where a watch can start. */
  async list<T extends KubeObject>(kind: Kind<T>, options: ListOptions = {}): Promise<ObjectList<T>> {
    let items: Stored<T>[] = [];
    let metadata: ObjectList<T>["metadata"] = { resourceVersion: "" };
    for await (const page of this.listPages(kind, options)) {
      if (page.restarted) items = [];
      for (const item of page.items) items.push(item);
      metadata = { resourceVersion: page.metadata.resourceVersion };
    }
    return { items, metadata };
  }

  /**
   * Creates an object (namespace from `metadata.namespace`). Throws
   * `AlreadyExists` if the name is taken. The body is the kind's input type
   * (`InputOf`: a custom resource's defaulted fields may be left out); the
   * result, as the server stored it, has them.
   */
  async create<T extends KubeObject, I extends KubeObject = never>(kind: Kind<T, I>, obj: NoInfer<KindInput<T, I>>, options: WriteOptions = {}): Promise<Stored<T>> {
    const ns = obj.metadata?.namespace;
    if (kind.namespaced && !ns) throw new OperantError("NamespaceRequired", `create ${kind.kind}: set metadata.namespace (${kind.kind} is namespaced).`);
    const res = await this.transport.request<Stored<T>>({
      method: "POST",
      path: resourcePath(kind, { namespace: ns }, undefined, `create ${kind.kind}`),
      query: writeQuery(options, this.fieldManager),
      body: withTypeMeta(kind, obj),
      signal: options.signal,
    });
    return res.body;
  }

  /**
   * Replaces an object (PUT). With `metadata.resourceVersion` set (as on an
   * object you read), a concurrent change makes it fail with `Conflict`.
   */
  async update<T extends KubeObject, I extends KubeObject = never>(kind: Kind<T, I>, obj: NoInfer<KindInput<T, I>>, options: WriteOptions = {}): Promise<Stored<T>> {
    return this.#put(kind, obj, undefined, options);
  }

  /** Replaces the status subresource (only `status` changes; needs the resourceVersion like update). */
  async updateStatus<T extends KubeObject, I extends KubeObject = never>(kind: Kind<T, I>, obj: NoInfer<KindInput<T, I>>, options: WriteOptions = {}): Promise<Stored<T>> {
    return this.#put(kind, obj, "status", options);
  }

  async #put<T extends KubeObject, I extends KubeObject>(kind: Kind<T, I>, obj: KindInput<T, I>, subresource: string | undefined, options: WriteOptions): Promise<Stored<T>> {
    const r = requireRef(kind, { name: obj.metadata?.name, namespace: obj.metadata?.namespace }, subresource ? `update ${subresource} of` : "update");
    return (
      await this.transport.request<Stored<T>>({
        method: "PUT",
        path: resourcePath(kind, r, subresource, `update ${kind.kind}`),
        query: writeQuery(options, this.fieldManager),
        body: withTypeMeta(kind, obj),
        signal: options.signal,
      })
    ).body;
  }

  /**
   * Patches an object: a JSON merge patch by default, or a JSON patch
   * (operations list), or a strategic merge patch (built-in kinds only).
   *
   * @example
   * ```ts
   * await client.patch(Deployment, { namespace: "default", name: "web" }, { spec: { replicas: 3 } });
   * await client.patch(Pod, ref, [{ op: "remove", path: "/metadata/labels/stale" }], { type: "json" });
   * ```
   */
  async patch<T extends KubeObject>(kind: Kind<T>, ref: ObjectRef, patch: unknown, options: PatchOptions = {}): Promise<Stored<T>> {
    const r = requireRef(kind, ref, "patch");
    const path = resourcePath(kind, r, options.subresource, `patch ${kind.kind}`);
    try {
      return (
        await this.transport.request<Stored<T>>({
          method: "PATCH",
          path,
          query: writeQuery(options, this.fieldManager),
          body: patch,
          contentType: PATCH_TYPES[options.type ?? "merge"],
          signal: options.signal,
        })
      ).body;
    } catch (err) {
      // A JSON patch operation that fails (a `test` that does not match, a missing path) comes back as a bare
      // 422 "the server rejected our request due to an error in our request", without causes: say what it means.
      if (options.type === "json" && err instanceof ApiError && err.code === "Invalid" && err.causes.length === 0) {
        const ops = Array.isArray(patch) ? `${patch.length} operation${patch.length === 1 ? "" : "s"}` : "operations";
        throw new ApiError({
          method: "PATCH",
          path,
          status: err.status,
          body: err.body,
          hint: `one of the JSON patch's ${ops} could not be applied (a "test" whose value does not match, a path that does not exist, or an unknown op); the API server does not say which. Read the object and check the operations against it`,
        });
      }
      throw err;
    }
  }

  /**
   * Server-side apply: sends the fields this manager wants to own; the server
   * merges, tracks ownership, creates the object if missing, and reports
   * `Conflict` when another manager owns a field (unless `force`).
   *
   * @example
   * ```ts
   * await client.apply(Deployment, { metadata: { name: "web", namespace: "default" }, spec: { replicas: 2, … } }, { fieldManager: "memcached-operator", force: true });
   * ```
   */
  async apply<T extends KubeObject, I extends KubeObject = never>(kind: Kind<T, I>, obj: NoInfer<KindInput<T, I>>, options: ApplyOptions = {}): Promise<Stored<T>> {
    const r = requireRef(kind, { name: obj.metadata?.name, namespace: obj.metadata?.namespace }, "apply");
    // The server refuses an apply body with managedFields (an object as read has them): send a copy without.
    let body = withTypeMeta(kind, obj);
    if (body.metadata?.managedFields) body = { ...body, metadata: { ...body.metadata, managedFields: undefined } };
    return (
      await this.transport.request<Stored<T>>({
        method: "PATCH",
        path: resourcePath(kind, r, options.subresource, `apply ${kind.kind}`),
        query: { ...writeQuery(options, this.fieldManager), force: options.force ? "true" : undefined },
        body,
        contentType: "application/apply-patch+yaml",
        signal: options.signal,
      })
    ).body;
  }

  /**
   * Deletes an object. Returns the object as it was marked for deletion (it
   * may live on while finalizers run), or the server's Status when it is gone
   * at once. Throws `NotFound` if it does not exist.
   */
  async delete<T extends KubeObject>(kind: Kind<T>, ref: ObjectRef, options: DeleteOptions = {}): Promise<Stored<T> | Status> {
    const r = requireRef(kind, ref, "delete");
    const body: Record<string, unknown> = { apiVersion: "v1", kind: "DeleteOptions" };
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.preconditions) body.preconditions = options.preconditions;
    if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
    if (options.dryRun) body.dryRun = ["All"];
    return (await this.transport.request<Stored<T> | Status>({ method: "DELETE", path: resourcePath(kind, r, undefined, `delete ${kind.kind}`), body, signal: options.signal })).body;
  }

  /**
   * Watches a kind, yielding events as they arrive. Ends when the server
   * closes the stream (normal; resume from the last resourceVersion), throws
   * `Gone` when the resourceVersion is too old (list again), returns quietly
   * when `signal` aborts (before the response, while connecting, or mid-stream).
   */
  async *watch<T extends KubeObject>(kind: Kind<T>, options: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    if (options.signal?.aborted) return;
    const proto = this.#protobuf(kind, options.metadataOnly);
    let res: Awaited<ReturnType<Transport["stream"]>>;
    try {
      res = await this.transport.stream({
        method: "GET",
        path: resourcePath(kind, { namespace: options.namespace }, undefined, `watch ${kind.kind}`),
        query: {
          watch: 1,
          resourceVersion: options.resourceVersion,
          allowWatchBookmarks: options.allowWatchBookmarks ?? true,
          sendInitialEvents: options.sendInitialEvents,
          resourceVersionMatch: options.resourceVersionMatch,
          labelSelector: selectorString(options.labelSelector),
          fieldSelector: options.fieldSelector,
          timeoutSeconds: options.timeoutSeconds,
        },
        accept: options.metadataOnly ? METADATA_ONE : proto ? PROTOBUF_OR_JSON : undefined,
        signal: options.signal,
      });
    } catch (err) {
      // Aborted while connecting or waiting for the response: as quiet as an abort mid-stream.
      if (options.signal?.aborted) return;
      throw err;
    }
    try {
      const what = `watch ${kind.kind}`;
      const decode: DecodeOptions = { dropManagedFields: options.withoutManagedFields, cacheForm: options.cacheForm };
      const contentType = res.headers["content-type"];
      const events =
        proto && String(contentType).startsWith(PROTOBUF_MEDIA_TYPE)
          ? lengthFrames(res.body, { maxFrameBytes: this.maxWatchEventBytes, what, decode: (frame) => decodeWatchEvent(frame, what, proto, decode) })
          : jsonLines(res.body, { maxLineBytes: this.maxWatchEventBytes, what });
      for await (const raw of events) {
        const ev = raw as { type?: string; object?: unknown };
        if (ev.type === "ERROR") {
          const status = ev.object as Status;
          throw new ApiError({ method: "WATCH", path: resourcePath(kind, { namespace: options.namespace }), status: status.code ?? 500, body: status });
        }
        if (ev.type !== "ADDED" && ev.type !== "MODIFIED" && ev.type !== "DELETED" && ev.type !== "BOOKMARK") {
          throw new OperantError("InvalidResponse", `watch ${kind.kind}: unexpected event type ${JSON.stringify(ev.type)}`, { retryable: true });
        }
        if (options.withoutManagedFields && ev.type !== "BOOKMARK") {
          const meta = (ev.object as KubeObject | undefined)?.metadata;
          if (meta?.managedFields) delete meta.managedFields;
        }
        yield ev as WatchEvent<T>;
      }
    } catch (err) {
      if (options.signal?.aborted) return;
      if (err instanceof OperantError) throw err;
      throw new OperantError("ConnectionFailed", `watch ${kind.kind}: the stream broke (${(err as Error).message}); resume from the last resourceVersion.`, { cause: err, retryable: true });
    } finally {
      res.body.destroy();
    }
  }

  /** Closes the client's connections. */
  close(): Promise<void> {
    return this.transport.close();
  }
}
