// A kind of object the API serves, as operant addresses it: group, version,
// kind, and the REST resource (plural) with its scope. Built-in kinds come from
// `operant/kinds`, custom ones from `defineResource()`; the TypeScript type of
// the objects rides along as a phantom parameter.
import type { KubeObject } from "./object.ts";

declare const objectType: unique symbol;
declare const inputType: unique symbol;

/**
 * A kind of Kubernetes object and how to reach it over REST. `T` is the type
 * of its objects as they are read (from the API server or the cache); `I`,
 * if given, the type of what a client writes (create, update, apply) when it
 * differs: custom resources with defaulted fields, which are optional on
 * write and present on read (see `Defaulted`). Left out (`never`), what is
 * written is `T`, as for built-in kinds.
 *
 * @example
 * ```ts
 * const Pod = defineKind<PodObject>({ group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true });
 * ```
 */
export interface Kind<T extends KubeObject = KubeObject, I extends KubeObject = never> {
  /** API group; `""` for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** `group/version`, or `version` for the core group. */
  readonly apiVersion: string;
  /** The REST resource name, e.g. `deployments`. */
  readonly plural: string;
  readonly namespaced: boolean;
  /** Phantom: the type of this kind's objects. Never set at runtime. */
  readonly [objectType]?: T;
  /**
   * Phantom: the type of what users write, when it is not `T`. Never set at
   * runtime. A method, so its parameter is compared both ways: a
   * `Kind<Read, Write>` goes wherever a `Kind<Read>` does.
   */
  [inputType]?(input: I): void;
}

/**
 * The type of a {@link Kind}'s objects as they are read: from the API
 * server, the cache, a reconcile. For a custom resource, defaulted fields are
 * present (the API server fills them in).
 *
 * @example
 * ```ts
 * type Memcached = ObjectOf<typeof Memcached>;
 * function size(mc: Stored<Memcached>): number { return mc.spec.size; }
 * ```
 */
export type ObjectOf<K> = K extends Kind<infer T, never> ? T : never;

/**
 * The type of what a client writes for a {@link Kind} (create, update,
 * apply): for a custom resource, its defaulted fields are optional, since the
 * API server fills them in; for built-in kinds it is {@link ObjectOf}.
 *
 * @example
 * ```ts
 * const draft: InputOf<typeof Memcached> = { metadata: { name: "mc", namespace: "default" }, spec: {} }; // size defaulted
 * await client.create(Memcached, draft);
 * ```
 */
export type InputOf<K> = K extends Kind<infer T, infer I> ? KindInput<T, I> : never;

/**
 * What is written for a kind whose objects are `T` and whose input type is
 * `I` (see {@link Kind}): `I`, or `T` when `I` is left out. The type of the
 * bodies of the client's create, update and apply.
 *
 * @example
 * ```ts
 * async function create<T extends KubeObject, I extends KubeObject = never>(kind: Kind<T, I>, body: KindInput<T, I>) { … }
 * ```
 */
export type KindInput<T extends KubeObject, I extends KubeObject> = [I] extends [never] ? T : I;

/**
 * Describes a kind.
 *
 * @example
 * ```ts
 * interface Widget extends KubeObject { spec: { size: number } }
 * const Widget = defineKind<Widget>({ group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true });
 * ```
 */
export function defineKind<T extends KubeObject, I extends KubeObject = never>(k: { group: string; version: string; kind: string; plural: string; namespaced: boolean }): Kind<T, I> {
  return Object.freeze({ ...k, apiVersion: k.group ? `${k.group}/${k.version}` : k.version });
}

/**
 * `apps/v1, Kind=Deployment`, as Kubernetes prints a GroupVersionKind.
 *
 * @example
 * ```ts
 * gvkString(Deployment) // "apps/v1, Kind=Deployment"
 * ```
 */
export function gvkString(k: Pick<Kind, "apiVersion" | "kind">): string {
  return `${k.apiVersion}, Kind=${k.kind}`;
}

/**
 * Splits an `apiVersion` into group and version.
 *
 * @example
 * ```ts
 * parseApiVersion("apps/v1") // { group: "apps", version: "v1" }
 * parseApiVersion("v1")      // { group: "", version: "v1" }
 * ```
 */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}
