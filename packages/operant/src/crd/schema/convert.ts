// TypeBox schema → structural CRD schema (apiextensions.k8s.io/v1
// JSONSchemaProps). A TypeBox schema is JSON Schema (2020-12 flavoured) with
// TypeBox's bookkeeping under non-enumerable `~` keys; a CRD schema is
// OpenAPI v3.0 restricted to what the API server calls "structural": every
// field has a type, unions only of same-typed values, no references, no
// tuples. This module maps the one onto the other and refuses, with the
// field's path and a fix, everything the API server would refuse.
import { createRequire } from "node:module";
import type * as TypeBoxValue from "typebox/value";
import { OperantError } from "../../core/errors.ts";
import type { JSONSchemaProps, ValidationRule } from "./json-schema-props.ts";

/**
 * Marks an object schema as the natural item of a list-map keyed by these
 * properties: an array of it becomes `x-kubernetes-list-type: map` unless the
 * array says otherwise. Set by `Condition`; internal to operant.
 *
 * @example
 * ```ts
 * (ItemSchema as { [LIST_MAP_KEYS]?: string[] })[LIST_MAP_KEYS] = ["name"];
 * ```
 */
export const LIST_MAP_KEYS: unique symbol = Symbol("operant.listMapKeys");

type Json = Record<string, unknown>;
type SchemaType = NonNullable<JSONSchemaProps["type"]>;

const TYPES: ReadonlySet<string> = new Set(["object", "array", "string", "integer", "number", "boolean"]);
const SCALARS: ReadonlySet<string> = new Set(["string", "integer", "number", "boolean"]);
const RULE_REASONS: ReadonlySet<string> = new Set(["FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate"]);
// Keywords that only document: not part of a CRD schema, dropped.
const ANNOTATIONS: ReadonlySet<string> = new Set(["$id", "$schema", "$comment", "examples", "readOnly", "writeOnly", "deprecated", "contentEncoding", "contentMediaType"]);
// Keywords copied as they are (after the checks below).
const PASSTHROUGH = [
  "format", "title", "description", "example", "nullable", "maxLength", "minLength", "pattern", "multipleOf",
  "maxItems", "minItems", "maxProperties", "minProperties",
  "x-kubernetes-embedded-resource", "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
] as const;
// Keywords handled by name in convertNode.
const HANDLED: ReadonlySet<string> = new Set([
  ...PASSTHROUGH, "type", "default", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
  "properties", "required", "additionalProperties", "patternProperties", "items", "uniqueItems",
  "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string", "x-kubernetes-validations",
]);
// Why a JSON Schema keyword has no CRD equivalent, and what to write instead.
const UNSUPPORTED: Readonly<Record<string, string>> = {
  $ref: "schema references are not supported in CRDs: pass the schema value itself instead of Type.Ref, and avoid recursive (Type.Cyclic) types",
  $defs: "schema definitions are not supported in CRDs: inline the schemas, and avoid recursive (Type.Cyclic) types",
  definitions: "schema definitions are not supported in CRDs: inline the schemas",
  oneOf: "oneOf is not structural: use one object with optional fields and a CEL rule such as \"[has(self.a), has(self.b)].exists_one(x, x)\" in x-kubernetes-validations",
  not: "not is not supported here: express the constraint as a CEL rule in x-kubernetes-validations",
  if: "conditional schemas (if/then/else) are not supported: express the condition as a CEL rule, e.g. \"self.mode != 'tls' || has(self.cert)\"",
  then: "conditional schemas (if/then/else) are not supported: express the condition as a CEL rule, e.g. \"self.mode != 'tls' || has(self.cert)\"",
  else: "conditional schemas (if/then/else) are not supported: express the condition as a CEL rule, e.g. \"self.mode != 'tls' || has(self.cert)\"",
  dependencies: "dependencies are not supported: express them as a CEL rule, e.g. \"!has(self.a) || has(self.b)\"",
  dependentRequired: "dependentRequired is not supported: express it as a CEL rule, e.g. \"!has(self.a) || has(self.b)\"",
  dependentSchemas: "dependentSchemas is not supported: express it as a CEL rule",
  prefixItems: "tuples are not structural: use an object with named fields, or an array of one item type",
  additionalItems: "tuples are not structural: use an object with named fields, or an array of one item type",
  unevaluatedItems: "tuples are not structural: use an object with named fields, or an array of one item type",
  contains: "contains is not supported: use a CEL rule such as \"self.exists(x, x == 'a')\"",
  minContains: "minContains is not supported: use a CEL rule",
  maxContains: "maxContains is not supported: use a CEL rule",
  propertyNames: "propertyNames is not supported: restrict map keys with a CEL rule such as \"self.all(k, k.matches('^[a-z]+$'))\" and set maxProperties",
  unevaluatedProperties: "unevaluatedProperties is not supported: the API server prunes unknown fields anyway; remove it",
};

