// Property tests of mergePatch: applying the patch it computes (RFC 7386's
// algorithm, written out below) to `before` gives `after`, for any JSON
// documents without nulls (a null in a merge patch means "remove": the one
// limit of the format); no change gives {}; and jsonEqual is JSON equality.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fuzz } from "../../../test/support/fuzz.ts";
import { jsonEqual, mergePatch } from "./merge-patch.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** RFC 7386 section 2, MergePatch(Target, Patch). */
function applyMergePatch(target: Json, patch: Json): Json {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const result: { [k: string]: Json } = typeof target === "object" && target !== null && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else Object.defineProperty(result, k, { value: applyMergePatch(Object.hasOwn(result, k) ? result[k]! : null, v), enumerable: true, writable: true, configurable: true });
  }
  return result;
}

// JSON without null, with keys that collide often (and the awkward ones).
const keys = fc.constantFrom("a", "b", "spec", "status", "__proto__", "constructor", "", "x.y", "ü");
const leaf = fc.oneof(fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)), fc.string({ maxLength: 4 }));
const { doc } = fc.letrec<{ doc: Json; obj: Json }>((tie) => ({
  doc: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("obj"), fc.array(tie("doc"), { maxLength: 3 })),
  obj: fc.dictionary(keys, tie("doc"), { maxKeys: 4 }),
}));
const object = fc.dictionary(keys, doc, { maxKeys: 5 });

/** JSON.parse(JSON.stringify(x)): an own "__proto__" key survives as data, as it does on the wire. */
const wire = (x: unknown): Json => JSON.parse(JSON.stringify(x)) as Json;

test("property: applying mergePatch(before, after) to before gives after", async (t) => {
  await fuzz(
    t,
    "merge patch (round trip)",
    fc.property(object, object, (b, a) => {
      const before = wire(b) as Record<string, Json>;
      const after = wire(a) as Record<string, Json>;
      const patch = mergePatch(before, after);
      assert.deepEqual(wire(applyMergePatch(before, wire(patch))), after);
      assert.ok(jsonEqual(applyMergePatch(before, wire(patch)), after));
      assert.deepEqual(mergePatch(before, before), {});
      assert.deepEqual(before, wire(b), "mergePatch must not modify its input");
    }),
    { numRuns: 1000 },
  );
});

test("property: jsonEqual agrees with equality of the canonical JSON text", async (t) => {
  const canonical = (x: Json): string =>
    Array.isArray(x) ? `[${x.map(canonical).join(",")}]` : typeof x === "object" && x !== null ? `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canonical(x[k]!)}`).join(",")}}` : JSON.stringify(x);
  await fuzz(
    t,
    "merge patch (jsonEqual)",
    fc.property(object, object, fc.boolean(), (x, y, same) => {
      const a = wire(x);
      const b = same ? wire(x) : wire(y);
      assert.equal(jsonEqual(a, b), canonical(a) === canonical(b));
    }),
    { numRuns: 1000 },
  );
});

// Found by the round-trip property: a key named "__proto__" (valid in a ConfigMap's data, a free-form field)
// was assigned with patch[key] = value, which set the patch's prototype instead: the change was lost.
// Likewise "constructor" in after but not in before was compared with before's inherited constructor.
test("keys named __proto__ and constructor are patched like any other key", () => {
  const after = JSON.parse('{"data":{"__proto__":{"x":"1"},"constructor":"c"}}') as Record<string, unknown>;
  const patch = mergePatch({ data: {} }, after);
  assert.equal(JSON.stringify(patch), '{"data":{"__proto__":{"x":"1"},"constructor":"c"}}');
  assert.equal(Object.getPrototypeOf((patch as { data: object }).data), Object.prototype);
  assert.equal(JSON.stringify(mergePatch(after, { data: {} })), '{"data":{"__proto__":null,"constructor":null}}');
});
