// The layers of packages/operant/src as code: the table in
// packages/operant/layers.mjs, turned into lint rules by layersConfig() (the
// same rules eslint.config.js applies in `npm test`'s lint step). These
// tests run those rules alone (no type information, so seconds, not a
// minute): the tree passes them, a deliberately wrong import and an import
// cycle fail them, and docs/architecture.md shows the same table.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import ts from "typescript";
import tseslint from "typescript-eslint";
import { LAYERS, layersConfig } from "../../layers.mjs";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const src = join(pkg, "src");
const root = join(pkg, "..", "..");
const layers = LAYERS as Record<string, string[]>;

/** An ESLint with the layer rules only, applied to `srcDir`. */
function layersLint(srcDir: string): ESLint {
  return new ESLint({
    cwd: srcDir,
    overrideConfigFile: true,
    // typescript-eslint's plugin only so that the tree's eslint-disable comments name known rules.
    overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser }, plugins: { "@typescript-eslint": tseslint.plugin }, linterOptions: { reportUnusedDisableDirectives: "off" } }, layersConfig(srcDir, "**/*.ts")],
  });
}

/** Cycles (strongly connected components of more than one file) in src's relative imports, type-only imports included. */
async function importCycles(srcDir: string): Promise<string[][]> {
  const files = (await readdir(srcDir, { recursive: true })).filter((f) => f.endsWith(".ts")).map((f) => join(srcDir, f));
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(await readFile(file, "utf8"), true, false);
    edges.set(file, importedFiles.filter((i) => i.fileName.startsWith(".")).map((i) => resolve(dirname(file), i.fileName)));
  }
  // Tarjan's algorithm.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        component.push(relative(srcDir, w));
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return cycles;
}

const messages = (results: ESLint.LintResult[]) => results.flatMap((r) => r.messages.map((m) => ({ file: r.filePath.slice(src.length + 1), rule: m.ruleId, message: m.message })));

describe("layers", { timeout: 120_000 }, () => {
  test("packages/operant/src keeps its layers and has no import cycle", async () => {
    const found = messages(await layersLint(src).lintFiles(["**/*.ts"]));
    assert.deepEqual(found, [], `imports against the layers table or in a cycle:\n${found.map((m) => `${m.file}: ${m.rule}: ${m.message}`).join("\n")}`);
  });

  test("no import cycle, type-only imports included (import-x/no-cycle skips those)", async () => {
    assert.deepEqual(await importCycles(src), []);
  });

  test("core importing the runtime fails the lint, naming the table", async () => {
    const probe = join(src, "core", "layers-probe.ts"); // linted as text: the file is never written
    const code = `import type { Manager } from "../runtime/manager/manager.ts";\nexport type M = Manager;\n`;
    const [result] = await layersLint(src).lintText(code, { filePath: probe });
    const restricted = result!.messages.filter((m) => m.ruleId === "import-x/no-restricted-paths");
    assert.equal(restricted.length, 1, `one restricted import, got ${JSON.stringify(result!.messages)}`);
    assert.match(restricted[0]!.message, /core may import only its own files \(the layers table in packages\/operant\/layers\.mjs/);
    assert.equal(result!.errorCount, 1);
  });

  test("the CLI may start a control plane but not load the testing barrel (which loads the manager)", async () => {
    const lint = layersLint(src);
    const [barrel] = await lint.lintText(`export { ControlPlane } from "../../testing/index.ts";\n`, { filePath: join(src, "cli", "cluster", "probe.ts") });
    assert.deepEqual(barrel!.messages.map((m) => m.ruleId), ["import-x/no-restricted-paths"]);
    const [direct] = await lint.lintText(`export { ControlPlane } from "../../testing/control-plane/control-plane.ts";\n`, { filePath: join(src, "cli", "cluster", "probe.ts") });
    assert.deepEqual(direct!.messages, []);
  });

  test("an import cycle fails the lint, even inside one folder", async (t) => {
    const dir = await mkdtemp(join(tmpdir(), "operant-layers-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await mkdir(join(dir, "core"));
    await writeFile(join(dir, "core", "a.ts"), `import { b } from "./b.ts";\nexport const a = () => b();\n`);
    await writeFile(join(dir, "core", "b.ts"), `import { a } from "./a.ts";\nexport const b = (): unknown => a;\n`);
    const found = (await layersLint(dir).lintFiles(["**/*.ts"])).flatMap((r) => r.messages.map((m) => m.ruleId));
    assert.deepEqual(found, ["import-x/no-cycle", "import-x/no-cycle"]);
    assert.deepEqual(await importCycles(dir), [["core/a.ts", "core/b.ts"]]);
    // A circle of type imports only (like leader ↔ manager before): no-cycle lets it pass, the graph check does not.
    await writeFile(join(dir, "core", "c.ts"), `import type { D } from "./d.ts";\nexport interface C { d: D }\n`);
    await writeFile(join(dir, "core", "d.ts"), `import type { C } from "./c.ts";\nexport interface D { c?: C }\n`);
    assert.deepEqual((await importCycles(dir)).sort(), [["core/a.ts", "core/b.ts"], ["core/c.ts", "core/d.ts"]]);
  });

  test("docs/architecture.md's layer table is the table the lint reads", async () => {
    const doc = await readFile(join(root, "docs", "architecture.md"), "utf8");
    const section = doc.slice(doc.indexOf("### Which way dependencies point"));
    const rows = [...section.matchAll(/^\| `([a-z/-]+)` \| (.*) \|$/gm)].map(([, folder, allowed]) => [folder!, allowed === "—" ? [] : [...allowed!.matchAll(/`([a-z/-]+)`/g)].map((m) => m[1]!)] as const);
    assert.deepEqual(Object.fromEntries(rows), layers, "docs/architecture.md's table (folder | may import) differs from packages/operant/layers.mjs");
  });
});
