import assert from "node:assert/strict";
import { test } from "node:test";
import Type from "typebox";
import { fieldPath, problems } from "./validate.ts";

const Schema = Type.Object({
  size: Type.Integer({ minimum: 1 }),
  mode: Type.Optional(Type.Union([Type.Literal("fast"), Type.Literal("safe")])),
  port: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
  note: Type.Optional(Type.Union([Type.String({ maxLength: 3 }), Type.Null()])),
  labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  items: Type.Optional(Type.Array(Type.Object({ name: Type.String(), weight: Type.Optional(Type.Number({ maximum: 1 })) }))),
  since: Type.Optional(Type.String({ format: "date-time" })),
});

test("a valid value has no problems", () => {
  assert.deepEqual(problems(Schema, { size: 2, mode: "safe", port: "http", note: null, labels: { a: "b" }, items: [{ name: "x" }], since: "2025-01-01T00:00:00Z" }), []);
});

test("each problem names its field the way Kubernetes prints paths", () => {
  const found = problems(Schema, { size: 0, mode: "turbo", port: 1.5, note: "long", labels: { "app.kubernetes.io/name": 3 }, items: [{ name: "a" }, { weight: 2 }], since: "yesterday" });
  assert.deepEqual(found, [
    { path: "size", message: "must be >= 1" },
    { path: "mode", message: 'must be one of "fast", "safe"' },
    { path: "port", message: "must be an integer or a string" },
    { path: "note", message: "must not have more than 3 characters (or null)" },
    { path: 'labels["app.kubernetes.io/name"]', message: "must be string" },
    { path: "items[1].name", message: "is required" },
    { path: "items[1].weight", message: "must be <= 1" },
    { path: "since", message: 'must match format "date-time"' },
  ]);
});

test("more problems than TypeBox buffers by default are all reported", () => {
  const Many = Type.Object(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, Type.Union([Type.Literal("a"), Type.Literal("b")])])));
  const found = problems(Many, Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, "c"])));
  assert.equal(found.length, 12);
});

test("missing fields and wrong root types", () => {
  assert.deepEqual(problems(Schema, {}), [{ path: "size", message: "is required" }]);
  assert.deepEqual(problems(Schema, "nope"), [{ path: "", message: "must be object" }]);
});

test("fieldPath", () => {
  assert.equal(fieldPath(["spec", "nodes", "0", "name"]), "spec.nodes[0].name");
  assert.equal(fieldPath(["metadata", "labels", "a/b"]), 'metadata.labels["a/b"]');
  assert.equal(fieldPath([]), "");
});
