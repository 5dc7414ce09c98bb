// What a person sees when something is wrong, from the `operant` command and
// from an operator process (runOperator with exitOnFailure, as src/main.ts
// runs it): one line `error [Code]: …`, exit status 1, a stack only with
// --debug, a JSON log line when logs are JSON; help and --version without a
// project; and an operator with no controllers that serves its probes until
// stopped, logging readable text when asked to.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ControlPlane, eventually } from "../../src/testing/index.ts";
import { runCommand, type CommandResult } from "../support/command.ts";

const bin = fileURLToPath(new URL("../../bin/operant.mjs", import.meta.url));
const operatorMain = fileURLToPath(new URL("fixtures/empty-operator-main.ts", import.meta.url));
const version = (JSON.parse(await (await import("node:fs/promises")).readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

let work: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  work = await mkdtemp(join(tmpdir(), "operant-failures-"));
  // No kubeconfig anywhere, no terminal, nothing of the test runner's.
  const { NODE_TEST_CONTEXT: _, KUBECONFIG: _k, OPERANT_LOG_FORMAT: _f, ...rest } = process.env;
  env = { ...rest, HOME: work, KUBECONFIG: join(work, "missing.kubeconfig") };
});
after(() => rm(work, { recursive: true, force: true }));

function operant(...args: string[]): Promise<CommandResult> {
  return runCommand(process.execPath, [bin, ...args], { cwd: work, env });
}
function operator(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  return runCommand(process.execPath, [operatorMain, ...args], { cwd: work, env: { ...env, ...extraEnv } });
}
const lines = (s: string) => s.split("\n").filter(Boolean);

describe("the operant command", () => {
  test("bare `operant` prints the help on stdout and exits 0; --version prints the version", async () => {
    const bare = await operant();
    assert.equal(bare.code, 0);
    assert.match(bare.stdout, /^Usage: operant \[options\] \[command\]/);
    assert.match(bare.stdout, /With no command, prints this help/);
    assert.equal(bare.stderr, "");
    const v = await operant("--version");
    assert.equal(v.code, 0);
    assert.equal(v.stdout, `${version}\n`);
  });

  test("a mistake is one line, error [Code]: …, exit 1 — commander's own message is not printed besides", async () => {
    const unknownFlag = await operant("init", "x", "--domain", "example.com", "--bogus");
    assert.equal(unknownFlag.code, 1);
    assert.deepEqual(lines(unknownFlag.stderr), ["error [InvalidArgument]: unknown option '--bogus' — run `operant init --help` for the commands and flags."]);
    const unknownCommand = await operant("nosuch");
    assert.deepEqual(lines(unknownCommand.stderr), ["error [InvalidArgument]: unknown command 'nosuch' — run `operant --help` for the commands and flags."]);
    assert.equal(unknownCommand.code, 1);
    const outside = await operant("generate");
    assert.equal(outside.code, 1);
    assert.equal(lines(outside.stderr).length, 1);
    assert.match(outside.stderr, /^error \[NotAProject\]: /);
  });

  test("--debug adds the stack", async () => {
    const r = await operant("generate", "--debug");
    assert.equal(r.code, 1);
    const [first, ...rest] = lines(r.stderr);
    assert.match(first!, /^error \[NotAProject\]: /);
    assert.match(rest.join("\n"), /^OperantError: .*\n {4}at findProject /);
  });

  test("help without a project: init shows its default once; run lists the operator flags", async () => {
    const init = await operant("init", "--help");
    assert.equal(init.code, 0);
    assert.equal(init.stdout.match(/default: "\."/g)?.length, 1, init.stdout);
    assert.doesNotMatch(init.stdout, /the current directory\)/);
    const run = await operant("run", "--help");
    assert.equal(run.code, 0, run.stderr);
    for (const flag of ["--watch-namespace <list>", "--kube-api-qps <n>", "--kube-api-burst <n>", "--log-level <level>", "--log-format <format>", "--leader-election-namespace <ns>"]) assert.ok(run.stdout.includes(flag), flag);
  });
});