function notStructural(path: string, problem: string): OperantError {
  return new OperantError("CrdSchemaNotStructural", `${path}: ${problem}`);
}

function invalid(path: string, problem: string): OperantError {
  return new OperantError("CrdSchemaInvalid", `${path}: ${problem}`);
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v);

/**
 * Converts a TypeBox schema to a structural CRD schema node.
 *
 * @param schema a TypeBox schema (or plain JSON Schema)
 * @param path the field path used in error messages, e.g. `spec`
 * @throws OperantError `CrdSchemaNotStructural` when the API server would
 *   refuse the schema's shape, `CrdSchemaInvalid` when a value in it is wrong
 *   (default not matching, bad pattern, bad list-map keys, bad CEL rule fields)
 * @example
 * ```ts
 * toStructural(Type.Object({ size: Type.Integer({ minimum: 1 }) }), "spec")
 * // { type: "object", required: ["size"], properties: { size: { type: "integer", minimum: 1 } } }
 * ```
 */
export function toStructural(schema: unknown, path: string): JSONSchemaProps {
  return convertNode(schema, path);
}

/**
 * The `openAPIV3Schema` of one CRD version: the root object with
 * `apiVersion`, `kind`, `metadata`, and the converted `spec` and `status`;
 * `spec` is required unless its schema has a default; `validations` are CEL
 * rules on the whole object (`self.spec`, `self.metadata.name`…).
 *
 * @throws OperantError `CrdSchemaNotStructural`, `CrdSchemaInvalid` (see {@link toStructural})
 * @example
 * ```ts
 * rootSchema({ spec: Type.Object({ size: Type.Integer() }), validations: [{ rule: "self.metadata.name.size() <= 40" }] })
 * ```
 */
export function rootSchema(parts: { spec: unknown; status?: unknown; validations?: readonly ValidationRule[] | undefined; description?: string | undefined }): JSONSchemaProps {
  const spec = convertNode(parts.spec, "spec");
  const properties: Record<string, JSONSchemaProps> = {
    apiVersion: { type: "string", description: "The versioned schema of this representation of an object (group/version)." },
    kind: { type: "string", description: "The REST resource this object represents, in CamelCase." },
    metadata: { type: "object" },
    spec,
  };
  if (parts.status !== undefined) properties.status = convertNode(parts.status, "status");
  const root: JSONSchemaProps = { type: "object", properties };
  if (parts.description !== undefined) root.description = parts.description;
  if (spec.default === undefined) root.required = ["spec"];
  if (parts.validations !== undefined && parts.validations.length > 0) root["x-kubernetes-validations"] = checkRules(parts.validations, "validations");
  return ordered(root);
}

