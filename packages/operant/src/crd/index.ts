/**
 * operant CRDs: define a custom resource once, as TypeBox schemas; get its
 * objects' TypeScript type, a Kind for the client and controllers, client-side
 * validation, and its CustomResourceDefinition.
 *
 * How TypeBox maps onto a structural CRD schema:
 *
 * | TypeBox | CRD schema |
 * | --- | --- |
 * | `Type.Object({...})`, `Type.Optional(T)` | `type: object`, `properties`, `required` (optional fields left out) |
 * | `Defaulted(T, value)`, or any `{ default: value }` | `default: value`, left out of `required` (the API server fills it in) |
 * | `Type.Integer()` / `Type.Number()` | `type: integer` / `type: number`; `format: "int32"`… passed through |
 * | `minimum`, `exclusiveMinimum: n`, … | `minimum`, `exclusiveMinimum: true` (OpenAPI 3.0 form) |
 * | `Type.Union([Type.Literal("a"), Type.Literal("b")])`, `Type.Enum` | `type: string, enum: [a, b]` |
 * | `Type.Union([T, Type.Null()])` | `T` with `nullable: true` |
 * | `IntOrString()` or `Type.Union([Type.Integer(), Type.String()])` | `x-kubernetes-int-or-string: true` |
 * | `Type.Record(Type.String(), T)` | `additionalProperties: T` (a map) |
 * | `FreeForm()`, `Type.Object({...}, { additionalProperties: true })` | `x-kubernetes-preserve-unknown-fields: true` |
 * | `EmbeddedResource()` | `x-kubernetes-embedded-resource: true` |
 * | `Type.Array(Condition)` | list-map keyed by `type` (`x-kubernetes-list-type: map`) |
 * | `Type.Intersect([objects])` | one merged object |
 * | options `"x-kubernetes-validations"`, `"x-kubernetes-list-type"`, … | copied (and checked) |
 * | `additionalProperties: false`, `$id`, `examples`, `readOnly` | dropped |
 *
 * Refused with `CrdSchemaNotStructural` (the message names the field and the
 * fix): fields without a type (`Type.Any`, `Type.Unknown`), unions of
 * different types or of objects, `Type.Ref`/`Type.Cyclic`, tuples,
 * `uniqueItems: true`, maps with key patterns, fixed properties together with
 * map entries, `oneOf`/`not`/`if`, and other keywords CRDs lack. Refused with
 * `CrdSchemaInvalid`: defaults that fail their own schema, patterns Go's
 * regular expressions cannot run, malformed list types, map keys or CEL rules.
 *
 * @example
 * ```ts
 * import Type from "typebox";
 * import { defineResource, Condition, crdManifest } from "operant";
 *
 * export const Memcached = defineResource({
 *   group: "cache.example.com", version: "v1alpha1", kind: "Memcached", scope: "Namespaced",
 *   spec: Type.Object({ size: Type.Integer({ minimum: 1 }) }),
 *   status: Type.Object({ nodes: Type.Array(Type.String()), conditions: Type.Array(Condition) }),
 *   printerColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.size" }],
 * });
 * export type Memcached = ObjectOf<typeof Memcached>;
 * const crd = crdManifest(Memcached); // apply with kubectl apply --server-side, or the client
 * ```
 * @module
 */
export {
  defineResource,
  AGE_COLUMN,
  type ResourceDefinition,
  type ResourceOptions,
  type VersionOptions,
  type ResourceObject,
  type ResourceInput,
  type ResourceNames,
  type PrinterColumn,
  type ScaleSubresource,
  type Scope,
} from "./resource/resource.ts";
export { crdManifest, crdManifests, type CustomResourceDefinitionManifest, type CrdVersion } from "./manifest/manifest.ts";
export { installCrds, uninstallCrds, type InstallCrdsOptions } from "./install/install.ts";
export { Condition } from "./types/condition.ts";
export { IntOrString } from "./types/int-or-string.ts";
export { Defaulted, isDefaulted, type TDefaulted, type StaticOutput } from "./types/defaulted.ts";
export { FreeForm } from "./types/free-form.ts";
export { EmbeddedResource, type EmbeddedObject } from "./types/embedded-resource.ts";
export type { JSONSchemaProps, ValidationRule, KubernetesSchemaOptions } from "./schema/json-schema-props.ts";
export type { ValidationProblem } from "./validate/validate.ts";