describe("an operator process (runOperator with exitOnFailure)", () => {
  test("no kubeconfig: one JSON log line when logs are JSON (not a terminal), one stderr line with --log-format text; exit 1", async () => {
    const json = await operator([]);
    assert.equal(json.code, 1);
    assert.equal(json.stderr, "", "nothing on stderr: no stack, no second report");
    const entries = lines(json.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    const failure = entries.at(-1)!;
    assert.equal(failure.level, 50, json.stdout);
    assert.equal(failure.code, "KubeconfigNotFound");
    assert.match(String(failure.msg), /^error \[KubeconfigNotFound\]: /);
    assert.equal(failure.stack, undefined);

    const text = await operator(["--log-format", "text"]);
    assert.equal(text.code, 1);
    assert.deepEqual(lines(text.stderr).length, 1);
    assert.match(text.stderr, /^error \[KubeconfigNotFound\]: /);
    const debug = await operator(["--log-format=text", "--debug"]);
    assert.match(debug.stderr, /^error \[KubeconfigNotFound\]: .*\nOperantError: /);
  });

  test("flag mistakes: a level outside pino's, an unknown flag, a bad QPS — one coded line each", async () => {
    const level = await operator(["--log-format", "text", "--log-level", "verbose"]);
    assert.equal(level.code, 1);
    assert.deepEqual(lines(level.stderr), ["error [InvalidArgument]: option '--log-level <level>' argument 'verbose' is invalid. Allowed choices are fatal, error, warn, info, debug, trace, silent — run with --help for the flags."]);
    const unknown = await operator(["--log-format", "text", "--nope"]);
    assert.deepEqual(lines(unknown.stderr), ["error [InvalidArgument]: unknown option '--nope' — run with --help for the flags."]);
    const qps = await operator(["--log-format", "text"], { KUBE_API_QPS: "fast" });
    assert.deepEqual(lines(qps.stderr), ['error [InvalidArgument]: KUBE_API_QPS must be a positive number (got "fast"), e.g. 50.']);
  });

  test("--leader-elect outside a Pod without a namespace: a coded error saying which flag to pass", async () => {
    const r = await operator(["--log-format", "text", "--leader-elect"]);
    assert.equal(r.code, 1);
    assert.equal(lines(r.stderr).length, 1);
    assert.match(r.stderr, /^error \[LeaderElectionNamespaceUnknown\]: --leader-elect needs a namespace .* pass --leader-election-namespace <ns>/);
  });

  test("with no controllers it serves its probes until stopped, logging text; SIGTERM stops it with status 0", { timeout: 120_000 }, async () => {
    const cp = await ControlPlane.shared();
    const child = spawn(process.execPath, [operatorMain, "--log-format", "text", "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0"], { cwd: work, env: { ...env, KUBECONFIG: cp.kubeconfigPath }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const health = await eventually(() => /^\d\d:\d\d:\d\d\.\d{3} INFO {2}manager starting .*health=(127\.0\.0\.1:\d+)/m.exec(out)?.[1] ?? false, { timeoutMs: 60_000, description: `the operator starts and logs text:\n${out}` });
      await eventually(async () => assert.equal((await fetch(`http://${health}/readyz`)).status, 200), { description: `ready:\n${out}` });
      assert.match(out, /INFO {2}starting controllers/);
      // Still there after it has started everything it had (nothing): the old manager returned at once here.
      await eventually(() => out.includes("starting controllers"), { description: "controllers started" });
      assert.equal((await fetch(`http://${health}/healthz`)).status, 200);
      assert.equal(child.exitCode, null, `still running:\n${out}`);
      assert.doesNotMatch(out, /^\{/m, "no JSON lines");
      child.kill("SIGTERM");
      assert.equal(await exited, 0, out);
      assert.match(out, /INFO {2}manager stopped/);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});

describe("an operator's metrics, scraped", () => {
  test("controller-runtime's reconcile series exist at 0 from the start; client-go's REST client metrics count the API requests", { timeout: 120_000 }, async () => {
    const cp = await ControlPlane.shared();
    const namespace = `metrics-${process.pid}`;
    const child = spawn(process.execPath, [operatorMain, "--log-format", "text", "--watch-namespace", namespace, "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0"], { cwd: work, env: { ...env, KUBECONFIG: cp.kubeconfigPath, WITH_CONTROLLER: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const [, metricsAt, health] = await eventually(() => / manager starting metrics=(127\.0\.0\.1:\d+) health=(127\.0\.0\.1:\d+)/.exec(out) ?? false, { timeoutMs: 60_000, description: `the operator starts:\n${out}` });
      await eventually(async () => assert.equal((await fetch(`http://${health}/readyz`)).status, 200), { description: `ready (its ConfigMap informer synced):\n${out}` });
      const scraped = await (await fetch(`http://${metricsAt}/metrics`)).text();
      for (const result of ["success", "error", "requeue", "requeue_after"]) {
        assert.match(scraped, new RegExp(`^controller_runtime_reconcile_total\\{controller="configmaps",result="${result}"\\} 0$`, "m"), `${result} at 0:\n${scraped.slice(0, 2000)}`);
      }
      const host = new URL(cp.server).host.replaceAll(".", "\\.");
      assert.match(scraped, new RegExp(`^rest_client_requests_total\\{code="200",method="GET",host="${host}"\\} [1-9]`, "m"), "the informer's list");
      assert.match(scraped, new RegExp(`^rest_client_request_duration_seconds_count\\{verb="GET",host="${host}"\\} [1-9]`, "m"));
      assert.match(scraped, /^# TYPE rest_client_request_duration_seconds histogram$/m);
      child.kill("SIGTERM");
      assert.equal(await exited, 0, out);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