function convertNode(schema: unknown, path: string): JSONSchemaProps {
  if (!isObject(schema)) throw notStructural(path, `is not a schema (got ${show(schema)}); pass a TypeBox type such as Type.String()`);
  const keys = Object.keys(schema).filter((k) => !k.startsWith("~") && !ANNOTATIONS.has(k));
  for (const k of keys) {
    const why = UNSUPPORTED[k];
    if (why !== undefined) throw notStructural(path, why);
  }
  if (Array.isArray(schema.anyOf)) return convertUnion(schema, schema.anyOf, path);
  if (Array.isArray(schema.allOf)) return convertIntersection(schema, schema.allOf, path);
  if ("anyOf" in schema || "allOf" in schema) throw notStructural(path, "anyOf/allOf must be a list of schemas");
  for (const k of keys) {
    if (HANDLED.has(k)) continue;
    if (k.startsWith("x-kubernetes-")) {
      throw invalid(path, `unknown Kubernetes extension ${show(k)}; the known ones are x-kubernetes-preserve-unknown-fields, -embedded-resource, -int-or-string, -list-type, -list-map-keys, -map-type and -validations`);
    }
    if (k.startsWith("x-")) continue; // other vendor extensions document only
    throw notStructural(path, `the keyword ${show(k)} is not supported in CRD schemas; remove it, or express the constraint as a CEL rule in x-kubernetes-validations`);
  }

  const out: JSONSchemaProps = {};
  const type = schemaType(schema, path);
  if (type !== undefined) out.type = type;
  if (Array.isArray(schema.type) && schema.type.includes("null")) out.nullable = true; // { type: ["string", "null"] }
  for (const k of PASSTHROUGH) if (schema[k] !== undefined) (out as Json)[k] = schema[k];
  if (schema["x-kubernetes-int-or-string"] === true) out["x-kubernetes-int-or-string"] = true;
  if (schema["x-kubernetes-preserve-unknown-fields"] === true) out["x-kubernetes-preserve-unknown-fields"] = true;
  const values = enumValues(schema);
  if (values !== undefined) {
    if (type !== undefined && enumType(values, path) !== type && !(type === "number" && enumType(values, path) === "integer")) {
      throw invalid(path, `the allowed values ${show(values)} are not all of the field's type ${type}`);
    }
    out.enum = values;
  }
  numericBounds(schema, out, path);

  if (type === "object") convertObject(schema, out, path);
  if (type === "array") convertArray(schema, out, path);
  if (type === undefined && !out["x-kubernetes-int-or-string"] && !out["x-kubernetes-preserve-unknown-fields"]) {
    throw notStructural(
      path,
      "has no type (Type.Any, Type.Unknown, or a schema without \"type\"); every field of a structural schema needs one. Use a concrete type, FreeForm() for an object of arbitrary JSON, or IntOrString() for int-or-string",
    );
  }
  if (schema.uniqueItems === true) {
    throw notStructural(path, "uniqueItems: true is refused by the API server (its cost is quadratic); use { \"x-kubernetes-list-type\": \"set\" } on the array instead");
  }
  checkPattern(out.pattern, path);
  checkExtensions(out, path);
  const rules = schema["x-kubernetes-validations"];
  if (rules !== undefined) out["x-kubernetes-validations"] = checkRules(rules, path);
  if (schema.default !== undefined) {
    checkDefault(schema, path);
    out.default = schema.default;
  }
  return ordered(out);
}

function schemaType(schema: Json, path: string): SchemaType | undefined {
  let t = schema.type;
  if (Array.isArray(t)) {
    const nonNull = t.filter((x) => x !== "null");
    if (nonNull.length !== 1) throw notStructural(path, `a field has exactly one type, not ${show(t)}; use IntOrString() for int-or-string, or pick one type`);
    t = nonNull[0];
  }
  if (t === undefined) {
    const values = enumValues(schema);
    return values === undefined ? undefined : enumType(values, path);
  }
  if (t === "null") throw notStructural(path, "a field cannot have type null; for a nullable field write Type.Union([T, Type.Null()])");
  if (typeof t !== "string" || !TYPES.has(t)) {
    throw notStructural(path, `type ${show(t)} cannot be stored in a Kubernetes object; use one of string, integer, number, boolean, object, array (e.g. a string for big integers and dates)`);
  }
  if (t === "number" && enumValues(schema)?.every((v) => Number.isInteger(v))) return "integer";
  return t as SchemaType;
}

function enumValues(schema: Json): unknown[] | undefined {
  if (schema.const !== undefined) return [schema.const];
  if (Array.isArray(schema.enum)) return [...new Set(schema.enum as unknown[])];
  return undefined;
}

