import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { NODE_VERSION_CHECK, dockerfile, packageJson, type InitValues } from "./templates.ts";

const v: InitValues = { name: "memcached-operator", domain: "example.com", operantDependency: "file:vendor/operant-0.1.0.tgz", typeboxRange: "^1.4.3" };
const examples = fileURLToPath(new URL("../../../../../examples/", import.meta.url));

/** Runs a package.json script line with `node` resolved to `nodeBin`. */
function runScript(script: string, nodeBin: string) {
  return spawnSync(nodeBin, ["-e", /^node -e "(.*)"$/s.exec(script)![1]!.replaceAll('\\"', '"')], { encoding: "utf8" });
}

describe("a new project's package.json", () => {
  const pkg = JSON.parse(packageJson(v)) as { scripts: Record<string, string>; dependencies: Record<string, string> };

  test("checks the Node.js version before start and test", () => {
    assert.equal(pkg.scripts.pretest, NODE_VERSION_CHECK);
    assert.equal(pkg.scripts.prestart, NODE_VERSION_CHECK);
    assert.equal(pkg.dependencies.operant, "file:vendor/operant-0.1.0.tgz");
  });

  test("the check passes on this Node.js", () => {
    const r = runScript(NODE_VERSION_CHECK, process.execPath);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "");
  });

  // The machine's system Node.js, when it is one that cannot run the project (Node 20 here).
  const old = ["/usr/bin/node", "/usr/local/bin/node"].find((p) => existsSync(p) && Number(spawnSync(p, ["-p", "process.versions.node.split('.')[0]"], { encoding: "utf8" }).stdout.trim()) < 22);
  test("on a Node.js older than 22.18 it says so, in one line, and fails", { skip: old ? false : "no Node.js < 22 on this machine" }, () => {
    const r = runScript(NODE_VERSION_CHECK, old!);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: this project needs Node\.js >= 22\.18 \(it runs TypeScript directly\); this is v\d+\.\d+\.\d+ — install a current LTS/);
    assert.equal(r.stderr.trim().split("\n").length, 1);
  });

  test("every example has the scaffold's test script and version check, so `npm test` works in its folder", () => {
    for (const e of ["memcached", "gordon", "appconfig", "postgres", "agent-leader"]) {
      const scripts = (JSON.parse(readFileSync(`${examples}${e}/package.json`, "utf8")) as { scripts: Record<string, string> }).scripts;
      assert.equal(scripts.test, pkg.scripts.test, `${e}: test`);
      assert.equal(scripts.pretest, NODE_VERSION_CHECK, `${e}: pretest`);
      assert.equal(scripts.prestart, NODE_VERSION_CHECK, `${e}: prestart`);
    }
  });
});

describe("a new project's Dockerfile", () => {
  test("copies vendor/ into the install stage when operant is packed there, and not otherwise", () => {
    assert.match(dockerfile(v), /^COPY package\.json package-lock\.json \.\/\nCOPY vendor \.\/vendor\nRUN npm ci /m);
    assert.doesNotMatch(dockerfile({ ...v, operantDependency: "^0.1.0" }), /^COPY vendor/m);
  });

  test("every example's image is built as a new project's: operant build bundles src/main.ts into dist/operator.mjs, the runtime stage runs that file", () => {
    const pkg = JSON.parse(packageJson(v)) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
    for (const e of ["memcached", "gordon", "appconfig", "postgres", "agent-leader"]) {
      const file = readFileSync(`${examples}${e}/Dockerfile`, "utf8");
      const name = /^# The ([a-z-]+) manager image/.exec(file)?.[1] ?? e;
      const generated = dockerfile({ ...v, name, operantDependency: "*" });
      assert.equal(file.replace(/^# In the operant repository[^\n]*\n[^\n]*\n/m, ""), generated, `${e}: the Dockerfile operant init writes (plus a note on building from the workspace)`);
      assert.doesNotMatch(file, /src\/main\.ts/, `${e}: nothing runs the TypeScript sources`);
      const example = JSON.parse(readFileSync(`${examples}${e}/package.json`, "utf8")) as { scripts: Record<string, string>; devDependencies?: Record<string, string> };
      assert.equal(example.scripts.build, pkg.scripts.build, `${e}: build script`);
      assert.deepEqual(Object.keys(pkg.devDependencies).filter((d) => !example.devDependencies?.[d]), [], `${e}: the scaffold's dev dependencies (a copy outside the repository installs them)`);
    }
  });
});

describe("a new project's build", () => {
  test("npm run build is operant build, and the image runs the bundle without node_modules", () => {
    assert.equal((JSON.parse(packageJson(v)) as { scripts: Record<string, string> }).scripts.build, "operant build");
    const file = dockerfile(v);
    assert.match(file, /^COPY --from=build \/app\/dist\/operator\.mjs \.\/$/m);
    assert.doesNotMatch(file.slice(file.indexOf("# Stage 2")), /^COPY .*node_modules/m, "the runtime stage copies no node_modules");
    assert.match(file, /^ENTRYPOINT \["node", "operator\.mjs"\]$/m);
  });

  test("the image carries Node's compile cache of the bundle, made by the user the operator runs as", () => {
    const runtime = dockerfile(v).slice(dockerfile(v).indexOf("# Stage 2"));
    assert.match(runtime, /^ENV NODE_ENV=production NODE_COMPILE_CACHE=\/app\/compile-cache$/m);
    const user = runtime.indexOf("USER 1000:1000");
    const warm = runtime.indexOf("RUN node operator.mjs --help > /dev/null");
    assert.ok(user > 0 && warm > user, "the cache is made after USER 1000:1000 (Node keeps one per user)");
    assert.ok(runtime.indexOf("RUN mkdir compile-cache && chown 1000:1000 compile-cache") < user, "its directory belongs to that user");
  });
});
