import assert from "node:assert/strict";
import { test } from "node:test";
import Type from "typebox";
import { rootSchema, toStructural } from "./convert.ts";

const code = (c: string, pattern: RegExp) => (e: Error & { code?: string }) => {
  assert.equal(e.code, c, e.message);
  assert.match(e.message, pattern);
  return true;
};
const notStructural = (pattern: RegExp) => code("CrdSchemaNotStructural", pattern);
const invalid = (pattern: RegExp) => code("CrdSchemaInvalid", pattern);

test("objects: properties, required without the optional ones, descriptions, TypeBox internals stripped", () => {
  const s = toStructural(
    Type.Object({ size: Type.Integer({ minimum: 1, description: "How many" }), name: Type.Optional(Type.String()) }, { description: "The spec", $id: "Spec" }),
    "spec",
  );
  assert.deepEqual(s, {
    type: "object",
    description: "The spec",
    required: ["size"],
    properties: { size: { type: "integer", description: "How many", minimum: 1 }, name: { type: "string" } },
  });
  assert.deepEqual(Object.keys(s), ["type", "description", "required", "properties"], "stable key order");
  assert.equal(toStructural(Type.Object({ a: Type.Optional(Type.String()) }), "spec").required, undefined);
});

test("scalars: integer vs number, formats, bounds, string constraints, defaults, nullable", () => {
  assert.deepEqual(toStructural(Type.Integer({ format: "int32", minimum: 0, maximum: 10, multipleOf: 2 }), "x"), { type: "integer", format: "int32", minimum: 0, maximum: 10, multipleOf: 2 });
  assert.deepEqual(toStructural(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }), "x"), { type: "number", minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true });
  assert.deepEqual(toStructural(Type.Number({ minimum: 5, exclusiveMinimum: 0 }), "x"), { type: "number", minimum: 5 }, "the stricter bound wins");
  assert.deepEqual(toStructural(Type.String({ minLength: 1, maxLength: 5, pattern: "^[a-z]+$", format: "date-time" }), "x"), {
    type: "string", format: "date-time", minLength: 1, maxLength: 5, pattern: "^[a-z]+$",
  });
  assert.deepEqual(toStructural(Type.Boolean({ default: false }), "x"), { type: "boolean", default: false });
  assert.deepEqual(toStructural(Type.Union([Type.String(), Type.Null()], { description: "maybe" }), "x"), { type: "string", description: "maybe", nullable: true });
  assert.deepEqual(toStructural(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { default: null }), "x"), { type: "integer", nullable: true, default: null, minimum: 1 });
  assert.deepEqual(toStructural({ type: ["string", "null"] }, "x"), { type: "string", nullable: true });
});

