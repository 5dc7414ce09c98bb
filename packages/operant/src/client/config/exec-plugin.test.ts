// Exec credential plugins, run for real: a tiny node script (and a shell
// script) in a temp directory that prints ExecCredential JSON and records
// each run.
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { sleep } from "../../core/time.ts";
import type { ClusterConfig } from "./cluster-config.ts";
import { clusterConfigFromKubeconfig } from "./resolve.ts";

const V1 = "client.authentication.k8s.io/v1";
const CA = "-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n";

const PLUGIN = `
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
const [dir, mode = "token"] = process.argv.slice(2);
const run = readdirSync(dir).filter((f) => f.startsWith("run-")).length + 1;
writeFileSync(join(dir, "run-" + run + ".json"), process.env.KUBERNETES_EXEC_INFO ?? "");
const ttl = Number(process.env.PLUGIN_TTL_MS ?? 3600000);
const expirationTimestamp = new Date(Date.now() + ttl).toISOString();
const out = (status) => process.stdout.write(JSON.stringify({ apiVersion: "${V1}", kind: "ExecCredential", status }));
if (mode === "fail") { process.stderr.write("error: you must be logged in to the server (token expired)\\n"); process.exit(1); }
else if (mode === "garbage") process.stdout.write("Please log in at https://login.example\\n");
else if (mode === "empty") out({});
else if (mode === "cert") out({ clientCertificateData: "-----BEGIN CERTIFICATE-----\\nrun" + run + "\\n-----END CERTIFICATE-----\\n", clientKeyData: "-----BEGIN PRIVATE KEY-----\\nk\\n-----END PRIVATE KEY-----\\n", expirationTimestamp });
else if (mode === "slow") setTimeout(() => out({ token: "slow" }), 1000);
else if (mode === "stdin") { let input = ""; process.stdin.on("data", (d) => (input += d)); process.stdin.on("end", () => out({ token: "read-" + input.length + "-bytes-of-stdin" })); }
else if (mode === "hang") {
  // Starts a child that shares its stdout (as a shell script's commands would), records both pids, and never answers.
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: ["ignore", "inherit", "inherit"] });
  writeFileSync(join(dir, "pids-" + run), JSON.stringify([process.pid, child.pid]));
  process.stderr.write("waiting for you to log in…\\n");
  setInterval(() => {}, 1000);
}
else out({ token: "token-" + run, expirationTimestamp });
`;

let root: string;
let script: string;
let n = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "operant-exec-"));
  script = join(root, "plugin.mjs");
  await writeFile(script, PLUGIN);
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh state directory and a config whose user runs the plugin in `mode`. */
async function withPlugin(
  mode: string,
  exec: Record<string, unknown> = {},
  cluster: Record<string, unknown> = {},
  resolveOptions: { credentialPluginTimeoutMs?: number } = {},
): Promise<{ config: ClusterConfig; runs: () => Promise<number>; state: string }> {
  const state = join(root, `state-${++n}`);
  await mkdir(state);
  const config = await clusterConfigFromKubeconfig(
    {
      "current-context": "c",
      clusters: [{ name: "c", cluster: { server: "https://k8s.example:6443", ...cluster } }],
      users: [{ name: "eks-user", user: { exec: { apiVersion: V1, command: process.execPath, args: [script, state, mode], interactiveMode: "Never", ...exec } } }],
      contexts: [{ name: "c", context: { cluster: "c", user: "eks-user" } }],
    },
    { path: join(root, "kubeconfig"), ...resolveOptions },
  );
  const runs = async () => (await readdir(state)).filter((f) => f.startsWith("run-")).length;
  return { config, runs, state };
}

