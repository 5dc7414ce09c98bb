// metav1.Condition as a TypeBox schema, with the validation upstream puts on
// it (apimachinery's types.go markers), so `conditions: Type.Array(Condition)`
// in a status schema is the same list every built-in API has.
import Type, { type Static } from "typebox";
import { CONDITION_REASON_PATTERN, CONDITION_TYPE_PATTERN } from "../../core/names.ts";
import { LIST_MAP_KEYS } from "../schema/convert.ts";

const ConditionSchema = Type.Object(
  {
    type: Type.String({
      description: "Type of condition, in CamelCase or in foo.example.com/CamelCase.",
      maxLength: 316,
      pattern: CONDITION_TYPE_PATTERN,
    }),
    status: Type.Union([Type.Literal("True"), Type.Literal("False"), Type.Literal("Unknown")], { description: "Status of the condition: True, False or Unknown." }),
    observedGeneration: Type.Optional(
      Type.Integer({ description: "The .metadata.generation the condition was set from; older than the object's generation means the condition is out of date.", format: "int64", minimum: 0 }),
    ),
    lastTransitionTime: Type.String({ description: "When the condition last changed from one status to another (RFC 3339).", format: "date-time" }),
    reason: Type.String({
      description: "Programmatic, CamelCase identifier of the reason for the last transition. Never empty.",
      minLength: 1,
      maxLength: 1024,
      pattern: CONDITION_REASON_PATTERN,
    }),
    message: Type.String({ description: "Human-readable details about the last transition. May be empty.", maxLength: 32768 }),
  },
  { description: "Condition contains details for one aspect of the current state of this API Resource." },
);
(ConditionSchema as { [LIST_MAP_KEYS]?: string[] })[LIST_MAP_KEYS] = ["type"];

/**
 * The schema of a `metav1.Condition`, with upstream's validation: `type` a
 * (optionally domain-prefixed) CamelCase name of at most 316 characters,
 * `status` one of True/False/Unknown, `observedGeneration` ≥ 0,
 * `lastTransitionTime` an RFC 3339 date-time, `reason` a non-empty CamelCase
 * identifier (at most 1024), `message` at most 32768 characters.
 *
 * An array of Conditions becomes a list-map keyed by `type`
 * (`x-kubernetes-list-type: map`, `x-kubernetes-list-map-keys: [type]`), as
 * upstream declares `status.conditions`, unless the array sets its own list type.
 *
 * @example
 * ```ts
 * const status = Type.Object({ conditions: Type.Optional(Type.Array(Condition)) });
 * const ready: Condition = { type: "Ready", status: "True", reason: "PodsReady", message: "3/3 ready", lastTransitionTime: new Date().toISOString() };
 * ```
 */
export const Condition = ConditionSchema;

/**
 * One condition of an object's `status.conditions`.
 *
 * @example
 * ```ts
 * const c: Condition = { type: "Available", status: "False", reason: "Scaling", message: "", lastTransitionTime: "2025-01-01T00:00:00Z" };
 * ```
 */
export type Condition = Static<typeof ConditionSchema>;
