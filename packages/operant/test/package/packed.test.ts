// The package as npm would publish it: `npm pack` of packages/operant, the
// tarball's file list checked, then installed into an empty project outside
// this repository (as a user's project installs it), where every entry of
// its `exports` map must import at run time and type-check, and its
// `operant` command must run. What this passes is what `npm publish` ships.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { runCommand } from "../support/command.ts";

const pkgDir = fileURLToPath(new URL("../../", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");

interface PackageJson {
  version: string;
  exports: Record<string, string | Record<string, string>>;
}

/** Child processes as a user's: without this repository's "operant-source" export condition. */
const userEnv: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: (process.env.NODE_OPTIONS ?? "").replace("--conditions=operant-source", "").trim() };
delete userEnv.NODE_TEST_CONTEXT;

let work: string;
let pkg: PackageJson;
let files: string[];
let project: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), "operant-packed-"));
  pkg = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8")) as PackageJson;
  // dist/ as the build step left it; rebuilt here only if a source is newer (a run of just this file).
  const build = await runCommand(process.execPath, [join(pkgDir, "scripts", "build.mjs"), "--if-stale"], { cwd: pkgDir, env: userEnv });
  assert.equal(build.code, 0, `building dist/:\n${build.stdout}${build.stderr}`);
  const packed = await runCommand("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: pkgDir, env: userEnv });
  assert.equal(packed.code, 0, `npm pack:\n${packed.stderr}`);
  const report = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  files = report[0]!.files.map((f) => f.path).sort();
  assert.equal(report[0]!.filename, `operant-${pkg.version}.tgz`);
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the packed operant tarball", { timeout: 300_000 }, () => {
  test("holds package.json, the README, bin/, dist/ and src/ — no tests, no scripts, nothing else", () => {
    assert.ok(files.includes("package.json"));
    assert.ok(files.includes("README.md"), "packages/operant/README.md is what npm shows");
    const stray = files.filter((f) => !/^(bin\/[\w-]+\.mjs|dist\/.+\.(js|d\.ts|js\.map)|src\/.+\.ts)$/.test(f) && f !== "package.json" && f !== "README.md");
    assert.deepEqual(stray, [], "only the package's own files");
    assert.deepEqual(files.filter((f) => /\.test\.|\/test\/|fixtures\//.test(f)), [], "no tests or fixtures");
    // Every source has its JavaScript and declarations (dist/ is complete), and dist/ has nothing without a source (not stale).
    const sources = files.filter((f) => f.startsWith("src/")).map((f) => f.slice("src/".length, -".ts".length));
    const built = files.filter((f) => f.startsWith("dist/") && f.endsWith(".js")).map((f) => f.slice("dist/".length, -".js".length));
    assert.deepEqual(built.sort(), sources.sort(), "dist/*.js ↔ src/*.ts one to one");
    for (const s of sources) assert.ok(files.includes(`dist/${s}.d.ts`), `dist/${s}.d.ts`);
  });

  test("every exports entry points at a file in the tarball", () => {
    for (const [entry, target] of Object.entries(pkg.exports)) {
      const targets = typeof target === "string" ? [target] : Object.values(target);
      for (const t of targets) assert.ok(files.includes(t.replace(/^\.\//, "")), `exports["${entry}"] → ${t} is packed`);
    }
  });

  test("installed into a project outside the repository, every exports entry imports, type-checks, and `operant` runs", async () => {
    project = join(work, "consumer");
    await writeFile(join(work, "package.json"), "{}\n"); // keeps npm from looking further up for a workspace
    await rm(project, { recursive: true, force: true });
    await mkdir(project);
    await writeFile(join(project, "package.json"), `${JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`);
    const install = await runCommand("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(work, `operant-${pkg.version}.tgz`)], { cwd: project, env: userEnv });
    assert.equal(install.code, 0, `npm install of the tarball:\n${install.stdout}${install.stderr}`);
    assert.doesNotMatch(install.stderr, /install-scripts|prepare/, "the package has no install-time scripts");

    const entries = Object.keys(pkg.exports).filter((e) => e !== "./package.json").map((e) => (e === "." ? "operant" : `operant/${e.slice(2)}`));
    // Run time: each entry imports and exports something.
    const probe = entries.map((e, i) => `import * as m${i} from "${e}";\nif (Object.keys(m${i}).length === 0) throw new Error("${e} exports nothing");`).join("\n");
    await writeFile(join(project, "probe.mjs"), `${probe}\nconsole.log("imported ${entries.length}");\n`);
    const run = await runCommand(process.execPath, ["probe.mjs"], { cwd: project, env: userEnv });
    assert.equal(run.code, 0, `importing every entry:\n${run.stderr}`);
    assert.equal(run.stdout.trim(), `imported ${entries.length}`);

    // Types: a strict program importing each entry (and using a few names) type-checks against dist/*.d.ts,
    // with the scaffold's compiler options (skipLibCheck, as @kubernetes/client-node's own declarations need).
    const check = [
      ...entries.map((e, i) => `import * as t${i} from "${e}";\nexport const used${i}: object = t${i};`),
      'import Type from "typebox";',
      'import { defineResource, type ObjectOf } from "operant";',
      'import { Client } from "operant/client";',
      'export const R = defineResource({ group: "x.example.com", version: "v1", kind: "Thing", scope: "Namespaced", spec: Type.Object({ n: Type.Integer() }) });',
      'export const thing: ObjectOf<typeof R> = { apiVersion: "x.example.com/v1", kind: "Thing", metadata: { name: "a" }, spec: { n: 1 } };',
      "// @ts-expect-error the types are real, not any: a string is no integer",
      'export const wrong: ObjectOf<typeof R> = { apiVersion: "x.example.com/v1", kind: "Thing", metadata: { name: "a" }, spec: { n: "1" } };',
      "export const connect: typeof Client.connect = Client.connect;",
    ].join("\n");
    await writeFile(join(project, "check.ts"), `${check}\n`);
    const tsconfig = { compilerOptions: { target: "es2024", lib: ["es2024", "esnext.disposable"], module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, skipLibCheck: true, types: ["node"], typeRoots: [join(repoRoot, "node_modules", "@types")] }, files: ["check.ts"] };
    await writeFile(join(project, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
    const typecheck = await runCommand(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project, env: userEnv });
    assert.equal(typecheck.code, 0, `type-checking the entries from the tarball:\n${typecheck.stdout}${typecheck.stderr}`);

    const help = await runCommand(join(project, "node_modules", ".bin", "operant"), ["--help"], { cwd: project, env: userEnv });
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: operant /);
  });
});
