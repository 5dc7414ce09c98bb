/**
 * operant CRDs: define a custom resource once, as TypeBox schemas; get its
 * objects' TypeScript type, a Kind for the client and controllers, client-side
 * validation, and its CustomResourceDefinition.
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
 * const crd = crdManifest(Memcached);
 * ```
 * @module
 */
export {
  defineResource,
  type ResourceDefinition,
  type ResourceOptions,
  type VersionOptions,
  type ResourceObject,
  type ResourceNames,
  type PrinterColumn,
  type ScaleSubresource,
  type Scope,
} from "./resource/resource.ts";
export { crdManifest, crdManifests, type CustomResourceDefinitionManifest, type CrdVersion } from "./manifest/manifest.ts";
export { Condition } from "./types/condition.ts";
export { IntOrString } from "./types/int-or-string.ts";
export { FreeForm } from "./types/free-form.ts";
export { EmbeddedResource, type EmbeddedObject } from "./types/embedded-resource.ts";
export type { JSONSchemaProps, ValidationRule, KubernetesSchemaOptions } from "./schema/json-schema-props.ts";
export type { ValidationProblem } from "./validate/validate.ts";
