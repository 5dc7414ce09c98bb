// RFC 6902 JSON patches between two JSON documents: what a mutating webhook
// answers with. `jsonPatch(before, after)` computes the operations that turn
// one into the other; `applyJsonPatch` applies them (for tests and for
// checking a handler's result).
import { OperantError } from "../../core/errors.ts";

/**
 * A JSON value, as `JSON.parse` returns it.
 *
 * @example
 * ```ts
 * const before: JsonValue = { spec: { size: 1 } };
 * const after: JsonValue = { spec: { size: 3 } };
 * jsonPatch(before, after) // [{ op: "replace", path: "/spec/size", value: 3 }]
 * ```
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * One RFC 6902 operation (the ones {@link jsonPatch} emits, and `test`).
 *
 * @example
 * ```ts
 * const op: JsonPatchOperation = { op: "add", path: "/spec/replicas", value: 1 };
 * ```
 */
export type JsonPatchOperation =
  | { op: "add"; path: string; value: JsonValue }
  | { op: "replace"; path: string; value: JsonValue }
  | { op: "remove"; path: string }
  | { op: "test"; path: string; value: JsonValue };

/** Escapes one reference token (RFC 6901: `~` → `~0`, `/` → `~1`). */
function escapeToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

function unescapeToken(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

const isObject = (v: unknown): v is Record<string, JsonValue> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Whether two JSON values are equal (objects compared key by key, regardless of key order).
 *
 * @example
 * ```ts
 * jsonEqual({ a: 1, b: [2] }, { b: [2], a: 1 }) // true
 * ```
 */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]!));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k]!, b[k]!));
  }
  return false;
}

/**
 * The RFC 6902 operations that turn `before` into `after`: `add` and `remove`
 * for keys present on one side only, recursion into objects and arrays present
 * on both, `replace` where a value changed. Array elements are compared by
 * index; surplus elements are removed from the end backwards, new ones added
 * in order. `applyJsonPatch(before, jsonPatch(before, after))` equals `after`.
 *
 * @example
 * ```ts
 * jsonPatch({ spec: { size: 1 } }, { spec: { size: 1, image: "memcached" } })
 * // [{ op: "add", path: "/spec/image", value: "memcached" }]
 * ```
 */
export function jsonPatch(before: JsonValue, after: JsonValue): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  diff(before, after, "", ops);
  return ops;
}

function diff(a: JsonValue, b: JsonValue, path: string, ops: JsonPatchOperation[]): void {
  if (jsonEqual(a, b)) return;
  if (isObject(a) && isObject(b)) {
    for (const k of Object.keys(a)) if (!Object.hasOwn(b, k)) ops.push({ op: "remove", path: `${path}/${escapeToken(k)}` });
    for (const [k, v] of Object.entries(b)) {
      const p = `${path}/${escapeToken(k)}`;
      if (Object.hasOwn(a, k)) diff(a[k]!, v, p, ops);
      else ops.push({ op: "add", path: p, value: v });
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i++) diff(a[i]!, b[i]!, `${path}/${i}`, ops);
    for (let i = a.length - 1; i >= b.length; i--) ops.push({ op: "remove", path: `${path}/${i}` });
    for (let i = a.length; i < b.length; i++) ops.push({ op: "add", path: `${path}/${i}`, value: b[i]! });
    return;
  }
  ops.push({ op: "replace", path, value: b });
}

function invalidPatch(message: string): OperantError {
  return new OperantError("InvalidJsonPatch", `${message}: check the operation against the document it applies to.`);
}

// JSON round trip rather than structuredClone: keeps an own "__proto__" key an own key.
const clone = (v: JsonValue): JsonValue => JSON.parse(JSON.stringify(v)) as JsonValue;

/** Sets an own property, even one named "__proto__" (plain assignment would set the prototype). */
function setOwn(target: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function parsePointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw invalidPatch(`JSON pointer "${path}" does not start with "/"`);
  return path.slice(1).split("/").map(unescapeToken);
}

/**
 * Applies RFC 6902 operations (`add`, `remove`, `replace`, `test`) to a copy
 * of `doc` and returns the result; `doc` is not changed.
 *
 * @throws OperantError `InvalidJsonPatch` when a path does not exist, an array index is out of range, or a `test` fails
 * @example
 * ```ts
 * applyJsonPatch({ a: 1 }, [{ op: "replace", path: "/a", value: 2 }]) // { a: 2 }
 * ```
 */
export function applyJsonPatch(doc: JsonValue, patch: readonly JsonPatchOperation[]): JsonValue {
  let root: JsonValue = clone(doc);
  for (const op of patch) {
    const tokens = parsePointer(op.path);
    if (tokens.length === 0) {
      if (op.op === "remove") throw invalidPatch("cannot remove the whole document");
      if (op.op === "test") {
        if (!jsonEqual(root, op.value)) throw invalidPatch(`test of "" failed`);
        continue;
      }
      root = clone(op.value);
      continue;
    }
    let parent: JsonValue = root;
    for (const t of tokens.slice(0, -1)) {
      const next: JsonValue | undefined = Array.isArray(parent) ? parent[arrayIndex(t, parent.length - 1, op.path)] : isObject(parent) && Object.hasOwn(parent, t) ? parent[t] : undefined;
      if (next === undefined) throw invalidPatch(`path "${op.path}" does not exist`);
      parent = next;
    }
    const last = tokens[tokens.length - 1]!;
    if (Array.isArray(parent)) {
      if (op.op === "add") {
        const i = last === "-" ? parent.length : arrayIndex(last, parent.length, op.path);
        parent.splice(i, 0, clone(op.value));
      } else {
        const i = arrayIndex(last, parent.length - 1, op.path);
        if (op.op === "remove") parent.splice(i, 1);
        else if (op.op === "replace") parent[i] = clone(op.value);
        else if (!jsonEqual(parent[i]!, op.value)) throw invalidPatch(`test of "${op.path}" failed`);
      }
    } else if (isObject(parent)) {
      const exists = Object.hasOwn(parent, last);
      if (op.op === "add") setOwn(parent, last, clone(op.value));
      else if (!exists) throw invalidPatch(`path "${op.path}" does not exist`);
      else if (op.op === "remove") delete parent[last];
      else if (op.op === "replace") setOwn(parent, last, clone(op.value));
      else if (!jsonEqual(parent[last]!, op.value)) throw invalidPatch(`test of "${op.path}" failed`);
    } else {
      throw invalidPatch(`path "${op.path}" goes through a value that is neither an object nor an array`);
    }
  }
  return root;
}

function arrayIndex(token: string, max: number, path: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw invalidPatch(`"${token}" in "${path}" is not an array index`);
  const i = Number(token);
  if (i > max) throw invalidPatch(`index ${i} in "${path}" is out of range`);
  return i;
}
