// Status conditions as the Kubernetes API conventions define them
// (metav1.Condition), with apimachinery's meta.SetStatusCondition semantics:
// - a condition is identified by its `type`; a list holds each type once;
// - setting a condition updates status, reason, message and observedGeneration;
// - lastTransitionTime moves only when the status changes (a new reason or
//   message alone keeps it), and is set when the condition first appears;
// - new types are appended; existing ones keep their place (stable order).
// Pure: every function returns a new array and never mutates its input.
import { OperantError } from "../errors.ts";
import { CONDITION_REASON_PATTERN, CONDITION_TYPE_PATTERN } from "../names.ts";

/**
 * The three values of a condition's status.
 *
 * @example
 * ```ts
 * const ready: ConditionStatus = pod.status?.conditions?.find((c) => c.type === "Ready")?.status === "True" ? "True" : "False";
 * ```
 */
export type ConditionStatus = "True" | "False" | "Unknown";

/**
 * One entry of `status.conditions` (metav1.Condition).
 *
 * @example
 * ```ts
 * const ready: Condition = { type: "Ready", status: "True", reason: "PodsReady", message: "3/3 ready", lastTransitionTime: "2025-01-01T00:00:00Z", observedGeneration: 4 };
 * ```
 */
export interface Condition {
  /** CamelCase (optionally `example.com/CamelCase`) name of the aspect this condition reports, e.g. `Ready`. */
  type: string;
  status: ConditionStatus;
  /** The `metadata.generation` the condition was computed from. */
  observedGeneration?: number;
  /** When `status` last changed (RFC 3339, seconds). */
  lastTransitionTime: string;
  /** Programmatic CamelCase identifier of why the condition is what it is, e.g. `PodsReady`. */
  reason: string;
  /** Human-readable details; may be empty. */
  message: string;
}

/**
 * What {@link setCondition} takes: `status` as a boolean or a status string;
 * the transition time is computed.
 *
 * @example
 * ```ts
 * const input: ConditionInput = { type: "Available", status: pods === size, reason: "PodsReady", message: `${pods}/${size} ready`, observedGeneration: mc.metadata.generation };
 * ```
 */
export interface ConditionInput {
  type: string;
  /** `true` → `"True"`, `false` → `"False"`, or a status string. */
  status: boolean | ConditionStatus;
  reason: string;
  /** Default `""`. Longer than 32768 characters is cut (ending in `…`), as the API server refuses more. */
  message?: string | undefined;
  /** Normally the object's `metadata.generation`; left out when undefined. */
  observedGeneration?: number | undefined;
}

// The patterns and limits metav1.Condition declares (apimachinery types.go).
const TYPE_PATTERN = new RegExp(CONDITION_TYPE_PATTERN);
const TYPE_MAX = 316;
const REASON_PATTERN = new RegExp(CONDITION_REASON_PATTERN);
const REASON_MAX = 1024;
const MESSAGE_MAX = 32768;

/**
 * RFC 3339 with whole seconds (`2025-01-01T12:00:00Z`), as metav1.Time is
 * serialized: what the API server stores, so a value read back compares equal.
 *
 * @example
 * ```ts
 * rfc3339Seconds(new Date("2025-01-01T12:00:00.750Z")) // "2025-01-01T12:00:00Z"
 * ```
 */
