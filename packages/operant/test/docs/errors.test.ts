// docs/errors.md must list every stable error code operant throws, and only
// those. This test keeps it so: it reads packages/operant/src (tests
// excluded) with the TypeScript parser, collects the codes, and compares them
// with the rows of the page's tables. It also checks the Retryable column
// where the code gives one answer, and that the codes src matches on with
// isOperantError() are codes something throws.
//
// What the scan counts as a code:
// - the first argument of `new OperantError(…)` when it is a string literal
//   (or a template without substitutions);
// - for each subclass of OperantError declared in src (directly or through
//   another subclass; constructed in src or not), the literal its
//   constructor passes to `super(…)` (TerminalError →
//   TerminalReconcileError); or, when it passes a variable, every member of
//   the string-literal union its `code` property is declared with (ApiError
//   → ApiErrorCode);
// - helpers: when `new OperantError(p, …)` gets a parameter `p` of the
//   enclosing function, the literal passed at that position by each direct
//   call of that function by name (`fail("X")`, `this.#fail("X")`).
//
// Limits, on purpose:
// - a code computed at run time (concatenation, a variable that is no such
//   parameter, a call) cannot be read. The scan reports it and the test
//   fails: write the code as a literal, or teach the scan. The one exception
//   is `new OperantError(err.code, …)`, which passes on the code of a caught
//   error (counted where that error was made).
// - helpers are followed one level, through direct calls by name. A helper
//   without a name fails the test like a computed code; a named one that is
//   also called under another name (an alias, a value passed around) has
//   those calls missed.
// - errors made by dependencies (undici, commander, Node) are not operant's
//   codes and are not scanned.
// - retryability is read from an options object literal (`retryable: true`);
//   anything else counts as "cannot tell" and is not checked. ApiError's and
//   TerminalError's are measured by constructing them; another subclass
//   whose codes come from a union is not checked.
// - on the page, a code is the backticked first cell of a table row; the
//   Retryable cell (the last) is read for the words "yes" and "no".
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { ApiError } from "../../src/client/transport/api-error.ts";
import { TerminalError } from "../../src/runtime/controller/action.ts";

type Retryable = "yes" | "no" | "unknown";

/** One place that makes an error with a known code. */
interface Site {
  code: string;
  retryable: Retryable;
  where: string;
}

interface ScanResult {
  sites: Site[];
  /** Codes the scan could not read, with where they are. */
  unresolved: string[];
  /** Codes src matches on with isOperantError(err, …codes). */
  matched: { code: string; where: string }[];
  /** Codes that come from a subclass's declared code union (checked by constructing the class). */
  unions: Map<string, string[]>;
}

interface SourceFile {
  path: string;
  text: string;
}

const BASE = "OperantError";

function literal(node: ts.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

function retryableOf(options: ts.Expression | undefined): Retryable {
  if (options === undefined) return "no";
  if (!ts.isObjectLiteralExpression(options)) return "unknown";
  for (const p of options.properties) {
    if (ts.isSpreadAssignment(p)) return "unknown";
    if (p.name && ts.isIdentifier(p.name) && p.name.text === "retryable") {
      if (!ts.isPropertyAssignment(p)) return "unknown";
      if (p.initializer.kind === ts.SyntaxKind.TrueKeyword) return "yes";
      if (p.initializer.kind === ts.SyntaxKind.FalseKeyword) return "no";
      return "unknown";
    }
  }
  return "no";
}

type FunctionLike = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration | ts.ConstructorDeclaration;

function enclosingFunction(node: ts.Node): FunctionLike | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n)) return n;
  }
  return undefined;
}

/** The name a function is called by: its own, or that of the variable or property holding it. */
function nameOf(fn: FunctionLike): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) return fn.name.getText();
  const p = fn.parent;
  if ((ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.initializer === fn) return p.name.getText();
  return undefined;
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (child) => walk(child, visit));
}

interface ClassInfo {
  parent: string | undefined;
  superCall: ts.CallExpression | undefined;
  codeType: string | undefined;
  where: string;
}