function enumType(values: unknown[], path: string): SchemaType {
  const kinds = new Set(values.map((v) => (typeof v === "number" ? (Number.isInteger(v) ? "integer" : "number") : v === null ? "null" : Array.isArray(v) ? "array" : typeof v)));
  if (kinds.has("integer") && kinds.has("number")) kinds.delete("integer");
  const [only] = kinds;
  if (kinds.size !== 1 || only === undefined || !SCALARS.has(only)) {
    throw notStructural(path, `the allowed values ${show(values)} mix types (${[...kinds].join(", ")}); an enum must be all strings, all numbers or all booleans`);
  }
  return only as SchemaType;
}

function numericBounds(schema: Json, out: JSONSchemaProps, path: string): void {
  const num = (k: string): number | boolean | undefined => {
    const v = schema[k];
    if (v === undefined || typeof v === "boolean") return v;
    if (typeof v === "number") return v;
    if (typeof v === "bigint") return Number(v);
    throw invalid(path, `${k} must be a number, got ${show(v)}`);
  };
  const bound = (inclusiveKey: "minimum" | "maximum", exclusiveKey: "exclusiveMinimum" | "exclusiveMaximum", stricter: (a: number, b: number) => boolean) => {
    const inclusive = num(inclusiveKey) as number | undefined;
    const exclusive = num(exclusiveKey);
    if (typeof exclusive === "number" && (inclusive === undefined || !stricter(inclusive, exclusive))) {
      out[inclusiveKey] = exclusive; // JSON Schema 2020-12 `exclusiveMinimum: n` is OpenAPI 3.0 `minimum: n, exclusiveMinimum: true`
      out[exclusiveKey] = true;
      return;
    }
    if (inclusive !== undefined) out[inclusiveKey] = inclusive;
    if (exclusive === true) out[exclusiveKey] = true;
  };
  bound("minimum", "exclusiveMinimum", (a, b) => a > b);
  bound("maximum", "exclusiveMaximum", (a, b) => a < b);
}

function convertObject(schema: Json, out: JSONSchemaProps, path: string): void {
  const props = schema.properties;
  const hasProps = isObject(props) && Object.keys(props).length > 0;
  if (props !== undefined && !isObject(props)) throw notStructural(path, "properties must be an object of schemas");
  if (isObject(props) && hasProps) {
    out.properties = {};
    for (const [name, p] of Object.entries(props)) out.properties[name] = convertNode(p, `${path}.${name}`);
    // A field with a default is never required: the API server fills it in before it validates (as controller-gen
    // leaves `+default` fields out of required), so a create without it succeeds and `kubectl explain` does not call it required.
    const required = Array.isArray(schema.required) ? (schema.required as unknown[]).filter((r): r is string => typeof r === "string" && out.properties?.[r]?.default === undefined) : [];
    if (required.length > 0) out.required = [...new Set(required)];
  }
  const pattern = schema.patternProperties;
  if (pattern !== undefined) {
    const entries = isObject(pattern) ? Object.entries(pattern) : [];
    const first = entries[0];
    if (entries.length !== 1 || first === undefined || first[0] !== "^.*$") {
      throw notStructural(
        path,
        `map keys cannot be restricted by a pattern (${show(Object.keys(pattern ?? {}))}); use Type.Record(Type.String(), V) and a CEL rule such as "self.all(k, k.matches('^[a-z]+$'))" with maxProperties to bound its cost`,
      );
    }
    if (hasProps) throw notStructural(path, "an object cannot have both fixed properties and map entries (properties with patternProperties/additionalProperties); move the map into its own field");
    const value = first[1];
    const freeForm = out["x-kubernetes-preserve-unknown-fields"] === true && isObject(value) && Object.keys(value).length === 0;
    if (!freeForm) out.additionalProperties = convertNode(value, `${path}[*]`);
  }
  const additional = schema.additionalProperties;
  if (additional === true) out["x-kubernetes-preserve-unknown-fields"] = true;
  else if (isObject(additional)) {
    if (hasProps) throw notStructural(path, "additionalProperties and properties together are refused by the API server; a field is either a struct (properties) or a map (additionalProperties): move the map into its own field");
    if (out.additionalProperties !== undefined) throw notStructural(path, "both patternProperties and additionalProperties describe map values; keep one");
    out.additionalProperties = convertNode(additional, `${path}[*]`);
  } else if (additional !== undefined && additional !== false) {
    throw notStructural(path, `additionalProperties must be a schema or a boolean, got ${show(additional)}`);
  }
  // additionalProperties: false is dropped: the API server prunes unknown fields by itself.
}

