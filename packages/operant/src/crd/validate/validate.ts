// Client-side validation of objects against a TypeBox schema, reported the
// way Kubernetes reports field errors: one problem per field, addressed by a
// path such as `spec.nodes[2].name`, with unions summarised ("must be one of
// …") instead of one error per alternative.
import { createRequire } from "node:module";
import type { TSchema } from "typebox";
import type * as TypeBoxCompile from "typebox/compile";
import type { Validator } from "typebox/compile";
import type { TLocalizedValidationError } from "typebox/error";
import { Settings } from "typebox/system";

/**
 * One reason an object does not match its schema.
 *
 * @example
 * ```ts
 * const p: ValidationProblem = { path: "spec.size", message: "must be >= 1" };
 * console.log(`${p.path}: ${p.message}`);
 * ```
 */
export interface ValidationProblem {
  /** Where: `spec.size`, `status.conditions[0].status`, `spec.labels["app.kubernetes.io/name"]`; `""` for the object itself. */
  path: string;
  /** What is wrong, e.g. `must be >= 1`, `is required`, `must be one of "True", "False", "Unknown"`. */
  message: string;
}

type RawError = TLocalizedValidationError;

const compiled = new WeakMap<TSchema, Validator>();

// TypeBox's compiler is some 300 modules on top of TypeBox itself: loading it
// with the rest of operant added ~60–100 ms to every operator's start, before
// its first request. It is loaded on the first validation instead (require of
// an ES module, synchronous), which the controller runner triggers while its
// caches sync, when the process mostly waits for the API server.
const requireModule = createRequire(import.meta.url);
let compile: typeof TypeBoxCompile.Compile | undefined;
function compileSchema(schema: TSchema): Validator {
  compile ??= (requireModule("typebox/compile") as typeof TypeBoxCompile).Compile;
  return compile(schema);
}

/**
 * Checks `value` against a TypeBox schema and lists every problem, with its
 * field path; empty when the value is valid. Compiled validators are cached
 * per schema.
 *
 * @example
 * ```ts
 * problems(Type.Object({ size: Type.Integer({ minimum: 1 }) }), { size: 0 })
 * // [{ path: "size", message: "must be >= 1" }]
 * ```
 */
export function problems(schema: TSchema, value: unknown): ValidationProblem[] {
  let validator = compiled.get(schema);
  if (validator === undefined) {
    validator = compileSchema(schema);
    compiled.set(schema, validator);
  }
  if (validator.Check(value)) return [];
  const errors = collect(validator, value);
  const out: ValidationProblem[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string) => {
    const key = `${path}\u0000${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path, message });
    }
  };
  // Errors inside a union's alternatives are replaced by one message for the union
  // (the outermost union on the error's schema path), at the union's own field.
  const unions = new Map<string, RawError[]>();
  for (const e of errors) {
    const at = unionOf(e);
    if (at !== undefined) unions.set(at, [...(unions.get(at) ?? []), e]);
  }
  const reported = new Set<string>();
  for (const e of errors) {
    const union = unionOf(e);
    if (union !== undefined) {
      if (reported.has(union)) continue;
      reported.add(union);
      const group = unions.get(union) ?? [];
      const instance = group.map((g) => g.instancePath).reduce((a, b) => (b.length < a.length ? b : a));
      add(fieldPath(pointer(instance)), unionMessage(resolve(schema, union), group, union));
      continue;
    }
    const segments = pointer(e.instancePath);
    if (e.keyword === "required") {
      for (const name of (e.params as { requiredProperties?: string[] }).requiredProperties ?? []) add(fieldPath([...segments, name]), "is required");
    } else {
      add(fieldPath(segments), e.message);
    }
  }
  return out;
}

// TypeBox buffers 8 errors by default (a global setting); a union alone can
// use most of them. Raise the cap for this synchronous call only, then put it back.
const MAX_ERRORS = 200;
function collect(validator: Validator, value: unknown): RawError[] {
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: Math.max(previous, MAX_ERRORS) });
  try {
    return validator.Errors(value);
  } finally {
    Settings.Set({ maxErrors: previous });
  }
}

// The schema path of the outermost union an error belongs to: the anyOf error
// itself, or an error inside one of its alternatives.
function unionOf(e: RawError): string | undefined {
  const i = e.schemaPath.indexOf("/anyOf/");
  if (i >= 0) return e.schemaPath.slice(0, i);
  return e.keyword === "anyOf" ? e.schemaPath : undefined;
}

function unionMessage(node: unknown, errors: RawError[], at: string): string {
  const members = (isRecord(node) && Array.isArray(node.anyOf) ? node.anyOf : []).filter(isRecord);
  const nullable = members.some((m) => m.type === "null");
  const nonNull = members.filter((m) => m.type !== "null");
  const orNull = nullable ? " (or null)" : "";
  if (nonNull.length > 0 && nonNull.every((m) => m.const !== undefined || Array.isArray(m.enum))) {
    const values = nonNull.flatMap((m) => (m.const !== undefined ? [m.const] : (m.enum as unknown[])));
    return `must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}${orNull}`;
  }
  if (nonNull.length === 2 && nonNull.some((m) => m.type === "integer") && nonNull.some((m) => m.type === "string")) return `must be an integer or a string${orNull}`;
  if (nonNull.length === 1) {
    // T | null: what is wrong with the value as a T.
    const index = members.indexOf(nonNull[0] as Record<string, unknown>);
    const inner = errors.filter((e) => e.schemaPath === `${at}/anyOf/${index}` || e.schemaPath.startsWith(`${at}/anyOf/${index}/`));
    const required = inner.find((e) => e.keyword === "required");
    if (required !== undefined) {
      const names = (required.params as { requiredProperties?: string[] }).requiredProperties ?? [];
      return `${names.map((n) => fieldPath([n])).join(", ")} ${names.length === 1 ? "is" : "are"} required${orNull}`;
    }
    const first = inner[0];
    if (first !== undefined) return `${first.message}${orNull}`;
  }
  return "must match one of the allowed forms";
}

function resolve(root: unknown, schemaPath: string): unknown {
  let node = root;
  for (const seg of pointer(schemaPath.replace(/^#/, ""))) {
    if (!isRecord(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node;
}

function pointer(p: string): string[] {
  if (p === "" || p === "/") return [];
  return p
    .replace(/^\//, "")
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/**
 * Joins path segments the way Kubernetes prints field paths: `spec.nodes[0].name`, `spec.labels["a.b/c"]`.
 *
 * @example
 * ```ts
 * fieldPath(["spec", "nodes", "0", "name"]) // "spec.nodes[0].name"
 * ```
 */
export function fieldPath(segments: readonly string[]): string {
  let out = "";
  for (const s of segments) {
    if (/^(0|[1-9][0-9]*)$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s)) out += out === "" ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