/** Collects the codes of `files` (see the header for what counts). */
function scanCodes(files: readonly SourceFile[]): ScanResult {
  const parsed = files.map((f) => ({ path: f.path, sf: ts.createSourceFile(f.path, f.text, ts.ScriptTarget.Latest, true) }));
  const where = (sf: ts.SourceFile, n: ts.Node) => `${sf.fileName}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
  const unions = new Map<string, string[]>();
  const classes = new Map<string, ClassInfo>();
  for (const { sf } of parsed) {
    walk(sf, (n) => {
      if (ts.isTypeAliasDeclaration(n)) {
        const members = ts.isUnionTypeNode(n.type) ? [...n.type.types] : [n.type];
        const values = members.map((m) => (ts.isLiteralTypeNode(m) ? literal(m.literal) : undefined));
        if (values.every((v) => v !== undefined)) unions.set(n.name.text, values);
      }
      if (ts.isClassDeclaration(n) && n.name) {
        const ext = n.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
        let superCall: ts.CallExpression | undefined;
        let codeType: string | undefined;
        for (const m of n.members) {
          if (ts.isConstructorDeclaration(m) && m.body) {
            walk(m.body, (c) => {
              if (ts.isCallExpression(c) && c.expression.kind === ts.SyntaxKind.SuperKeyword) superCall ??= c;
            });
          }
          if (ts.isPropertyDeclaration(m) && m.name.getText() === "code" && m.type && ts.isTypeReferenceNode(m.type)) codeType = m.type.typeName.getText();
        }
        classes.set(n.name.text, { parent: ext?.getText(), superCall, codeType, where: where(sf, n) });
      }
    });
  }
  const isError = (name: string, seen = new Set<string>()): boolean => {
    if (name === BASE) return true;
    const c = classes.get(name);
    if (!c?.parent || seen.has(name)) return false;
    seen.add(name);
    return isError(c.parent, seen);
  };
  // The codes a subclass's constructions carry, resolved through its ancestors.
  const classCodes = (name: string): { codes: string[]; retryable: Retryable } | string => {
    const c = classes.get(name)!;
    if (!c.superCall) return c.parent && c.parent !== BASE ? classCodes(c.parent) : `${c.where}: ${name} has no super(code, …) call`;
    if (c.parent !== BASE) return classCodes(c.parent!);
    const code = literal(c.superCall.arguments[0]);
    if (code !== undefined) return { codes: [code], retryable: retryableOf(c.superCall.arguments[2]) };
    const union = c.codeType === undefined ? undefined : unions.get(c.codeType);
    if (union) return { codes: union, retryable: "unknown" };
    return `${c.where}: ${name} passes a non-literal code to super() and declares no \`code\` of a string-literal union type`;
  };

  const sites: Site[] = [];
  const unresolved: string[] = [];
  const matched: ScanResult["matched"] = [];
  const helpers: { name: string; index: number; retryable: Retryable; where: string }[] = [];
  const codeUnions = new Map<string, string[]>();
  // A subclass is a public way to make its codes (TerminalError is thrown by users' reconcilers): count it where it is declared.
  for (const [name, c] of classes) {
    if (name === BASE || !isError(name)) continue;
    const r = classCodes(name);
    if (typeof r === "string") unresolved.push(r);
    else {
      for (const code of r.codes) sites.push({ code, retryable: r.retryable, where: c.where });
      if (r.retryable === "unknown" && r.codes.length > 1) codeUnions.set(name, r.codes);
    }
  }
  for (const { sf } of parsed) {
    walk(sf, (n) => {
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === "isOperantError") {
        for (const a of n.arguments.slice(1)) {
          const code = literal(a);
          if (code !== undefined) matched.push({ code, where: where(sf, a) });
        }
      }
      if (!ts.isNewExpression(n) || !ts.isIdentifier(n.expression) || n.expression.text !== BASE) return;
      const args = n.arguments ?? [];
      const first = args[0];
      const code = literal(first);
      if (code !== undefined) {
        sites.push({ code, retryable: retryableOf(args[2]), where: where(sf, n) });
        return;
      }
      if (first && ts.isPropertyAccessExpression(first) && first.name.text === "code") return; // passes a caught error's code on
      const fn = enclosingFunction(n);
      const index = first && ts.isIdentifier(first) && fn ? fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === first.text) : -1;
      const name = fn && index >= 0 ? nameOf(fn) : undefined;
      if (name !== undefined) helpers.push({ name, index, retryable: retryableOf(args[2]), where: where(sf, n) });
      else unresolved.push(`${where(sf, n)}: new OperantError(${first?.getText(sf) ?? ""}, …)`);
    });
  }
  // Literal codes passed to the helpers.
  for (const { sf } of parsed) {
    walk(sf, (n) => {
      if (!ts.isCallExpression(n)) return;
      const callee = ts.isIdentifier(n.expression) ? n.expression.text : ts.isPropertyAccessExpression(n.expression) ? n.expression.name.getText(sf) : undefined;
      for (const h of helpers.filter((x) => x.name === callee)) {
        const code = literal(n.arguments[h.index]);
        if (code !== undefined) sites.push({ code, retryable: h.retryable, where: where(sf, n) });
        else unresolved.push(`${where(sf, n)}: ${callee}(…) passes a non-literal code to the helper at ${h.where}`);
      }
    });
  }
  return { sites, unresolved, matched, unions: codeUnions };
}