function convertArray(schema: Json, out: JSONSchemaProps, path: string): void {
  const items = schema.items;
  if (Array.isArray(items)) throw notStructural(path, "tuples are not structural: use an object with named fields, or an array of one item type");
  if (items === undefined) throw notStructural(path, "an array needs an item schema (Type.Array(T))");
  out.items = convertNode(items, `${path}[*]`);
  const hint = isObject(items) ? (items as { [LIST_MAP_KEYS]?: string[] })[LIST_MAP_KEYS] : undefined;
  if (hint !== undefined && out["x-kubernetes-list-type"] === undefined && out["x-kubernetes-list-map-keys"] === undefined) {
    out["x-kubernetes-list-type"] = "map";
    out["x-kubernetes-list-map-keys"] = [...hint];
  }
  if (out["x-kubernetes-list-map-keys"] !== undefined && out["x-kubernetes-list-type"] === undefined) out["x-kubernetes-list-type"] = "map";
}

function checkExtensions(out: JSONSchemaProps, path: string): void {
  const listType = out["x-kubernetes-list-type"];
  const keys = out["x-kubernetes-list-map-keys"];
  if (listType !== undefined) {
    if (out.type !== "array") throw invalid(path, "x-kubernetes-list-type applies to arrays only");
    if (!["atomic", "set", "map"].includes(listType)) throw invalid(path, `x-kubernetes-list-type must be "atomic", "set" or "map", not ${show(listType)}`);
  }
  const items = out.items;
  if (listType === "set" && items !== undefined) {
    const scalar = items.type !== undefined && SCALARS.has(items.type);
    const atomic = (items.type === "object" && items["x-kubernetes-map-type"] === "atomic") || (items.type === "array" && (items["x-kubernetes-list-type"] ?? "atomic") === "atomic");
    if (!scalar && !atomic) throw invalid(path, "the items of a list-type set must be scalars (or atomic objects/lists); for a list of objects use list-type map with x-kubernetes-list-map-keys");
    if (items.nullable) throw invalid(`${path}[*]`, "items of a list-type set cannot be nullable");
  }
  if (keys !== undefined) {
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === "string")) throw invalid(path, "x-kubernetes-list-map-keys must be a non-empty list of property names");
    if (listType !== "map") throw invalid(path, `x-kubernetes-list-map-keys needs x-kubernetes-list-type "map", not ${show(listType)}`);
  }
  if (listType === "map") {
    if (keys === undefined) throw invalid(path, "x-kubernetes-list-type map needs x-kubernetes-list-map-keys (the item properties that identify an entry, e.g. [\"name\"])");
    if (items?.type !== "object") throw invalid(path, "the items of a list-type map must be objects");
    if (items.nullable) throw invalid(`${path}[*]`, "items of a list-type map cannot be nullable");
    if (new Set(keys).size !== keys.length) throw invalid(path, `x-kubernetes-list-map-keys ${show(keys)} has duplicates`);
    for (const k of keys) {
      const p = items.properties?.[k];
      if (p === undefined) throw invalid(path, `list-map key ${show(k)} is not a property of the items (${show(Object.keys(items.properties ?? {}))})`);
      if (p.type === "object" || p.type === "array") throw invalid(`${path}[*].${k}`, "a list-map key must be a scalar (string, integer, number or boolean)");
      if (p.nullable) throw invalid(`${path}[*].${k}`, "a list-map key cannot be nullable");
      if (!items.required?.includes(k) && p.default === undefined) throw invalid(`${path}[*].${k}`, "a list-map key must be required or have a default: drop Type.Optional or add { default: … }");
    }
  }
  const mapType = out["x-kubernetes-map-type"];
  if (mapType !== undefined) {
    if (out.type !== "object") throw invalid(path, "x-kubernetes-map-type applies to objects only");
    if (mapType !== "atomic" && mapType !== "granular") throw invalid(path, `x-kubernetes-map-type must be "atomic" or "granular", not ${show(mapType)}`);
  }
  if (out["x-kubernetes-embedded-resource"] !== undefined) {
    if (out["x-kubernetes-embedded-resource"] !== true) {
      delete out["x-kubernetes-embedded-resource"];
    } else {
      if (out.type !== "object") throw notStructural(path, "x-kubernetes-embedded-resource needs type object");
      if (out.additionalProperties !== undefined) throw notStructural(path, "an embedded resource cannot be a map (additionalProperties)");
      if (!out["x-kubernetes-preserve-unknown-fields"] && Object.keys(out.properties ?? {}).length === 0) {
        throw notStructural(path, "an embedded resource needs properties or x-kubernetes-preserve-unknown-fields: true; use EmbeddedResource()");
      }
    }
  }
  if (out["x-kubernetes-int-or-string"] && (out["x-kubernetes-preserve-unknown-fields"] || out["x-kubernetes-embedded-resource"])) {
    throw notStructural(path, "x-kubernetes-int-or-string cannot be combined with x-kubernetes-preserve-unknown-fields or x-kubernetes-embedded-resource");
  }
}

