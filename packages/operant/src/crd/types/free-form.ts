// The escape hatch for fields whose content the operator does not model
// (Helm-style values, raw configuration): an object the API server stores
// as it is, instead of pruning what the schema does not list.
import Type, { type TObjectOptions } from "typebox";

/**
 * An object of arbitrary JSON, kept as it is by the API server
 * (`type: object` + `x-kubernetes-preserve-unknown-fields: true`), typed
 * `Record<string, unknown>`. Nothing inside it is validated or defaulted:
 * prefer a real schema wherever you can.
 *
 * @param options TypeBox options for the field: description, CEL rules, maxProperties…
 * @example
 * ```ts
 * const Spec = Type.Object({
 *   values: Type.Optional(FreeForm({ description: "Chart values, passed through untouched" })),
 * });
 * ```
 */
export function FreeForm(options: TObjectOptions = {}) {
  return Type.Record(Type.String(), Type.Unknown(), { ...options, "x-kubernetes-preserve-unknown-fields": true });
}
