import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { isOperantError } from "../../core/errors.ts";
import { applyJsonPatch, jsonEqual, jsonPatch, type JsonValue } from "./json-patch.ts";

const SEED = 1313;
const json = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<JsonValue>;
// Objects that share keys often, so that diffs recurse rather than replace wholesale.
const keyed = fc.letrec<{ node: JsonValue }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom("a", "~/", ""), fc.constant(null), fc.boolean()),
    fc.dictionary(fc.constantFrom("a", "b", "c/d", "e~f", "__proto__", ""), tie("node"), { maxKeys: 4 }),
    fc.array(tie("node"), { maxLength: 4 }),
  ),
})).node;

describe("jsonPatch", () => {
  test("apply(patch(a, b), a) equals b, for arbitrary JSON", () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        const patched = applyJsonPatch(a, jsonPatch(a, b));
        assert.ok(jsonEqual(patched, b), `got ${JSON.stringify(patched)}, wanted ${JSON.stringify(b)}`);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  test("apply(patch(a, b), a) equals b, for objects that share keys (escaped keys, __proto__, nested arrays)", () => {
    fc.assert(
      fc.property(keyed, keyed, (a, b) => {
        const patched = applyJsonPatch(a, jsonPatch(a, b));
        assert.ok(jsonEqual(patched, b), `got ${JSON.stringify(patched)}, wanted ${JSON.stringify(b)}`);
        assert.equal(Object.getPrototypeOf(patched ?? {}) === null, false);
      }),
      { seed: SEED, numRuns: 600 },
    );
  });

  test("equal documents give an empty patch, and the input is not changed", () => {
    fc.assert(
      fc.property(json, (a) => {
        const before = JSON.stringify(a);
        assert.deepEqual(jsonPatch(a, JSON.parse(before) as JsonValue), []);
        applyJsonPatch(a, [{ op: "replace", path: "", value: 1 }]);
        assert.equal(JSON.stringify(a), before);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  test("the operations a defaulting webhook typically needs", () => {
    assert.deepEqual(jsonPatch({ spec: { size: 1 } }, { spec: { size: 1, image: "memcached:1.6" } }), [{ op: "add", path: "/spec/image", value: "memcached:1.6" }]);
    assert.deepEqual(jsonPatch({ metadata: { labels: { "app.kubernetes.io/name": "x" } } }, { metadata: { labels: {} } }), [{ op: "remove", path: "/metadata/labels/app.kubernetes.io~1name" }]);
    assert.deepEqual(jsonPatch({ a: [1, 2, 3] }, { a: [1] }), [
      { op: "remove", path: "/a/2" },
      { op: "remove", path: "/a/1" },
    ]);
    assert.deepEqual(jsonPatch({ a: "x" }, { a: { b: 1 } }), [{ op: "replace", path: "/a", value: { b: 1 } }]);
  });

  test("a patch that does not fit the document fails with InvalidJsonPatch", () => {
    for (const [doc, op] of [
      [{}, { op: "remove", path: "/missing" }],
      [{ a: [] }, { op: "replace", path: "/a/0", value: 1 }],
      [{ a: 1 }, { op: "test", path: "/a", value: 2 }],
      [{ a: 1 }, { op: "add", path: "a", value: 2 }],
      [{ a: 1 }, { op: "add", path: "/a/b", value: 2 }],
    ] as const) {
      assert.throws(
        () => applyJsonPatch(doc as JsonValue, [op]),
        (err) => isOperantError(err, "InvalidJsonPatch"),
      );
    }
  });
});