function checkRules(rules: unknown, path: string): ValidationRule[] {
  if (!Array.isArray(rules)) throw invalid(path, "x-kubernetes-validations must be a list of { rule, message? } objects");
  return rules.map((r, i) => {
    const at = `${path} x-kubernetes-validations[${i}]`;
    if (!isObject(r)) throw invalid(at, `must be an object like { rule: "self.a > 0", message: "a must be positive" }, got ${show(r)}`);
    for (const k of Object.keys(r)) {
      if (!["rule", "message", "messageExpression", "reason", "fieldPath", "optionalOldSelf"].includes(k)) {
        throw invalid(at, `unknown key ${show(k)}; a rule has rule, message, messageExpression, reason, fieldPath and optionalOldSelf`);
      }
    }
    const { rule, message, messageExpression, reason, fieldPath, optionalOldSelf } = r;
    if (typeof rule !== "string" || rule.trim() === "") throw invalid(at, "rule must be a non-empty CEL expression");
    if (message !== undefined && (typeof message !== "string" || message.trim() === "")) throw invalid(at, "message must be a non-empty string");
    if (typeof message === "string" && /[\r\n]/.test(message.trim())) throw invalid(at, "message must be a single line");
    if (/[\r\n]/.test(rule.trim()) && message === undefined) throw invalid(at, "a rule spanning several lines needs a message");
    if (messageExpression !== undefined && (typeof messageExpression !== "string" || messageExpression.trim() === "")) throw invalid(at, "messageExpression must be a non-empty CEL expression");
    if (reason !== undefined && (typeof reason !== "string" || !RULE_REASONS.has(reason))) throw invalid(at, `reason must be one of ${[...RULE_REASONS].join(", ")}, not ${show(reason)}`);
    if (fieldPath !== undefined && (typeof fieldPath !== "string" || fieldPath.trim() === "" || /[\r\n]/.test(fieldPath))) throw invalid(at, "fieldPath must be a single-line path such as \".spec.size\"");
    if (optionalOldSelf !== undefined && typeof optionalOldSelf !== "boolean") throw invalid(at, "optionalOldSelf must be a boolean");
    return ordered(r) as unknown as ValidationRule;
  });
}

