// `operant build` as the image uses it: the memcached example bundled into one
// file, copied to a directory with no node_modules anywhere above it, run
// against the local control plane — it reconciles a Memcached, which also
// loads, from inside the bundle, what operant requires lazily (TypeBox's
// compiler validates the object before the reconcile).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { buildOperator } from "../../src/cli/build/build.ts";
import { Deployment } from "../../src/kinds/index.ts";
import { eventually, testCluster } from "../../src/testing/index.ts";
import { Memcached } from "../../../../examples/memcached/src/api/memcached.ts";

const memcached = fileURLToPath(new URL("../../../../examples/memcached/", import.meta.url));

test("the bundled memcached operator, alone in a directory, reconciles a Memcached on the local control plane", { timeout: 300_000 }, async (t) => {
  const cluster = await testCluster({ resources: [Memcached] });
  t.after(() => cluster.close());
  const ns = await cluster.namespace("bundle");
  const image = await mkdtemp(join(tmpdir(), "operant-bundle-"));
  after(() => rm(image, { recursive: true, force: true }));
  await buildOperator(memcached, { outfile: join(image, "build", "operator.mjs"), sourcemap: false });
  await copyFile(join(image, "build", "operator.mjs"), join(image, "operator.mjs"));
  await rm(join(image, "build"), { recursive: true });

  let output = "";
  const child = spawn(process.execPath, ["operator.mjs", "--kubeconfig", cluster.controlPlane.kubeconfigPath, "--watch-namespace", ns, "--enable-webhooks", "false", "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0", "--status-bind-address", "127.0.0.1:0"], { cwd: image, env: { PATH: process.env.PATH, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  t.after(async () => {
    child.kill("SIGTERM");
    await exited;
  });

  await cluster.client.create(Memcached, { metadata: { name: "from-bundle", namespace: ns }, spec: { size: 2 } });
  const dep = await eventually(() => cluster.client.get(Deployment, { namespace: ns, name: "from-bundle" }), { timeoutMs: 120_000, description: `the bundled operator creates the Deployment\n${output.slice(-2000)}` });
  assert.equal(dep.spec?.replicas, 2);
  assert.doesNotMatch(output, /Cannot find (module|package)|ERR_MODULE_NOT_FOUND/, "nothing is resolved from a node_modules");
});
