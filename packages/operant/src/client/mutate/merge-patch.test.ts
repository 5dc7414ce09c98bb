import assert from "node:assert/strict";
import { test } from "node:test";
import { jsonEqual, mergePatch } from "./merge-patch.ts";

/** RFC 7386 MergePatch(target, patch), to check that a computed patch really turns before into after. */
function apply(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = apply(out[k], v);
  }
  return out;
}

function roundTrip(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const patch = mergePatch(before, after);
  assert.ok(jsonEqual(apply(before, patch), after), `applying ${JSON.stringify(patch)} to ${JSON.stringify(before)} did not give ${JSON.stringify(after)}`);
  return patch;
}

test("no difference gives {}", () => {
  assert.deepEqual(mergePatch({}, {}), {});
  const obj = { a: 1, b: { c: [1, { d: "x" }], e: null }, f: true };
  assert.deepEqual(mergePatch(obj, structuredClone(obj)), {});
  assert.deepEqual(mergePatch({ a: 1 }, { a: 1, b: undefined }), {}, "undefined counts as absent");
});

test("changed and added scalars, nested objects as nested patches", () => {
  assert.deepEqual(roundTrip({ a: 1, b: "x" }, { a: 2, b: "x", c: false }), { a: 2, c: false });
  assert.deepEqual(roundTrip({ spec: { replicas: 1, template: { image: "a", port: 80 } } }, { spec: { replicas: 1, template: { image: "b", port: 80 } } }), { spec: { template: { image: "b" } } });
  assert.deepEqual(roundTrip({ metadata: { name: "x" } }, { metadata: { name: "x", labels: { app: "web" } } }), { metadata: { labels: { app: "web" } } });
});

test("removed keys become null, at any depth; undefined means removed", () => {
  assert.deepEqual(roundTrip({ a: 1, b: 2 }, { a: 1 }), { b: null });
  assert.deepEqual(roundTrip({ m: { labels: { a: "1", b: "2" } } }, { m: { labels: { a: "1" } } }), { m: { labels: { b: null } } });
  assert.deepEqual(roundTrip({ m: { labels: { a: "1" } } }, { m: {} }), { m: { labels: null } });
  assert.deepEqual(mergePatch({ a: 1, b: 2 }, { a: 1, b: undefined }), { b: null });
  assert.deepEqual(roundTrip({ a: null }, {}), { a: null }, "a stored null that goes away");
});

test("arrays are replaced whole, even when one item changed", () => {
  const before = { containers: [{ name: "a", image: "1" }, { name: "b", image: "1" }] };
  const after = { containers: [{ name: "a", image: "1" }, { name: "b", image: "2" }] };
  assert.deepEqual(roundTrip(before, after), after);
  assert.deepEqual(roundTrip({ f: ["x", "y"] }, { f: ["x"] }), { f: ["x"] });
  assert.deepEqual(roundTrip({ f: ["x"] }, { f: [] }), { f: [] });
});

test("type changes replace the value", () => {
  assert.deepEqual(roundTrip({ a: { b: 1 } }, { a: "flat" }), { a: "flat" });
  assert.deepEqual(roundTrip({ a: "flat" }, { a: { b: 1 } }), { a: { b: 1 } });
  assert.deepEqual(roundTrip({ a: [1] }, { a: { 0: 1 } }), { a: { 0: 1 } });
  assert.deepEqual(roundTrip({}, { a: {} }), { a: {} }, "an added empty object is kept");
});

test("the patch does not share structure with after", () => {
  const after = { a: { list: [1, 2] } };
  const patch = mergePatch({}, after) as { a: { list: number[] } };
  patch.a.list.push(3);
  assert.deepEqual(after.a.list, [1, 2]);
});

test("jsonEqual", () => {
  assert.equal(jsonEqual([1, [2]], [1, [2]]), true);
  assert.equal(jsonEqual([1, 2], [2, 1]), false, "order matters in arrays");
  assert.equal(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 }), true, "not in objects");
  assert.equal(jsonEqual({ a: 1 }, { a: 1, b: 0 }), false);
  assert.equal(jsonEqual({ a: [] }, { a: {} }), false);
  assert.equal(jsonEqual(null, {}), false);
  assert.equal(jsonEqual("1", 1), false);
});