// Go's regexp (RE2), which the API server uses for `pattern`, has no lookaround and no backreferences.
function checkPattern(pattern: unknown, path: string): void {
  if (pattern === undefined) return;
  if (typeof pattern !== "string") throw invalid(path, `pattern must be a string, got ${show(pattern)}`);
  try {
    new RegExp(pattern, "u");
  } catch (err) {
    throw invalid(path, `pattern ${show(pattern)} is not a valid regular expression (${(err as Error).message})`);
  }
  if (/\(\?<?[=!]/.test(pattern) || /\\[1-9]|\\k</.test(pattern)) {
    throw invalid(path, `pattern ${show(pattern)} uses lookaround or backreferences, which the API server's regular expressions (RE2) do not support; rewrite it, or use a CEL rule`);
  }
}

// TypeBox's value module (with its compiler, some 300 modules) is needed here
// only to check defaults while generating a CRD: loaded on first use, it stays
// out of every operator's start (see crd/validate).
const requireModule = createRequire(import.meta.url);
let valueErrors: typeof TypeBoxValue.Value.Errors | undefined;

function checkDefault(schema: Json, path: string): void {
  // As the API server does, the default is checked as it is: its fields' own defaults are not applied first.
  valueErrors ??= (requireModule("typebox/value") as typeof TypeBoxValue).Value.Errors;
  const errors = valueErrors(schema, schema.default);
  const first = errors[0];
  if (first !== undefined) {
    const where = first.instancePath ? ` at ${first.instancePath.slice(1).replace(/\//g, ".")}` : "";
    throw invalid(path, `default ${show(schema.default)} does not satisfy the field's own schema${where} (${first.message}); fix the default or the constraints`);
  }
}

function convertUnion(schema: Json, members: unknown[], path: string): JSONSchemaProps {
  const { anyOf: _anyOf, "x-kubernetes-int-or-string": _marker, default: dflt, ...outer } = schema;
  const all = members.map((m, i) => {
    if (!isObject(m)) throw notStructural(`${path} (union member ${i + 1})`, "is not a schema");
    return m;
  });
  const nonNull = all.filter((m) => m.type !== "null");
  const typeOf = (m: Json) => (m.type !== undefined ? m.type : Array.isArray(m.enum) || m.const !== undefined ? enumType(enumValues(m) ?? [], path) : undefined);
  let out: JSONSchemaProps;
  const [single] = nonNull;
  if (single === undefined) {
    throw notStructural(path, "a field cannot be only null; give it a type and mark it nullable with Type.Union([T, Type.Null()])");
  } else if (nonNull.length === 1) {
    // Type.Union([T, Type.Null()]) → T, nullable
    const merged: Json = { ...single, ...outer };
    copySymbols(single, merged);
    out = convertNode(merged, path);
  } else if (nonNull.every((m) => isLiteral(m))) {
    // Type.Union([Type.Literal("a"), Type.Literal("b")]) → type: string, enum: [a, b]
    const values = [...new Set(nonNull.flatMap((m) => enumValues(m) ?? []))];
    out = convertNode({ type: enumType(values, path), enum: values, ...outer }, path);
  } else if (isIntOrString(nonNull)) {
    const plain = nonNull.every((m) => Object.keys(m).every((k) => k === "type" || k === "description" || k === "title"));
    if (!plain) {
      throw notStructural(path, "the integer and string members of an int-or-string cannot carry their own constraints; use IntOrString() and put constraints in a CEL rule (x-kubernetes-validations)");
    }
    out = { ...convertNode({ ...outer, "x-kubernetes-int-or-string": true }, path), anyOf: [{ type: "integer" }, { type: "string" }] };
  } else {
    const types = new Set(nonNull.map(typeOf));
    const [only] = types;
    if (types.size !== 1 || typeof only !== "string" || !SCALARS.has(only)) {
      const names = [...types].map((t) => (typeof t === "string" ? t : t === undefined ? "untyped" : JSON.stringify(t))).join(" | ");
      const hint = types.has("object")
        ? "a union of object shapes is not structural: use one Type.Object with optional fields and a CEL rule choosing between them, e.g. \"[has(self.a), has(self.b)].exists_one(x, x)\""
        : "a field has one type; use IntOrString() for int-or-string, Type.Union of Type.Literal values for an enum, or one type plus a CEL rule";
      throw notStructural(path, `a union of ${names} is not structural: ${hint}`);
    }
    // Same-typed alternatives (e.g. two string formats): the type outside, the alternatives as value validations.
    const alternatives = nonNull.map((m, i) => nestedValidation(convertNode(m, `${path} (union member ${i + 1})`), `${path} (union member ${i + 1})`));
    out = { ...convertNode({ ...outer, type: only }, path), anyOf: alternatives };
  }
  if (nonNull.length < all.length) {
    if (out.enum !== undefined) {
      throw invalid(path, "the API server rejects null for a field with allowed values, even when it is nullable; make the field optional (Type.Optional) instead of allowing null");
    }
    out.nullable = true;
  }
  if (dflt !== undefined) {
    checkDefault(schema, path);
    out.default = dflt;
  }
  return ordered(out);
}

function nestedValidation(node: JSONSchemaProps, path: string): JSONSchemaProps {
  const { type: _type, description: _d, title: _t, ...rest } = node;
  for (const k of ["default", "nullable", "x-kubernetes-validations", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string", "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "additionalProperties", "properties", "items"] as const) {
    if (rest[k] !== undefined) throw notStructural(path, `${k} cannot be set on one alternative of a union (the API server requires it outside anyOf); set it on the union itself`);
  }
  return rest;
}

function isLiteral(m: Json): boolean {
  const keys = Object.keys(m).filter((k) => k !== "description" && k !== "title" && k !== "type");
  return keys.length === 1 && (keys[0] === "const" || keys[0] === "enum");
}

function isIntOrString(members: Json[]): boolean {
  if (members.length !== 2) return false;
  const types = members.map((m) => m.type).sort();
  return types[0] === "integer" && types[1] === "string" && members.every((m) => !isLiteral(m));
}

function convertIntersection(schema: Json, members: unknown[], path: string): JSONSchemaProps {
  // Type.Intersect of objects → one object with every member's properties.
  const converted = members.map((m, i) => convertNode(m, `${path} (intersection member ${i + 1})`));
  if (!converted.every((c) => c.type === "object" && c.additionalProperties === undefined)) {
    throw notStructural(path, "only objects can be intersected (Type.Intersect of Type.Object); for other types use one schema with all constraints");
  }
  const merged: JSONSchemaProps = { type: "object", properties: {} };
  const required = new Set<string>();
  const rules: ValidationRule[] = [];
  for (const c of converted) {
    for (const [name, p] of Object.entries(c.properties ?? {})) {
      const prev = merged.properties?.[name];
      if (prev !== undefined && show(prev) !== show(p)) throw notStructural(`${path}.${name}`, "is defined differently by two members of an intersection; define it once");
      (merged.properties as Record<string, JSONSchemaProps>)[name] = p;
    }
    for (const r of c.required ?? []) required.add(r);
    rules.push(...(c["x-kubernetes-validations"] ?? []));
    if (c["x-kubernetes-preserve-unknown-fields"]) merged["x-kubernetes-preserve-unknown-fields"] = true;
    for (const [k, v] of Object.entries(c)) {
      if (["type", "properties", "required", "x-kubernetes-validations", "x-kubernetes-preserve-unknown-fields", "description", "title"].includes(k)) continue;
      const prev = (merged as Json)[k];
      if (prev !== undefined && show(prev) !== show(v)) throw notStructural(path, `members of the intersection disagree on ${k}; set it once on the intersection`);
      (merged as Json)[k] = v;
    }
  }
  if (Object.keys(merged.properties ?? {}).length === 0) delete merged.properties;
  if (required.size > 0) merged.required = [...required];
  if (rules.length > 0) merged["x-kubernetes-validations"] = rules;
  const outer = dropUnset(Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "allOf")));
  if (Object.keys(outer).length === 0) return ordered(merged);
  const extra = convertNode({ ...outer, type: "object" }, path);
  const outerRules = extra["x-kubernetes-validations"];
  return ordered({ ...merged, ...extra, properties: merged.properties, ...(rules.length || outerRules ? { "x-kubernetes-validations": [...rules, ...(outerRules ?? [])] } : {}) });
}

function dropUnset(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function copySymbols(from: Json, to: Json): void {
  const hint = (from as { [LIST_MAP_KEYS]?: string[] })[LIST_MAP_KEYS];
  if (hint !== undefined) (to as { [LIST_MAP_KEYS]?: string[] })[LIST_MAP_KEYS] = hint;
}

const ORDER = [
  "type", "format", "title", "description", "nullable", "default", "example", "enum",
  "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern",
  "minItems", "maxItems", "items", "minProperties", "maxProperties", "required", "properties", "additionalProperties", "anyOf", "allOf",
  "rule", "message", "messageExpression", "reason", "fieldPath", "optionalOldSelf",
];

// A stable key order, so generated manifests diff well.
function ordered<T extends object>(o: T): T {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  const rank = (k: string) => {
    const i = ORDER.indexOf(k);
    return i < 0 ? ORDER.length : i;
  };
  entries.sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  return Object.fromEntries(entries) as T;
}