// ---- the page ----

const HEADER = ["Code", "Thrown by", "Cause", "Fix", "Retryable"];

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

interface Row {
  code: string;
  retryable: string;
  line: number;
}

/** Table headers and rows of the page; throws on a row that is not in the page's format. */
function readPage(markdown: string): { headers: { cells: string[]; line: number }[]; rows: Row[]; malformed: string[] } {
  const lines = markdown.split("\n");
  const headers: { cells: string[]; line: number }[] = [];
  const rows: Row[] = [];
  const malformed: string[] = [];
  let inTable = false;
  let inFence = false;
  lines.forEach((line, i) => {
    if (line.startsWith("```")) inFence = !inFence;
    if (inFence || !line.startsWith("|")) {
      inTable = false;
      return;
    }
    if (!inTable) {
      headers.push({ cells: cells(line), line: i + 1 });
      inTable = true;
      return;
    }
    if (/^\|\s*-/.test(line)) return;
    const c = cells(line);
    const code = /^`([A-Z][A-Za-z0-9]*)`$/.exec(c[0] ?? "")?.[1];
    if (code === undefined || c.length !== HEADER.length) malformed.push(`line ${i + 1}: ${line.slice(0, 80)}`);
    else rows.push({ code, retryable: c[c.length - 1]!, line: i + 1 });
  });
  return { headers, rows, malformed };
}

function words(cell: string): Set<"yes" | "no"> {
  const out = new Set<"yes" | "no">();
  if (/\byes\b/i.test(cell)) out.add("yes");
  if (/\bno\b/i.test(cell)) out.add("no");
  return out;
}

// ---- the repository ----

const srcDir = fileURLToPath(new URL("../../src/", import.meta.url));
const pagePath = fileURLToPath(new URL("../../../../docs/errors.md", import.meta.url));

function sourceFiles(): SourceFile[] {
  return readdirSync(srcDir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".d.ts"))
    .sort()
    .map((f) => ({ path: join("src", f), text: readFileSync(join(srcDir, f), "utf8") }));
}

/** How ApiError judges each of its codes, measured by constructing it. */
function apiErrorRetryability(codes: readonly string[]): Site[] {
  const sites: Site[] = [];
  for (const code of codes) {
    // The code is the Status reason; a status with no known reason falls back on the HTTP status, and an unknown one is Unknown.
    const err = code === "Unknown" ? new ApiError({ method: "GET", path: "/x", status: 599 }) : new ApiError({ method: "GET", path: "/x", status: 400, body: { kind: "Status", reason: code } });
    assert.equal(err.code, code, `an ApiError with Status reason ${code} has code ${err.code}`);
    sites.push({ code, retryable: err.retryable ? "yes" : "no", where: "new ApiError (measured)" });
  }
  const apply = new ApiError({ method: "PATCH", path: "/x", status: 409, body: { kind: "Status", reason: "Conflict", details: { causes: [{ reason: "FieldManagerConflict", field: ".spec.replicas" }] } } });
  assert.equal(apply.code, "Conflict");
  sites.push({ code: "Conflict", retryable: apply.retryable ? "yes" : "no", where: "new ApiError, server-side apply conflict (measured)" });
  return sites;
}

