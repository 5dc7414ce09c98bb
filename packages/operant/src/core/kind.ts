// A kind of object the API serves, as operant addresses it: group, version,
// kind, and the REST resource (plural) with its scope. Built-in kinds come from
// `operant/kinds`, custom ones from `defineResource()`; the TypeScript type of
// the objects rides along as a phantom parameter.
import type { KubeObject } from "./object.ts";

declare const objectType: unique symbol;

/**
 * A kind of Kubernetes object and how to reach it over REST.
 *
 * @example
 * ```ts
 * const Pod = defineKind<PodObject>({ group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true });
 * ```
 */
export interface Kind<T extends KubeObject = KubeObject> {
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
}

/** The object type of a {@link Kind}. */
export type ObjectOf<K> = K extends Kind<infer T> ? T : never;

/**
 * Describes a kind.
 *
 * @example
 * ```ts
 * interface Widget extends KubeObject { spec: { size: number } }
 * const Widget = defineKind<Widget>({ group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true });
 * ```
 */
export function defineKind<T extends KubeObject>(k: { group: string; version: string; kind: string; plural: string; namespaced: boolean }): Kind<T> {
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