test("enums from literal unions, Type.Enum and single literals; integer literals are integers", () => {
  assert.deepEqual(toStructural(Type.Union([Type.Literal("a"), Type.Literal("b")], { default: "a" }), "spec.mode"), { type: "string", default: "a", enum: ["a", "b"] });
  assert.deepEqual(toStructural(Type.Union([Type.Literal(1), Type.Literal(2)]), "x"), { type: "integer", enum: [1, 2] });
  assert.deepEqual(toStructural(Type.Union([Type.Literal(1), Type.Literal(2.5)]), "x"), { type: "number", enum: [1, 2.5] });
  assert.deepEqual(toStructural(Type.Enum(["x", "y"]), "x"), { type: "string", enum: ["x", "y"] });
  assert.deepEqual(toStructural(Type.Literal(true), "x"), { type: "boolean", enum: [true] });
  assert.throws(() => toStructural(Type.Union([Type.Literal("a"), Type.Literal("b"), Type.Null()]), "spec.mode"), invalid(/^spec\.mode: the API server rejects null for a field with allowed values.*Type\.Optional/));
  assert.throws(() => toStructural(Type.Union([Type.Literal("a"), Type.Literal(1)]), "spec.mode"), notStructural(/^spec\.mode: the allowed values \["a",1\] mix types/));
  assert.throws(() => toStructural(Type.String({ enum: [1] }), "spec.mode"), invalid(/^spec\.mode: the allowed values \[1\] are not all of the field's type string/));
});

test("int-or-string from IntOrString-shaped unions", () => {
  const expected = { anyOf: [{ type: "integer" }, { type: "string" }], "x-kubernetes-int-or-string": true };
  assert.deepEqual(toStructural(Type.Union([Type.Integer(), Type.String()]), "x"), expected);
  assert.deepEqual(toStructural(Type.Union([Type.String(), Type.Integer()], { "x-kubernetes-int-or-string": true, default: "25%" }), "x"), { default: "25%", ...expected });
  assert.throws(() => toStructural(Type.Union([Type.Integer({ minimum: 1 }), Type.String()]), "spec.port"), notStructural(/^spec\.port: .*cannot carry their own constraints.*CEL/));
  assert.throws(() => toStructural(Type.Union([Type.Number(), Type.String()]), "spec.port"), notStructural(/^spec\.port: a union of number \| string is not structural.*IntOrString/));
});

test("same-typed alternatives keep the type outside anyOf", () => {
  assert.deepEqual(toStructural(Type.Union([Type.String({ format: "ipv4" }), Type.String({ pattern: "^[a-z]+$" }), Type.Literal("localhost")], { description: "host" }), "x"), {
    type: "string",
    description: "host",
    anyOf: [{ format: "ipv4" }, { pattern: "^[a-z]+$" }, { enum: ["localhost"] }],
  });
  assert.throws(() => toStructural(Type.Union([Type.String({ default: "a" }), Type.String({ format: "ipv4" })]), "spec.host"), notStructural(/^spec\.host \(union member 1\): default cannot be set on one alternative/));
});

test("maps, free-form objects, preserved unknown fields, embedded resources", () => {
  assert.deepEqual(toStructural(Type.Record(Type.String(), Type.Integer(), { maxProperties: 3 }), "x"), { type: "object", maxProperties: 3, additionalProperties: { type: "integer" } });
  assert.deepEqual(toStructural(Type.Object({}, { additionalProperties: Type.String() }), "x"), { type: "object", additionalProperties: { type: "string" } });
  assert.deepEqual(toStructural(Type.Object({ a: Type.String() }, { additionalProperties: false }), "x"), { type: "object", required: ["a"], properties: { a: { type: "string" } } }, "false is dropped: the API server prunes");
  assert.deepEqual(toStructural(Type.Object({ a: Type.String() }, { additionalProperties: true }), "x"), {
    type: "object", required: ["a"], properties: { a: { type: "string" } }, "x-kubernetes-preserve-unknown-fields": true,
  });
  assert.deepEqual(toStructural(Type.Record(Type.String(), Type.Unknown(), { "x-kubernetes-preserve-unknown-fields": true }), "x"), { type: "object", "x-kubernetes-preserve-unknown-fields": true });
  assert.deepEqual(toStructural(Type.Object({}, { "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true }), "x"), {
    type: "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true,
  });
  assert.deepEqual(toStructural(Type.Object({ a: Type.String() }, { "x-kubernetes-map-type": "atomic" }), "x")["x-kubernetes-map-type"], "atomic");
});

test("intersections of objects merge into one object", () => {
  const s = toStructural(
    Type.Intersect([Type.Object({ a: Type.String() }, { "x-kubernetes-validations": [{ rule: "self.a != ''" }] }), Type.Object({ b: Type.Optional(Type.Integer()) })], { description: "both" }),
    "spec",
  );
  assert.deepEqual(s, {
    type: "object",
    description: "both",
    required: ["a"],
    properties: { a: { type: "string" }, b: { type: "integer" } },
    "x-kubernetes-validations": [{ rule: "self.a != ''" }],
  });
  assert.throws(() => toStructural(Type.Intersect([Type.Object({ a: Type.String() }), Type.Object({ a: Type.Integer() })]), "spec"), notStructural(/^spec\.a: is defined differently/));
  assert.throws(() => toStructural(Type.Intersect([Type.String(), Type.String({ minLength: 1 })]), "spec.name"), notStructural(/^spec\.name: only objects can be intersected/));
});

test("arrays: items, bounds, list types and map keys", () => {
  assert.deepEqual(toStructural(Type.Array(Type.String(), { minItems: 1, maxItems: 3, "x-kubernetes-list-type": "set" }), "x"), {
    type: "array", minItems: 1, maxItems: 3, items: { type: "string" }, "x-kubernetes-list-type": "set",
  });
  const servers = toStructural(Type.Array(Type.Object({ name: Type.String(), port: Type.Integer() }), { "x-kubernetes-list-map-keys": ["name"] }), "x");
  assert.equal(servers["x-kubernetes-list-type"], "map", "map keys imply list-type map");
  assert.deepEqual(servers["x-kubernetes-list-map-keys"], ["name"]);
  assert.throws(() => toStructural(Type.Array(Type.Object({ name: Type.Optional(Type.String()) }), { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] }), "spec.servers"), invalid(/^spec\.servers\[\*\]\.name: a list-map key must be required or have a default/));
  assert.throws(() => toStructural(Type.Array(Type.Object({ name: Type.String() }), { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id"] }), "spec.servers"), invalid(/^spec\.servers: list-map key "id" is not a property of the items \(\["name"\]\)/));
  assert.throws(() => toStructural(Type.Array(Type.Object({ tags: Type.Array(Type.String()) }), { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["tags"] }), "spec.s"), invalid(/^spec\.s\[\*\]\.tags: a list-map key must be a scalar/));
  assert.throws(() => toStructural(Type.Array(Type.String(), { "x-kubernetes-list-type": "map" }), "spec.s"), invalid(/^spec\.s: x-kubernetes-list-type map needs x-kubernetes-list-map-keys/));
  assert.throws(() => toStructural(Type.Array(Type.Object({ a: Type.String() }), { "x-kubernetes-list-type": "set" }), "spec.s"), invalid(/^spec\.s: the items of a list-type set must be scalars/));
  assert.throws(() => toStructural(Type.Array(Type.String(), { "x-kubernetes-list-type": "bag" }), "spec.s"), invalid(/must be "atomic", "set" or "map", not "bag"/));
  assert.throws(() => toStructural(Type.String({ "x-kubernetes-list-type": "set" }), "spec.s"), invalid(/^spec\.s: x-kubernetes-list-type applies to arrays only/));
});

test("CEL rules on any field are carried and checked", () => {
  const rules = [
    { rule: "self.min <= self.max", message: "min must not exceed max", fieldPath: ".min", reason: "FieldValueInvalid" },
    { rule: "self.max < 100", messageExpression: "'max ' + string(self.max) + ' too large'" },
    { rule: "self.min == oldSelf.min", optionalOldSelf: true, message: "min is immutable" },
  ];
  const s = toStructural(Type.Object({ min: Type.Integer(), max: Type.Integer() }, { "x-kubernetes-validations": rules }), "spec");
  assert.deepEqual(s["x-kubernetes-validations"], rules);
  assert.deepEqual(toStructural(Type.String({ "x-kubernetes-validations": [{ rule: "self.startsWith('a')" }] }), "x")["x-kubernetes-validations"], [{ rule: "self.startsWith('a')" }]);
  const bad = (rule: unknown) => () => toStructural(Type.Object({}, { "x-kubernetes-validations": [rule] }), "spec");
  assert.throws(bad({ rule: " " }), invalid(/^spec x-kubernetes-validations\[0\]: rule must be a non-empty CEL expression/));
  assert.throws(bad({ rule: "true", message: "two\nlines" }), invalid(/message must be a single line/));
  assert.throws(bad({ rule: "true &&\ntrue" }), invalid(/spanning several lines needs a message/));
  assert.throws(bad({ rule: "true", reason: "Bad" }), invalid(/reason must be one of FieldValueInvalid, FieldValueForbidden, FieldValueRequired, FieldValueDuplicate/));
  assert.throws(bad({ rule: "true", messsage: "typo" }), invalid(/unknown key "messsage"/));
  assert.throws(bad("self.a > 0"), invalid(/must be an object like \{ rule/));
});

test("non-structural shapes are refused with the field's path and a fix", () => {
  const cases: [unknown, RegExp][] = [
    [Type.Object({ a: Type.Any() }), /^spec\.a: has no type.*FreeForm\(\).*IntOrString\(\)/],
    [Type.Object({ a: Type.Unknown() }), /^spec\.a: has no type/],
    [Type.Object({ a: Type.Array(Type.Unknown()) }), /^spec\.a\[\*\]: has no type/],
    [Type.Object({ a: Type.Union([Type.String(), Type.Integer({ minimum: 1 }), Type.Boolean()]) }), /^spec\.a: a union of string \| integer \| boolean is not structural/],
    [Type.Object({ a: Type.Union([Type.Object({ x: Type.String() }), Type.Object({ y: Type.String() })]) }), /^spec\.a: a union of object is not structural: a union of object shapes.*exists_one/],
    [Type.Object({ a: Type.Ref("Other") }), /^spec\.a: schema references are not supported/],
    [Type.Cyclic({ Node: Type.Object({ next: Type.Optional(Type.Ref("Node")) }) }, "Node"), /^spec: schema (definitions|references) are not supported/],
    [Type.Object({ a: Type.Tuple([Type.String(), Type.Integer()]) }), /^spec\.a: tuples are not structural/],
    [{ type: "array" }, /^spec: an array needs an item schema/],
    [Type.Object({ a: Type.Array(Type.String(), { uniqueItems: true }) }), /^spec\.a: uniqueItems: true is refused.*x-kubernetes-list-type.*set/],
    [Type.Object({ a: Type.String() }, { additionalProperties: Type.String() }), /^spec: additionalProperties and properties together are refused/],
    [Type.Record(Type.String({ pattern: "^[a-z]+$" }), Type.String()), /^spec: map keys cannot be restricted by a pattern.*self\.all\(k/],
    [Type.Object({ a: Type.Null() }), /^spec\.a: a field cannot have type null.*Type\.Union\(\[T, Type\.Null\(\)\]\)/],
    [Type.Object({ a: Type.BigInt() }), /^spec\.a: type "bigint" cannot be stored/],
    [{ type: ["string", "integer"] }, /^spec: a field has exactly one type/],
    [{ type: "object", oneOf: [{ required: ["a"] }] }, /^spec: oneOf is not structural/],
    [{ type: "string", not: { enum: ["a"] } }, /^spec: not is not supported/],
    [{ type: "object", if: { required: ["a"] }, then: { required: ["b"] } }, /^spec: conditional schemas/],
    [{ type: "array", items: { type: "string" }, contains: { const: "a" } }, /^spec: contains is not supported/],
    [{ type: "string", nope: 1 }, /^spec: the keyword "nope" is not supported/],
    [Type.Object({ a: Type.String({ "x-kubernetes-int-or-strin": true }) }), /^spec\.a: unknown Kubernetes extension "x-kubernetes-int-or-strin"/],
  ];
  for (const [schema, message] of cases) {
    assert.throws(() => toStructural(schema, "spec"), (e: Error & { code?: string }) => {
      assert.ok(e.code === "CrdSchemaNotStructural" || e.code === "CrdSchemaInvalid", `${e.code}: ${e.message}`);
      assert.match(e.message, message);
      return true;
    }, String(message));
  }
});

test("values the API server would refuse: defaults that fail their schema, patterns RE2 cannot run", () => {
  assert.throws(() => toStructural(Type.Object({ size: Type.Integer({ minimum: 1, default: 0 }) }), "spec"), invalid(/^spec\.size: default 0 does not satisfy the field's own schema \(must be >= 1\)/));
  assert.throws(() => toStructural(Type.Object({ a: Type.Object({ b: Type.String() }, { default: {} }) }), "spec"), invalid(/^spec\.a: default \{\} does not satisfy.*required/));
  assert.throws(() => toStructural(Type.Object({ b: Type.Integer({ default: 1 }) }, { default: {} }), "spec"), invalid(/^spec: default \{\} does not satisfy/), "nested defaults are not applied to a default");
  assert.throws(() => toStructural(Type.String({ pattern: "^(?!admin).*$" }), "spec.user"), invalid(/^spec\.user: pattern .* uses lookaround or backreferences/));
  assert.throws(() => toStructural(Type.String({ pattern: "([a-z]" }), "spec.user"), invalid(/^spec\.user: pattern .* is not a valid regular expression/));
  assert.deepEqual(toStructural(Type.String({ examples: ["a"], $comment: "x", readOnly: true, "x-doc": "y" }), "x"), { type: "string" }, "annotations are dropped");
});

test("the root schema: apiVersion, kind, metadata, spec required unless defaulted, status, root rules", () => {
  const root = rootSchema({ spec: Type.Object({ size: Type.Integer() }), status: Type.Object({ ready: Type.Boolean() }), validations: [{ rule: "self.metadata.name.size() < 10" }], description: "A thing" });
  assert.equal(root.type, "object");
  assert.equal(root.description, "A thing");
  assert.deepEqual(root.required, ["spec"]);
  assert.deepEqual(Object.keys(root.properties ?? {}), ["apiVersion", "kind", "metadata", "spec", "status"]);
  assert.deepEqual(root.properties?.metadata, { type: "object" });
  assert.deepEqual(root["x-kubernetes-validations"], [{ rule: "self.metadata.name.size() < 10" }]);
  const defaulted = rootSchema({ spec: Type.Object({ size: Type.Optional(Type.Integer()) }, { default: {} }) });
  assert.equal(defaulted.required, undefined);
  assert.equal(defaulted.properties?.status, undefined);
  assert.throws(() => rootSchema({ spec: Type.Object({}), validations: [{ rule: "" }] }), invalid(/^validations x-kubernetes-validations\[0\]: rule must be a non-empty/));
});