export function rfc3339Seconds(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function statusOf(status: boolean | ConditionStatus, type: string): ConditionStatus {
  if (status === true) return "True";
  if (status === false) return "False";
  if (status === "True" || status === "False" || status === "Unknown") return status;
  throw new OperantError("InvalidCondition", `condition "${type}": status ${JSON.stringify(status)} is not one of true, false, "True", "False", "Unknown".`);
}

function truncate(message: string): string {
  const chars = [...message];
  return chars.length <= MESSAGE_MAX ? message : `${chars.slice(0, MESSAGE_MAX - 1).join("")}…`;
}

/** Checks a condition input against metav1.Condition's validation and normalizes it. */
function normalize(input: ConditionInput): Omit<Condition, "lastTransitionTime"> {
  const { type, reason } = input;
  if (typeof type !== "string" || type.length === 0 || type.length > TYPE_MAX || !TYPE_PATTERN.test(type)) {
    throw new OperantError(
      "InvalidCondition",
      `condition type ${JSON.stringify(type)} is invalid: use a CamelCase name such as "Ready" or "example.com/DiskPressure" (letters, digits, '-', '_', '.', at most ${TYPE_MAX} characters).`,
    );
  }
  if (typeof reason !== "string" || reason.length === 0 || reason.length > REASON_MAX || !REASON_PATTERN.test(reason)) {
    throw new OperantError(
      "InvalidCondition",
      `condition "${type}": reason ${JSON.stringify(reason)} is invalid: a reason is a non-empty CamelCase identifier such as "PodsReady" or "ReconcileFailed" (a letter first, then letters, digits, '_', ',' or ':', at most ${REASON_MAX} characters); put free text in the message.`,
    );
  }
  const g = input.observedGeneration;
  if (g !== undefined && !(Number.isSafeInteger(g) && g >= 0)) {
    throw new OperantError("InvalidCondition", `condition "${type}": observedGeneration ${g} is not a non-negative integer; pass the object's metadata.generation.`);
  }
  const out: Omit<Condition, "lastTransitionTime"> = { type, status: statusOf(input.status, type), reason, message: truncate(input.message ?? "") };
  if (g !== undefined) out.observedGeneration = g;
  return out;
}

/**
 * Returns `conditions` with the condition of `input.type` set, as
 * apimachinery's `meta.SetStatusCondition` does:
 * - a new type is appended, with `lastTransitionTime` = `now`;
 * - an existing one keeps its position; status, reason, message and
 *   observedGeneration take the new values, and `lastTransitionTime` becomes
 *   `now` only if the status changed (otherwise the old time stays, even when
 *   reason or message changed).
 *
 * The input array is not modified; when nothing changed, the result deep-equals
 * it (so writing it back is a no-op). Throws `InvalidCondition` for a type or
 * reason the API server would refuse (the message gives the format), or a bad
 * observedGeneration. Messages over 32768 characters are shortened.
 *
 * @example
 * ```ts
 * status.conditions = setCondition(status.conditions, {
 *   type: "Available", status: ready === size, reason: "PodsReady",
 *   message: `${ready}/${size} ready`, observedGeneration: mc.metadata.generation,
 * });
 * ```
 */
export function setCondition(conditions: readonly Condition[] | undefined, input: ConditionInput, now: Date = new Date()): Condition[] {
  const next = normalize(input);
  const list = conditions ?? [];
  const i = list.findIndex((c) => c.type === next.type);
  if (i < 0) return [...list, { ...next, lastTransitionTime: rfc3339Seconds(now) }];
  const old = list[i]!;
  const lastTransitionTime = old.status === next.status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339Seconds(now);
  const updated: Condition = { type: next.type, status: next.status, ...(next.observedGeneration !== undefined && { observedGeneration: next.observedGeneration }), lastTransitionTime, reason: next.reason, message: next.message };
  return list.map((c, j) => (j === i ? updated : c));
}

/**
 * The condition of the given type, or `undefined`.
 *
 * @example
 * ```ts
 * const ready = findCondition(mc.status?.conditions, "Ready");
 * if (ready?.observedGeneration !== mc.metadata.generation) { … } // stale
 * ```
 */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Whether the condition of `type` is present with status `"True"`.
 *
 * @example
 * ```ts
 * if (isConditionTrue(deployment.status?.conditions, "Available")) …
 * ```
 */
export function isConditionTrue(conditions: readonly Pick<Condition, "type" | "status">[] | undefined, type: string): boolean {
  return conditions?.find((c) => c.type === type)?.status === "True";
}

/**
 * Whether the condition of `type` is present with status `"False"` (absent or
 * `"Unknown"` is neither true nor false).
 *
 * @example
 * ```ts
 * if (isConditionFalse(mc.status?.conditions, "Degraded")) …
 * ```
 */
export function isConditionFalse(conditions: readonly Pick<Condition, "type" | "status">[] | undefined, type: string): boolean {
  return conditions?.find((c) => c.type === type)?.status === "False";
}

/**
 * Returns `conditions` without the condition of `type` (a new array; equal to
 * the input when there was none).
 *
 * @example
 * ```ts
 * status.conditions = removeCondition(status.conditions, "Progressing");
 * ```
 */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}
