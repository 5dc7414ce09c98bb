// Property test of the TypeBox → CRD schema conversion against validate():
// for generated schemas and generated values, the structural schema that
// goes into the CRD (checked here the way the API server checks it: lengths
// in Unicode code points, OpenAPI 3.0 bounds, unknown fields pruned) and
// operant's client-side validate() accept the same values.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import Type, { type TSchema } from "typebox";
import { fuzz } from "../../../test/support/fuzz.ts";
import { isOperantError } from "../../core/errors.ts";
import { problems } from "../validate/validate.ts";
import { toStructural } from "./convert.ts";
import type { JSONSchemaProps } from "./json-schema-props.ts";

/** The API server's verdict on `value` for a structural schema (the subset the generator produces). */
function accepts(s: JSONSchemaProps, value: unknown): boolean {
  if (value === null) return s.nullable === true;
  if (s["x-kubernetes-int-or-string"]) return (typeof value === "number" && Number.isInteger(value)) || typeof value === "string";
  switch (s.type) {
    case "string": {
      if (typeof value !== "string") return false;
      const runes = [...value].length; // go-openapi counts runes (utf8.RuneCountInString)
      if (s.minLength !== undefined && runes < s.minLength) return false;
      if (s.maxLength !== undefined && runes > s.maxLength) return false;
      if (s.pattern !== undefined && !new RegExp(s.pattern, "u").test(value)) return false;
      break;
    }
    case "integer":
    case "number": {
      if (typeof value !== "number" || (s.type === "integer" && !Number.isInteger(value))) return false;
      if (s.minimum !== undefined && (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum)) return false;
      if (s.maximum !== undefined && (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum)) return false;
      if (s.multipleOf !== undefined && !Number.isInteger(value / s.multipleOf)) return false;
      break;
    }
    case "boolean":
      if (typeof value !== "boolean") return false;
      break;
    case "array":
      if (!Array.isArray(value)) return false;
      if (s.minItems !== undefined && value.length < s.minItems) return false;
      if (s.maxItems !== undefined && value.length > s.maxItems) return false;
      if (s.items && !value.every((v) => accepts(s.items as JSONSchemaProps, v))) return false;
      break;
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) return false;
      const obj = value as Record<string, unknown>;
      for (const r of s.required ?? []) if (!Object.hasOwn(obj, r)) return false;
      for (const [k, v] of Object.entries(obj)) {
        const p = s.properties?.[k] ?? (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
        if (p && !accepts(p, v)) return false; // a field the schema does not know is pruned, not refused
      }
      break;
    }
    case undefined:
      break;
  }
  if (s.enum !== undefined && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) return false;
  return true;
}

const bound = fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined });
const len = fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined });
const opts = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
const names = fc.uniqueArray(fc.constantFrom("a", "b", "size", "name", "x-y"), { maxLength: 3 });

const { schema } = fc.letrec<{ schema: TSchema; leaf: TSchema }>((tie) => ({
  leaf: fc.oneof(
    fc.record({ minLength: len, maxLength: len, pattern: fc.option(fc.constantFrom("^[a-z]*$", "^.{0,2}$", "é", "^\\S*$"), { nil: undefined }) }).map((o) => Type.String(opts(o))),
    fc.record({ minimum: bound, maximum: bound, exclusiveMinimum: bound, exclusiveMaximum: bound, multipleOf: fc.option(fc.constantFrom(2, 3), { nil: undefined }) }).map((o) => Type.Integer(opts(o))),
    fc.record({ minimum: bound, maximum: bound, exclusiveMaximum: bound }).map((o) => Type.Number(opts(o))),
    fc.constant(Type.Boolean()),
    fc.uniqueArray(fc.constantFrom("fast", "safe", "é"), { minLength: 1, maxLength: 3 }).map((vs) => Type.Union(vs.map((v) => Type.Literal(v)))),
  ),
  schema: fc.oneof(
    { depthSize: "small" },
    tie("leaf"),
    tie("leaf").map((t) => Type.Union([t, Type.Null()])),
    fc.tuple(tie("schema"), fc.record({ minItems: len, maxItems: len })).map(([t, o]) => Type.Array(t, opts(o))),
    fc.tuple(names, fc.array(fc.tuple(tie("schema"), fc.boolean()), { minLength: 3, maxLength: 3 })).map(([ks, ps]) => Type.Object(Object.fromEntries(ks.map((k, i) => [k, ps[i]![1] ? Type.Optional(ps[i]![0]) : ps[i]![0]])))),
    tie("schema").map((t) => Type.Record(Type.String(), t)),
  ),
}));

