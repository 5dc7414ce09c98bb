// A whole Kubernetes object nested in a field (a template, an object to
// create): x-kubernetes-embedded-resource makes the API server check its
// apiVersion, kind and metadata as it does for top-level objects.
import Type, { type TSchemaOptions, type TUnsafe } from "typebox";
import type { KubeObject } from "../../core/object.ts";

/**
 * A Kubernetes object embedded in a field, as {@link EmbeddedResource} types it by default.
 *
 * @example
 * ```ts
 * const template: EmbeddedObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { a: "b" } };
 * ```
 */
export type EmbeddedObject = KubeObject & { apiVersion: string; kind: string; [field: string]: unknown };

/**
 * A field holding a complete Kubernetes object (`x-kubernetes-embedded-resource:
 * true`): `apiVersion` and `kind` are required and `metadata` is validated like
 * an object's; everything else is kept as it is
 * (`x-kubernetes-preserve-unknown-fields: true`).
 *
 * @typeParam T the TypeScript type of the embedded object (default: any object with apiVersion and kind)
 * @param options TypeBox options for the field: description, CEL rules…
 * @example
 * ```ts
 * const Spec = Type.Object({
 *   template: EmbeddedResource({ description: "The object to create for each tenant" }),
 * });
 * ```
 */
export function EmbeddedResource<T extends KubeObject = EmbeddedObject>(options: TSchemaOptions = {}): TUnsafe<T> {
  return Type.Unsafe<T>({
    ...options,
    type: "object",
    required: ["apiVersion", "kind"],
    properties: { apiVersion: { type: "string" }, kind: { type: "string" } },
    "x-kubernetes-embedded-resource": true,
    "x-kubernetes-preserve-unknown-fields": true,
  });
}