describe("docs/errors.md", () => {
  test("the scan reads literal codes, subclasses and helpers, ignores comments and strings, and refuses what it cannot read", () => {
    const fixture = [
      'import { OperantError } from "../core/errors.ts";',
      '// new OperantError("InComment", "not code")',
      "const s = 'new OperantError(\"InString\", \"x\")';",
      'class Special extends OperantError { constructor(m: string) { super("SpecialCode", m); } }',
      "class Deeper extends Special {}",
      'type CodedCode = "CodedA" | "CodedB";',
      'class Coded extends OperantError { declare readonly code: CodedCode; constructor(c: CodedCode) { super(c, "m", { retryable: c === "CodedA" }); } }',
      "function fail(code: string, message: string) { return new OperantError(code, message, { retryable: true }); }",
      "class Reporter { #fail(code: string) { return new OperantError(code, \"m\"); } run() { throw this.#fail(\"ViaMethod\"); } }",
      "export function f(err: OperantError, dynamic: string) {",
      '  fail("ViaHelper", "m");',
      '  new Deeper("m"); new Coded("CodedA");',
      '  new OperantError("Plain", "m", { cause: err });',
      '  new OperantError(`Template`, "m", { retryable: false });',
      '  new OperantError("Spread", "m", { ...err });',
      '  new OperantError(err.code, "m");',
      '  new OperantError("Prefix" + dynamic, "m");',
      '  if (isOperantError(err, "Plain", "Nowhere")) return s;',
      "}",
    ].join("\n");
    const r = scanCodes([{ path: "fixture.ts", text: fixture }]);
    const byCode = new Map(r.sites.map((s) => [s.code, s.retryable]));
    assert.deepEqual([...byCode.keys()].sort(), ["CodedA", "CodedB", "Plain", "SpecialCode", "Spread", "Template", "ViaHelper", "ViaMethod"]);
    assert.equal(byCode.get("ViaHelper"), "yes");
    assert.equal(byCode.get("ViaMethod"), "no");
    assert.equal(byCode.get("Plain"), "no");
    assert.equal(byCode.get("Template"), "no");
    assert.equal(byCode.get("Spread"), "unknown");
    assert.equal(byCode.get("CodedA"), "unknown");
    assert.deepEqual([...r.unions.keys()], ["Coded"]);
    assert.equal(r.unresolved.length, 1);
    assert.match(r.unresolved[0]!, /fixture\.ts:17: new OperantError\("Prefix" \+ dynamic/);
    assert.deepEqual(r.matched.map((m) => m.code), ["Plain", "Nowhere"]);
  });

  const scan = scanCodes(sourceFiles());
  const page = readPage(readFileSync(pagePath, "utf8"));
  const thrown = new Set(scan.sites.map((s) => s.code));
  const documented = new Set(page.rows.map((r) => r.code));

  test("every code in src is read: none is computed at run time", () => {
    assert.deepEqual(scan.unresolved, [], "codes the scan cannot read; write them as string literals");
    // The scan finds the kinds of codes it exists for (a scan that found nothing would pass everything).
    for (const code of ["InvalidSelector", "NotFound", "Conflict", "TerminalReconcileError", "WatchStalled", "ControlPlaneStartTimeout"]) assert.ok(thrown.has(code), `the scan found no ${code}`);
    assert.ok(thrown.size > 80, `the scan found only ${thrown.size} codes`);
  });

  test("every table has the same columns, and every row starts with one code", () => {
    assert.ok(page.headers.length >= 10, `only ${page.headers.length} tables`);
    for (const h of page.headers) assert.deepEqual(h.cells, HEADER, `table at line ${h.line}`);
    assert.deepEqual(page.malformed, []);
  });

  test("every code operant throws is documented", () => {
    const missing = [...thrown].filter((c) => !documented.has(c)).sort();
    const at = missing.map((c) => `${c} (${scan.sites.find((s) => s.code === c)!.where})`);
    assert.deepEqual(at, [], "add a row for each to docs/errors.md");
  });

  test("every code documented is still thrown somewhere", () => {
    const stale = [...documented].filter((c) => !thrown.has(c)).sort();
    assert.deepEqual(stale, [], "remove these rows from docs/errors.md, or find where the code went");
  });

  test("the Retryable column agrees with the code wherever the code gives one answer", () => {
    const apiCodes = scan.unions.get("ApiError");
    assert.ok(apiCodes && apiCodes.length > 10, "ApiError's codes come from its declared ApiErrorCode union");
    const sites = [...scan.sites.filter((s) => s.retryable !== "unknown"), ...apiErrorRetryability(apiCodes)];
    assert.equal(new TerminalError("QuotaExceeded", "m").retryable, false);
    sites.push({ code: "TerminalReconcileError", retryable: "no", where: "new TerminalError (measured)" });
    const problems: string[] = [];
    for (const code of thrown) {
      const answers = new Set(sites.filter((s) => s.code === code).map((s) => s.retryable));
      if (answers.size !== 1) continue; // several answers (by call site), or none readable: the page explains
      const [answer] = answers;
      const said = new Set(page.rows.filter((r) => r.code === code).flatMap((r) => [...words(r.retryable)]));
      if (!said.has(answer as "yes" | "no") || said.size > 1) problems.push(`${code}: the code says ${answer}, the page says ${[...said].join(" and ") || "nothing"}`);
    }
    assert.deepEqual(problems, []);
  });

  test("codes that src matches with isOperantError() are codes something throws", () => {
    const unknown = scan.matched.filter((m) => !thrown.has(m.code)).map((m) => `${m.code} (${m.where})`);
    assert.deepEqual(unknown, []);
  });
});
