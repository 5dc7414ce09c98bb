// JSON merge patch (RFC 7386) computed from two versions of a document, and
// the JSON equality it rests on. A merge patch says, per object key, "set to
// this" or "remove" (null); arrays and scalars are replaced wholesale.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Whether two values are equal as JSON: the same scalars, arrays of equal
 * items in the same order, objects with equal values for the same keys. A key
 * whose value is `undefined` counts as absent (JSON.stringify drops it).
 *
 * @example
 * ```ts
 * jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }], c: undefined }) // true
 * ```
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
    const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
    if (keysA.length !== keysB.length) return false;
    return keysA.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Sets an own property, also for the key `__proto__` (a valid key in a JSON document, e.g. in a ConfigMap's
 * data), where plain assignment would change the object's prototype and drop the key.
 */
function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The value of an own property only (never one inherited: `before.constructor` is not a key of `before`). */
function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(before)) {
    if (before[key] !== undefined && own(after, key) === undefined) setKey(patch, key, null);
  }
  for (const key of Object.keys(after)) {
    const value = after[key];
    if (value === undefined) continue;
    const old = own(before, key);
    if (jsonEqual(old, value)) continue;
    setKey(patch, key, isPlainObject(old) && isPlainObject(value) ? diff(old, value) : structuredClone(value as Json));
  }
  return patch;
}

/**
 * The JSON merge patch (RFC 7386) that turns `before` into `after`: changed
 * and added keys with their new values, nested objects as nested patches,
 * removed keys as `null`, arrays replaced whole (a merge patch cannot edit
 * an array in place). `{}` when nothing differs. Applying the result to
 * `before` with merge-patch semantics gives `after`, with one limit of the
 * format: a key whose new value is `null` reads as "remove".
 *
 * @example
 * ```ts
 * mergePatch({ spec: { replicas: 1, paused: true }, data: [1] }, { spec: { replicas: 3 }, data: [1, 2] })
 * // { spec: { replicas: 3, paused: null }, data: [1, 2] }
 * ```
 */
export function mergePatch(before: object, after: object): Record<string, unknown> {
  return diff(before as Record<string, unknown>, after as Record<string, unknown>);
}
