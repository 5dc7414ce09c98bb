import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { isOperantError } from "../../core/errors.ts";
import { buildOperator } from "./build.ts";

const memcached = fileURLToPath(new URL("../../../../../examples/memcached/", import.meta.url));

describe("operant build", () => {
  const dirs: string[] = [];
  const temp = async () => {
    const d = await mkdtemp(join(tmpdir(), "operant-build-"));
    dirs.push(d);
    return d;
  };
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  test("bundles an operator into one file that runs with no node_modules; operant's lazily loaded modules are inside, client-node is not", async () => {
    const out = await temp();
    const built = await buildOperator(memcached, { outfile: join(out, "operator.mjs") });
    assert.equal(built.outfile, join(out, "operator.mjs"));
    assert.ok(built.inputs > 100, `${built.inputs} files bundled`);
    const text = await readFile(built.outfile, "utf8");
    assert.doesNotMatch(text, /requireModule\("typebox\//, "TypeBox's compiler and value modules are bundled, not required from node_modules at run time");
    assert.match(text, /"@kubernetes\/client-node\/dist\/oidc_auth\.js"/, "client-node stays outside (only the oidc auth-provider would load it)");
    const help = spawnSync(process.execPath, [built.outfile, "--help"], { cwd: out, encoding: "utf8", env: { PATH: process.env.PATH } });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: memcached-operator/m);
  });

  test("as the image does, `--help` with NODE_COMPILE_CACHE leaves Node's compile cache of the bundle, and the next start takes its code from it", async () => {
    const out = await temp();
    const built = await buildOperator(memcached, { outfile: join(out, "operator.mjs"), sourcemap: false });
    const env = { PATH: process.env.PATH, NODE_COMPILE_CACHE: join(out, "compile-cache") };
    const warm = spawnSync(process.execPath, [built.outfile, "--help"], { cwd: out, encoding: "utf8", env });
    assert.equal(warm.status, 0, warm.stderr);
    const start = spawnSync(process.execPath, [built.outfile, "--help"], { cwd: out, encoding: "utf8", env: { ...env, NODE_DEBUG_NATIVE: "COMPILE_CACHE" } });
    assert.equal(start.status, 0, start.stderr);
    assert.match(start.stderr, /V8 code cache for ESM file:\/\/\S*operator\.mjs was accepted/, start.stderr);
  });

  test("the bundle takes undici's dispatchers without its fetch and WebSocket, and requires Node's built-ins (an ES import of node:http would load Node's own undici and the web streams)", async () => {
    const out = await temp();
    const built = await buildOperator(memcached, { outfile: join(out, "operator.mjs"), sourcemap: false });
    assert.equal(built.leanUndici, true, "undici's dispatchers found where the build expects them");
    const text = await readFile(built.outfile, "utf8");
    assert.doesNotMatch(text, /"globalThis\.fetch"/, "undici's fetch is not bundled");
    assert.doesNotMatch(text, /^import[^;]*from\s*"node:http"/m, "node:http is required, not imported");
    const loaded = spawnSync(process.execPath, ["--import", 'data:text/javascript,process.on("exit",()=>process._rawDebug(JSON.stringify(process.moduleLoadList)))', built.outfile, "--help"], { cwd: out, encoding: "utf8", env: { PATH: process.env.PATH } });
    assert.equal(loaded.status, 0, loaded.stderr);
    const modules = JSON.parse(loaded.stderr.trim().split("\n").at(-1)!) as string[];
    assert.ok(modules.includes("NativeModule http"), "node:http loaded (the probe works)");
    for (const unwanted of ["NativeModule internal/deps/undici/undici", "NativeModule internal/webstreams/readablestream"]) assert.ok(!modules.includes(unwanted), `${unwanted} not loaded`);
  });

  test("inside the bundle, undici's proxy agents (evaluated on first use) carry requests: an HTTP and a SOCKS5 proxy-url reach the proxy", async () => {
    const out = await temp();
    const built = await buildOperator(memcached, { entry: fileURLToPath(new URL("../../../test/support/bundle-proxy-probe.ts", import.meta.url)), outfile: join(out, "probe.mjs"), sourcemap: false });
    assert.equal(built.leanUndici, true);
    // Nothing listens on a port just released: the proxy refuses, and the error must say so through the proxy agent.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    for (const scheme of ["http", "socks5"]) {
      const kubeconfig = join(out, `${scheme}.kubeconfig`);
      await writeFile(kubeconfig, JSON.stringify({ apiVersion: "v1", kind: "Config", "current-context": "c", contexts: [{ name: "c", context: { cluster: "c", user: "u" } }], clusters: [{ name: "c", cluster: { server: "https://10.255.255.1:6443", "insecure-skip-tls-verify": true, "proxy-url": `${scheme}://127.0.0.1:${port}` } }], users: [{ name: "u", user: { token: "t" } }] }));
      const run = spawnSync(process.execPath, [built.outfile, kubeconfig], { cwd: out, encoding: "utf8", env: { PATH: process.env.PATH }, timeout: 60_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^ConnectionFailed: .*through the proxy ${scheme}://127\\.0\\.0\\.1:${port}`), `${scheme}: ${run.stdout}`);
    }
  });

  test("a project that does not bundle fails with BuildFailed naming the file and line: a syntax error, an import that does not resolve", async () => {
    const project = await temp();
    await mkdir(join(project, "src"));
    await writeFile(join(project, "src", "main.ts"), "// a comment\nconst x = ;\n");
    await assert.rejects(buildOperator(project, { sourcemap: false }), (err: unknown) => isOperantError(err, "BuildFailed") && /src[\\/]main\.ts:2:\d+: Unexpected ";"/.test(err.message) && /operant build/.test(err.message));
    await writeFile(join(project, "src", "main.ts"), 'import { missing } from "./nowhere.ts";\nconsole.log(missing);\n');
    await assert.rejects(buildOperator(project, { sourcemap: false }), (err: unknown) => isOperantError(err, "BuildFailed") && /src[\\/]main\.ts:1:\d+: .*nowhere\.ts/.test(err.message));
  });
});
