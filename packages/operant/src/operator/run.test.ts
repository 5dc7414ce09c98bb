import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DEFAULT_SERVICE_ACCOUNT_DIR } from "../client/config/in-cluster.ts";
import { isOperantError } from "../core/errors.ts";
import { defineOperator } from "./operator.ts";
import { FAST_LEASE_TIMINGS } from "../leader/lease/timings.ts";
import { leaderElectionFromFlags, parseOperatorFlags, runOperator, shardingFromFlags, type OperatorFlagSpec } from "./run.ts";
import { Action } from "../runtime/controller/action.ts";
import { Controller } from "../runtime/controller/builder.ts";
import { ConfigMap } from "../kinds/index.ts";

const op = defineOperator({ name: "demo-operator", controllers: [] });
const image: OperatorFlagSpec = { name: "postgres-image", env: "POSTGRES_IMAGE", default: "postgres:17", description: "image of the Postgres pods" };
const argv = (...rest: string[]) => ["node", "main.ts", ...rest];

test("an operator's own flags: the flag, else its environment variable, else its default", () => {
  assert.equal(parseOperatorFlags(op, argv("--postgres-image", "pg:flag"), { POSTGRES_IMAGE: "pg:env" }, [image]).custom["postgres-image"], "pg:flag");
  assert.equal(parseOperatorFlags(op, argv(), { POSTGRES_IMAGE: "pg:env" }, [image]).custom["postgres-image"], "pg:env");
  assert.equal(parseOperatorFlags(op, argv(), {}, [image]).custom["postgres-image"], "postgres:17");
  assert.equal(parseOperatorFlags(op, argv(), {}, [{ name: "mode", description: "no default" }]).custom.mode, undefined);
});

test("custom flags mix with the standard ones", () => {
  const flags = parseOperatorFlags(op, argv("--watch-namespace", "a,b", "--postgres-image=pg:16", "--log-level", "debug"), {}, [image]);
  assert.deepEqual(flags.watchNamespaces, ["a", "b"]);
  assert.equal(flags.logLevel, "debug");
  assert.deepEqual(flags.custom, { "postgres-image": "pg:16" });
});

test("an undeclared flag is still refused", () => {
  assert.throws(() => parseOperatorFlags(op, argv("--postgres-image", "x"), {}), /unknown option/);
});

test("bad or clashing flag declarations are refused with InvalidArgument", () => {
  for (const name of ["--postgres-image", "PostgresImage", "log-level", "a_b"]) {
    assert.throws(() => parseOperatorFlags(op, argv(), {}, [{ name, description: "x" }]), (err) => isOperantError(err, "InvalidArgument"), name);
  }
  assert.throws(() => parseOperatorFlags(op, argv(), {}, [image, image]), (err) => isOperantError(err, "InvalidArgument") && /declared twice/.test(err.message));
});

test("--help prints the flags and ends the run without starting anything", async () => {
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (written.push(String(chunk)), true));
  try {
    assert.equal(await runOperator(op, { argv: argv("--help"), env: {} }), undefined);
  } finally {
    process.stdout.write = write;
  }
  assert.match(written.join(""), /--leader-election-preset <preset>/);
});

test("an unknown flag makes runOperator fail with InvalidArgument and a pointer to --help", async () => {
  await assert.rejects(runOperator(op, { argv: argv("--no-such-flag"), env: {} }), (err: unknown) => isOperantError(err, "InvalidArgument") && /unknown option '--no-such-flag'.*--help/.test(err.message));
});

test("the Lease timing preset: default unless --leader-election-preset fast", () => {
  assert.equal(parseOperatorFlags(op, argv(), {}).leaderElectionPreset, "default");
  assert.equal(parseOperatorFlags(op, argv("--leader-election-preset", "fast"), {}).leaderElectionPreset, "fast");
  assert.throws(() => parseOperatorFlags(op, argv("--leader-election-preset", "slow"), {}), /Allowed choices are default, fast/);
});

test("the client's rate: --kube-api-qps / --kube-api-burst, else KUBE_API_QPS / KUBE_API_BURST, else the client's defaults", () => {
  const flags = parseOperatorFlags(op, argv("--kube-api-qps", "50", "--kube-api-burst=100"), { KUBE_API_QPS: "5", KUBE_API_BURST: "7" });
  assert.equal(flags.kubeApiQps, 50);
  assert.equal(flags.kubeApiBurst, 100);
  const fromEnv = parseOperatorFlags(op, argv(), { KUBE_API_QPS: "2.5", KUBE_API_BURST: "7" });
  assert.equal(fromEnv.kubeApiQps, 2.5);
  assert.equal(fromEnv.kubeApiBurst, 7);
  const none = parseOperatorFlags(op, argv(), {});
  assert.equal(none.kubeApiQps, undefined);
  assert.equal(none.kubeApiBurst, undefined);
  for (const [args, env, pattern] of [
    [argv("--kube-api-qps", "0"), {}, /--kube-api-qps must be a positive number \(got "0"\)/],
    [argv("--kube-api-burst", "1.5"), {}, /--kube-api-burst must be a positive integer \(got "1\.5"\)/],
    [argv(), { KUBE_API_BURST: "many" }, /KUBE_API_BURST must be a positive integer/],
  ] as const) {
    assert.throws(() => parseOperatorFlags(op, args, env), (err) => isOperantError(err, "InvalidArgument") && pattern.test(err.message));
  }
});