describe("exec credential plugins", () => {
  test("the plugin's token is cached until expiry; invalidate() runs it again", async () => {
    const { config, runs } = await withPlugin("token");
    assert.equal(await runs(), 0, "the plugin does not run until credentials are needed");
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer token-1" });
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer token-1" });
    assert.equal(await runs(), 1);
    config.credentials.invalidate();
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer token-2" });
    assert.equal(await runs(), 2);
  });

  test("an expired credential makes the next get() run the plugin again", async () => {
    const { config, runs } = await withPlugin("token", { env: [{ name: "PLUGIN_TTL_MS", value: "300" }] });
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer token-1" });
    await sleep(400);
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer token-2" });
    assert.equal(await runs(), 2);
  });

  test("concurrent get() calls share one plugin run", async () => {
    const { config, runs } = await withPlugin("token");
    const all = await Promise.all(Array.from({ length: 8 }, () => config.credentials.get()));
    assert.ok(all.every((m) => m.authorization === "Bearer token-1"));
    assert.equal(await runs(), 1);
  });

  test("KUBERNETES_EXEC_INFO carries the API version, interactive: false and, when asked for, the cluster", async () => {
    const { config, state } = await withPlugin(
      "token",
      { provideClusterInfo: true },
      { "certificate-authority-data": Buffer.from(CA).toString("base64"), "tls-server-name": "api.internal", extensions: [{ name: "client.authentication.k8s.io/exec", extension: { audience: "sts" } }] },
    );
    await config.credentials.get();
    const info: unknown = JSON.parse(await readFile(join(state, "run-1.json"), "utf8"));
    assert.deepEqual(info, {
      apiVersion: V1,
      kind: "ExecCredential",
      spec: {
        interactive: false,
        cluster: { server: "https://k8s.example:6443", "tls-server-name": "api.internal", "certificate-authority-data": Buffer.from(CA).toString("base64"), config: { audience: "sts" } },
      },
    });
    const plain = await withPlugin("token");
    await plain.config.credentials.get();
    assert.deepEqual(JSON.parse(await readFile(join(plain.state, "run-1.json"), "utf8")), { apiVersion: V1, kind: "ExecCredential", spec: { interactive: false } });
  });

  test("a plugin may return a client certificate instead of a token", async () => {
    const { config } = await withPlugin("cert");
    const m = await config.credentials.get();
    assert.equal(m.authorization, undefined);
    assert.match(m.cert ?? "", /BEGIN CERTIFICATE-----\nrun1\n/);
    assert.match(m.key ?? "", /BEGIN PRIVATE KEY/);
    assert.equal(config.tls.cert, undefined, "a plugin's certificate is dynamic, not part of the static TLS settings");
  });

  test("a failing plugin gives CredentialPluginFailed with its stderr", async () => {
    const { config } = await withPlugin("fail");
    await assert.rejects(config.credentials.get(), (err) => {
      assert.ok(isOperantError(err, "CredentialPluginFailed"));
      assert.match(err.message, /user "eks-user"/);
      assert.match(err.message, /you must be logged in to the server \(token expired\)/);
      assert.equal(err.retryable, true);
      return true;
    });
    const garbage = await withPlugin("garbage");
    await assert.rejects(garbage.config.credentials.get(), (err) => isOperantError(err, "CredentialPluginFailed") && /not ExecCredential JSON/.test(err.message));
    const empty = await withPlugin("empty");
    await assert.rejects(empty.config.credentials.get(), (err) => isOperantError(err, "CredentialPluginFailed") && /neither status.token nor status.clientCertificateData/.test(err.message));
  });

  test("a command that is not installed gives CredentialPluginNotFound with the install hint", async () => {
    const { config } = await withPlugin("token", { command: "operant-test-no-such-credential-plugin", installHint: "Install it with: brew install no-such-plugin" });
    await assert.rejects(config.credentials.get(), (err) => {
      assert.ok(isOperantError(err, "CredentialPluginNotFound"));
      assert.match(err.message, /"operant-test-no-such-credential-plugin", which was not found on PATH/);
      assert.match(err.message, /Install it with: brew install no-such-plugin/);
      return true;
    });
  });

  test("a relative command with a slash runs from the kubeconfig's directory", async () => {
    const dir = join(root, "relative");
    await mkdir(join(dir, "bin"), { recursive: true });
    const sh = join(dir, "bin", "plugin.sh");
    await writeFile(sh, `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"from-sh"}}'\n`);
    await chmod(sh, 0o755);
    const config = await clusterConfigFromKubeconfig(
      `current-context: c
clusters: [{ name: c, cluster: { server: "https://x:6443" } }]
users: [{ name: u, user: { exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: ./bin/plugin.sh } } }]
contexts: [{ name: c, context: { cluster: c, user: u } }]
`,
      { path: join(dir, "config") },
    );
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer from-sh" });
  });

  test("get() is abortable while the plugin runs", async () => {
    const { config } = await withPlugin("slow");
    const started = Date.now();
    await assert.rejects(config.credentials.get(AbortSignal.timeout(100)), (err) => err instanceof DOMException && err.name === "TimeoutError");
    assert.ok(Date.now() - started < 800);
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer slow" }, "the run in flight still serves the next caller");
  });

  test("static credentials in the same user win, and the plugin never runs (client-go's precedence)", async () => {
    const state = join(root, `state-${++n}`);
    await mkdir(state);
    const withToken = await clusterConfigFromKubeconfig({
      "current-context": "c",
      clusters: [{ name: "c", cluster: { server: "https://x:6443" } }],
      users: [{ name: "u", user: { token: "static", exec: { apiVersion: V1, command: process.execPath, args: [script, state] } } }],
      contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
    });
    assert.deepEqual(await withToken.credentials.get(), { authorization: "Bearer static" });
    assert.deepEqual(await readdir(state), [], "the plugin did not run");
  });

  test("a plugin that reads stdin gets end-of-file at once, not a pipe left open (it used to hang every request)", { timeout: 60_000 }, async () => {
    const { config } = await withPlugin("stdin", { interactiveMode: "IfAvailable" });
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer read-0-bytes-of-stdin" });
  });

  test("a plugin that never answers is killed (with what it started) after the timeout; the next get() runs it again", { timeout: 60_000 }, async () => {
    const { config, runs, state } = await withPlugin("hang", {}, {}, { credentialPluginTimeoutMs: 300 });
    const first = Promise.all([config.credentials.get(), config.credentials.get()].map((p) => p.catch((err: unknown) => err)));
    const errors = await first;
    for (const err of errors) {
      assert.ok(isOperantError(err, "CredentialPluginTimeout"), String(err));
      assert.equal(err.retryable, true);
      assert.match(err.message, /credential plugin ".*node.*" for user "eks-user" \(.*kubeconfig\) did not finish within 0\.3 s and was killed; it printed on stderr:\nwaiting for you to log in…/);
      assert.match(err.message, /its stdin is closed/);
    }
    assert.equal(await runs(), 1, "concurrent callers shared the one run");
    const pids = JSON.parse(await readFile(join(state, "pids-1"), "utf8")) as number[];
    await eventuallyGone(pids);
    // The stuck run is not shared with later calls: the next get() starts the plugin again.
    await assert.rejects(config.credentials.get(), (err) => isOperantError(err, "CredentialPluginTimeout"));
    assert.equal(await runs(), 2);
    await eventuallyGone(JSON.parse(await readFile(join(state, "pids-2"), "utf8")) as number[]);
  });

  test("unsupported plugin settings are refused when the config is loaded", async () => {
    await assert.rejects(withPlugin("token", { apiVersion: "client.authentication.k8s.io/v1alpha1" }), (err) => isOperantError(err, "KubeconfigUnsupported") && /v1alpha1 was removed/.test(err.message));
    await assert.rejects(withPlugin("token", { interactiveMode: "Always" }), (err) => isOperantError(err, "KubeconfigUnsupported") && /interactive terminal/.test(err.message));
  });
});

/** Waits (up to 20 s) until none of `pids` is alive. */
async function eventuallyGone(pids: number[]): Promise<void> {
  const alive = () =>
    pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
  for (let i = 0; i < 200 && alive().length > 0; i++) await sleep(100);
  assert.deepEqual(alive(), [], `processes left running: ${alive().join(", ")}`);
}