/** Values near what the schema wants: right types around the bounds, sometimes the wrong type. */
function valueFor(s: JSONSchemaProps, depth = 0): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.constant(null), fc.constant("1"), fc.constant(1), fc.constant(1.5), fc.constant(true), fc.constant([]), fc.constant({}));
  let right: fc.Arbitrary<unknown>;
  if (s.enum) right = fc.constantFrom(...s.enum, "other");
  else if (s.type === "string") right = fc.string({ unit: fc.constantFrom("a", "z", "é", "🚀", " ", "A", "-"), maxLength: 6 });
  else if (s.type === "integer") right = fc.integer({ min: -8, max: 8 });
  else if (s.type === "number") right = fc.oneof(fc.integer({ min: -8, max: 8 }), fc.constantFrom(-5.5, -0.5, 0.5, 2.5, 4.99, 5.01));
  else if (s.type === "boolean") right = fc.boolean();
  else if (s.type === "array") right = depth > 4 ? fc.constant([]) : fc.array(valueFor(s.items as JSONSchemaProps, depth + 1), { maxLength: 5 });
  else if (s.type === "object") {
    const props = Object.entries(s.properties ?? {});
    const entries = props.map(([k, p]) => fc.option(valueFor(p, depth + 1), { nil: undefined, freq: 4 }).map((v) => [k, v] as const));
    const extra = typeof s.additionalProperties === "object" && depth <= 4 ? fc.dictionary(fc.constantFrom("k", "l", "__proto__"), valueFor(s.additionalProperties, depth + 1), { maxKeys: 2 }) : fc.constant({});
    right = fc.tuple(fc.tuple(...entries), extra, fc.boolean()).map(([es, more, unknown]) => ({
      ...Object.fromEntries(es.filter(([, v]) => v !== undefined)),
      ...(JSON.parse(JSON.stringify(more)) as Record<string, unknown>),
      ...(unknown && { unknownField: 1 }),
    }));
  } else right = wrong;
  return fc.oneof({ arbitrary: right, weight: 6 }, { arbitrary: wrong, weight: 1 });
}

test("property: the CRD schema and validate() accept the same values", async (t) => {
  await fuzz(
    t,
    "CRD schema vs validate()",
    fc.property(
      schema.chain((s): fc.Arbitrary<readonly [TSchema, JSONSchemaProps | undefined, unknown[]]> => {
        let structural: JSONSchemaProps | undefined;
        try {
          structural = toStructural(s, "spec");
        } catch (err) {
          // A schema the API server would refuse is refused here too, with a code (e.g. an enum that allows null).
          assert.ok(isOperantError(err, "CrdSchemaInvalid", "CrdSchemaNotStructural"), String(err));
          return fc.constant([s, undefined, []] as const);
        }
        return fc.tuple(fc.constant(s), fc.constant(structural), fc.array(valueFor(structural), { minLength: 1, maxLength: 6 }));
      }),
      ([s, structural, values]: readonly [TSchema, JSONSchemaProps | undefined, unknown[]]) => {
        if (structural === undefined) return;
        for (const v of values) {
          const server = accepts(structural, v);
          const client = problems(s, v);
          assert.equal(client.length === 0, server, `value ${JSON.stringify(v)}\nschema ${JSON.stringify(structural)}\nvalidate(): ${JSON.stringify(client)}`);
        }
      },
    ),
    { numRuns: 400 },
  );
});