test("--log-level takes pino's levels only; --log-format json or text", () => {
  assert.equal(parseOperatorFlags(op, argv("--log-level", "trace"), {}).logLevel, "trace");
  assert.throws(() => parseOperatorFlags(op, argv("--log-level", "verbose"), {}), /Allowed choices are fatal, error, warn, info, debug, trace, silent/);
  assert.equal(parseOperatorFlags(op, argv("--log-format", "text"), {}).logFormat, "text");
  assert.equal(parseOperatorFlags(op, argv(), { OPERANT_LOG_FORMAT: "json" }).logFormat, "json");
  assert.throws(() => parseOperatorFlags(op, argv("--log-format", "pretty"), {}), /Allowed choices are json, text/);
});

test("--leader-elect becomes the Manager's leaderElection settings: mode, id, namespace, preset and Pod from flags and environment", async () => {
  const flags = parseOperatorFlags(op, argv("--leader-elect", "--leader-election-id", "demo-lock", "--leader-election-preset", "fast"), {});
  assert.deepEqual(await leaderElectionFromFlags(flags, { POD_NAMESPACE: "ops", POD_NAME: "demo-7c9-x" }), { mode: "lease", id: "demo-lock", namespace: "ops", podName: "demo-7c9-x", timings: FAST_LEASE_TIMINGS });
  const lfl = parseOperatorFlags(op, argv("--leader-elect", "--leader-election-mode", "leader-for-life", "--leader-election-namespace", "ns1"), {});
  assert.deepEqual(await leaderElectionFromFlags(lfl, {}), { mode: "leader-for-life", id: "demo-operator-leader", namespace: "ns1", podName: undefined });
});

test("--leader-elect with a Lease and no namespace to be found fails with LeaderElectionNamespaceUnknown", async (t) => {
  if (existsSync(join(DEFAULT_SERVICE_ACCOUNT_DIR, "namespace"))) return t.skip("this process runs in a Pod: the ServiceAccount names a namespace");
  const flags = parseOperatorFlags(op, argv("--leader-elect"), {});
  await assert.rejects(leaderElectionFromFlags(flags, {}), (err: unknown) => isOperantError(err, "LeaderElectionNamespaceUnknown") && /--leader-election-namespace/.test(err.message));
});

test("sharding is off unless the definition enables it or --shard is given; --no-shard turns a default off", () => {
  assert.deepEqual(op.sharding, { enabled: false });
  assert.equal(parseOperatorFlags(op, argv(), {}).shard, false);
  assert.equal(parseOperatorFlags(op, argv("--shard"), {}).shard, true);
  const on = defineOperator({ name: "demo-operator", controllers: [], sharding: { enabled: true, timings: "fast" } });
  assert.deepEqual(on.sharding, { enabled: true, timings: "fast" });
  assert.equal(parseOperatorFlags(on, argv(), {}).shard, true);
  assert.equal(parseOperatorFlags(on, argv("--no-shard"), {}).shard, false);
});

test("--shard: every controller narrowed to this member's shard, plus the member and sharder runnables; the Leases' namespace from the flags or POD_NAMESPACE", async (t) => {
  const web = Controller.for(ConfigMap).named("web").reconcile(() => Action.awaitChange());
  const sharded = defineOperator({ name: "demo-operator", controllers: [web] });
  const flags = parseOperatorFlags(sharded, argv("--shard", "--leader-election-preset", "fast"), {});
  const s = await shardingFromFlags(sharded, flags, { POD_NAMESPACE: "ops", POD_NAME: "demo-7c9-x" });
  assert.match(s.member.memberId, /^demo-7c9-x-[0-9a-f]{10}$/);
  assert.equal(s.controllers.length, 1);
  assert.equal(s.controllers[0]!.forOptions.labelSelector, `shard.operant.dev/web=${s.member.memberId}`);
  assert.deepEqual(s.runnables.map((r) => [r.name, r.needsLeaderElection]), [["shard-member", false], ["sharder", false]]);
  assert.equal(s.member.timings.leaseDuration, FAST_LEASE_TIMINGS.leaseDuration, "--leader-election-preset fast applies to the member Leases");
  if (existsSync(join(DEFAULT_SERVICE_ACCOUNT_DIR, "namespace"))) return t.skip("this process runs in a Pod: the ServiceAccount names a namespace");
  await assert.rejects(shardingFromFlags(sharded, flags, {}), (err: unknown) => isOperantError(err, "ShardingNamespaceUnknown") && /--leader-election-namespace/.test(err.message));
});

test("unauthenticated listeners bind loopback unless an address is given: metrics (plain HTTP there), status page, probes, webhooks", () => {
  const flags = parseOperatorFlags(op, argv(), {});
  assert.deepEqual([flags.metricsBindAddress, flags.statusBindAddress, flags.healthProbeBindAddress, flags.webhookBindAddress], ["127.0.0.1:8080", "127.0.0.1:8082", "127.0.0.1:8081", "127.0.0.1:9443"]);
  assert.equal(parseOperatorFlags(op, argv("--health-probe-bind-address", ":8081"), {}).healthProbeBindAddress, ":8081");
});
