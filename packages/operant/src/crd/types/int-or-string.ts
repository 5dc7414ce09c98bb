// Kubernetes' IntOrString (ports, maxSurge "25%"): an integer or a string in
// the same field, which a structural schema spells x-kubernetes-int-or-string.
import Type, { type TSchemaOptions } from "typebox";

/**
 * A field that holds an integer or a string (`x-kubernetes-int-or-string:
 * true` in the CRD), typed `number | string`. `Type.Union([Type.Integer(),
 * Type.String()])` is converted the same way; this helper says it by name.
 *
 * @param options TypeBox options for the field: description, default, CEL rules…
 * @example
 * ```ts
 * const Spec = Type.Object({
 *   maxUnavailable: IntOrString({ description: "Pods that may be down: a number or a percentage", default: "25%" }),
 * });
 * ```
 */
export function IntOrString(options: TSchemaOptions = {}) {
  return Type.Union([Type.Integer(), Type.String()], { ...options, "x-kubernetes-int-or-string": true });
}
