// Editing src/operator.ts for `operant create api`: add an import and an
// entry to the `resources` or `controllers` array of the defineOperator call.
// The file is the user's, so the edit is small and refuses (saying what to add
// by hand) when the file does not have the expected shape.
import { OperantError } from "../../core/errors.ts";

/** One thing to wire into src/operator.ts. */
export interface OperatorFileAddition {
  /** `resources`, `controllers`, `webhooks` or `conversions`. */
  list: "resources" | "controllers" | "webhooks" | "conversions";
  /** The exported name to import and list, e.g. `Memcached`. */
  name: string;
  /** Module to import it from, relative to src/operator.ts, e.g. `./api/memcached.ts`. */
  from: string;
}

function manualSteps(additions: readonly OperatorFileAddition[]): string {
  return additions.map((a) => `import { ${a.name} } from "${a.from}"; and add ${a.name} to ${a.list}: [...]`).join("; ");
}

/**
 * Walks `source` from `from`, skipping strings, template literals and
 * comments, calling `visit` with each code position and the bracket depth
 * before it (relative to `from`); stops when `visit` returns true. Returns
 * that position, or -1.
 */
function scan(source: string, from: number, visit: (i: number, depth: number) => boolean): number {
  let depth = 0;
  for (let i = from; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '"' || ch === "'" || ch === "`") {
      let j = i + 1;
      while (j < source.length && source[j] !== ch) j += source[j] === "\\" ? 2 : 1;
      i = j;
      continue;
    }
    if (ch === "/" && source[i + 1] === "/") {
      const e = source.indexOf("\n", i);
      i = e < 0 ? source.length : e;
      continue;
    }
    if (ch === "/" && source[i + 1] === "*") {
      const e = source.indexOf("*/", i + 2);
      i = e < 0 ? source.length : e + 1;
      continue;
    }
    if (visit(i, depth)) return i;
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") depth--;
  }
  return -1;
}

/**
 * The `[ … ]` of the `list: [ … ]` property of the defineOperator call's
 * object (top-level properties only): offsets of its brackets, or an error
 * when there is not exactly one.
 */
function findArray(source: string, list: string, additions: readonly OperatorFileAddition[]): { open: number; close: number } {
  const calls = [...source.matchAll(/\bdefineOperator\s*\(\s*\{/g)];
  const key = new RegExp(`^${list}\\s*:\\s*\\[`);
  const found: number[] = [];
  for (const call of calls) {
    const brace = call.index + call[0].length - 1;
    scan(source, brace, (i, depth) => {
      if (depth === 1 && /[\s,{]/.test(source[i - 1] ?? "") && key.test(source.slice(i, i + list.length + 40))) found.push(source.indexOf("[", i));
      return depth === 1 && source[i] === "}";
    });
  }
  if (calls.length !== 1 || found.length !== 1) {
    const what = calls.length !== 1 ? `has ${calls.length} defineOperator({ … }) calls` : found.length === 0 ? `has no \`${list}: [ … ]\` list in defineOperator({ … })` : `has ${found.length} \`${list}: [ … ]\` lists in defineOperator({ … })`;
    throw new OperantError("OperatorFileShape", `src/operator.ts ${what}, so create api cannot wire the new files in. Add them by hand: ${manualSteps(additions)}.`);
  }
  const open = found[0]!;
  const close = scan(source, open, (i, depth) => depth === 1 && source[i] === "]");
  if (close < 0) throw new OperantError("OperatorFileShape", `src/operator.ts: the \`${list}: [\` list is not closed, so create api cannot edit it. Fix the file, then add by hand: ${manualSteps(additions)}.`);
  return { open, close };
}

/** Adds `name` to the array between `open` and `close`, following its layout (one line, or one entry per line). */
function addToArray(source: string, at: { open: number; close: number }, name: string): string {
  const inner = source.slice(at.open + 1, at.close);
  const entries = inner
    .replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.includes(name)) return source;
  let replacement: string;
  if (entries.length === 0 && !inner.includes("\n")) replacement = name;
  else if (!inner.includes("\n")) replacement = `${inner.trimEnd().replace(/,$/, "")}, ${name}`;
  else {
    // Multi-line: a new line with the indentation of the existing entries (or of the closing bracket + 2).
    const lines = inner.split("\n");
    const entryLine = lines.find((l) => l.trim() && !l.trim().startsWith("//"));
    const closingIndent = /([ \t]*)$/.exec(lines.at(-1)!)![1]!;
    const indent = entryLine ? /^([ \t]*)/.exec(entryLine)![1]! : `${closingIndent}  `;
    const body = lines.slice(0, -1).join("\n").replace(/\s+$/, "");
    const needsComma = entries.length > 0 && !/,\s*(\/\/[^\n]*)?$/.test(body);
    replacement = `${body}${needsComma ? "," : ""}\n${indent}${name},\n${closingIndent}`;
  }
  return source.slice(0, at.open + 1) + replacement + source.slice(at.close);
}

/** Adds `import { name } from "from";` after the last import (or at the top), unless already imported. */
function addImport(source: string, name: string, from: string): string {
  const already = new RegExp(`import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*["']${from.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}["']`);
  if (already.test(source)) return source;
  const line = `import { ${name} } from "${from}";\n`;
  const imports = [...source.matchAll(/^import\s[^;]*?from\s*["'][^"']+["'];?[^\n]*\n/gm)];
  const last = imports.at(-1);
  if (!last) {
    // After leading comment lines, if any.
    const header = /^(?:\/\/[^\n]*\n)*/.exec(source)![0];
    return header + line + source.slice(header.length);
  }
  const end = last.index + last[0].length;
  return source.slice(0, end) + line + source.slice(end);
}

/**
 * Wires resources and controllers into the source of src/operator.ts:
 * imports them and adds them to the `resources` / `controllers` arrays of
 * the `defineOperator({ … })` call. Idempotent.
 *
 * @throws OperantError `OperatorFileShape` when there is no `defineOperator(` call or not exactly one array to edit; the message says what to add by hand
 * @example
 * ```ts
 * const next = wireIntoOperator(source, [
 *   { list: "resources", name: "Memcached", from: "./api/memcached.ts" },
 *   { list: "controllers", name: "memcachedController", from: "./controllers/memcached.ts" },
 * ]);
 * ```
 */
export function wireIntoOperator(source: string, additions: readonly OperatorFileAddition[]): string {
  let out = source;
  for (const a of additions) {
    out = addToArray(out, findArray(out, a.list, additions), a.name);
  }
  for (const a of additions) out = addImport(out, a.name, a.from);
  return out;
}
