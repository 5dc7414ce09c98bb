// Sharding: 3,000 custom resources reconciled by 1, 2 and 3 sharded members (separate processes, a client QPS limit each) — convergence time, throughput, cached objects, heap and RSS per member.
//
// npm run bench -- sharding [--objects 3000] [--qps 20] [--members 1,2,3] [--no-baseline] [--small] [--dry-run]
//
//   --objects      ShardItems created per phase (default 3000)
//   --qps          each replica's client limit, --kube-api-qps (default 20; burst 1.5×)
//   --members      the sharded phases (default 1,2,3)
//   --no-baseline  skip the unsharded single replica
//   --small        the quick preset: 600 objects (about 2 minutes in all)
//   --dry-run      print the figures without rewriting bench/RESULTS.md and the README
//
// Each phase has its own namespace on one local `minimal` control plane
// (etcd and API server). Its replicas are started as separate processes
// through runOperator (bench/sharding/member.ts, `--shard` for the sharded
// phases, default Lease timings) and left to join the ring; then the
// benchmark creates the objects as fast as the API server takes them and
// watches them: a phase converges when every object has its status written
// by a replica. Each replica's client is limited to --qps requests per
// second (client-go's and operant's default, 20, is what most operators run
// with, and one status write per object makes that limit the bottleneck, as
// it is for a real operator); the sharder has its own client (sharderQps,
// default 50) on the replica that leads its election. After convergence
// each replica reports its cached ShardItems and its heap (after garbage
// collection) and RSS.
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Client } from "../packages/operant/src/client/client.ts";
import { installCrds } from "../packages/operant/src/crd/index.ts";
import { metaOf } from "../packages/operant/src/core/object.ts";
import { Namespace } from "../packages/operant/src/kinds/index.ts";
import { Informer } from "../packages/operant/src/runtime/cache/informer.ts";
import { shardLabel } from "../packages/operant/src/sharding/labels.ts";
import { ControlPlane, OperatorProcess } from "../packages/operant/src/testing/index.ts";
import { writeReadmeSection, writeResultsSection } from "../scripts/bench.ts";
import { ShardItem } from "./sharding/item.ts";
import { pool } from "./support/process.ts";
import { loadAverage, machineRows, table } from "./support/report.ts";

const { values: args } = parseArgs({
  options: {
    objects: { type: "string" },
    qps: { type: "string", default: "20" },
    members: { type: "string", default: "1,2,3" },
    "no-baseline": { type: "boolean", default: false },
    small: { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
  },
});
const N = Number(args.objects ?? (args.small ? 600 : 3000));
const QPS = Number(args.qps);
const MEMBERS = args.members.split(",").map(Number);
const BASELINE = !args["no-baseline"];
if (!(N > 0) || !(QPS > 0) || MEMBERS.some((m) => !(m >= 1))) throw new Error("--objects, --qps and --members must be positive numbers");

const MEMBER = fileURLToPath(new URL("./sharding/member.ts", import.meta.url));
const S = shardLabel("items");
const log = (m: string) => process.stderr.write(`[bench sharding ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
/** Targets of issue 17, against the single sharded member. */
const THROUGHPUT_TARGET = 2.5;
const CACHE_TARGET = 0.4;

interface Report {
  replica: string;
  cached: number;
  heapUsed: number;
  rss: number;
  peakRss: number;
  reconciles: number;
  writes: number;
}

interface Phase {
  name: string;
  sharded: boolean;
  replicas: number;
  createMs: number;
  /** First create → every object labelled (sharded phases). */
  assignedMs?: number;
  /** First create → every object's status written. */
  convergedMs: number;
  /** Label changes the benchmark's watch saw after creation: the sharder's patches (assignments and moves). */
  labelPatches: number;
  reports: Report[];
  load: string;
}

class Replica extends OperatorProcess {
  static launch(name: string, argv: string[]): Replica {
    return new Replica({ script: MEMBER, args: argv, env: { ...process.env, POD_NAME: name, LOG_LEVEL: "info" }, name });
  }
  report(timeoutMs = 30_000): Promise<Report> {
    const seen = this.lines.length;
    this.child.stdin.write("report\n");
    return this.waitForLine((l) => l.event === "report" && this.lines.indexOf(l) >= seen, { timeoutMs, what: "its report" }) as unknown as Promise<Report>;
  }
}

async function phase(cp: ControlPlane, client: Client, name: string, replicas: number, sharded: boolean): Promise<Phase> {
  const ns = `bench-${name}`;
  await client.create(Namespace, { metadata: { name: ns } });
  const flags = ["--kubeconfig", cp.kubeconfigPath, "--watch-namespace", ns, "--leader-election-namespace", ns, "--leader-election-id", `shard-bench-${name}`, "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0", "--status-bind-address", "127.0.0.1:0", "--kube-api-qps", String(QPS), "--kube-api-burst", String(Math.ceil(QPS * 1.5)), "--log-format", "json", ...(sharded ? ["--shard"] : [])];
  const procs = Array.from({ length: replicas }, (_, i) => Replica.launch(`${name}-r${i}`, flags));
  try {
    // Ready: every member joined and the sharder sees all of them; unsharded, the controller's workers started.
    if (sharded) {
      await Promise.all(procs.map((p) => p.waitForLine((l) => l.msg === "joined the shard ring", { timeoutMs: 120_000, what: "joining the shard ring" })));
      await Promise.any(procs.map((p) => p.waitForLine((l) => l.msg === "shard ring members changed" && Array.isArray(l.members) && l.members.length === replicas, { timeoutMs: 120_000, what: `the sharder seeing ${replicas} members` })));
    } else {
      await procs[0]!.waitForLine((l) => l.msg === "caches synced, starting workers", { timeoutMs: 120_000, what: "its workers starting" });
    }
    const watch = new Informer(client, ShardItem, { namespaces: [ns] });
    const labelled = new Map<string, number>();
    const done = new Map<string, number>();
    let labelPatches = 0;
    let t0 = 0;
    let converged: () => void = () => {};
    const all = new Promise<void>((r) => (converged = r));
    const see = (item: ShardItem, previous?: ShardItem) => {
      const m = metaOf(item);
      const now = performance.now();
      if (previous && metaOf(previous).labels?.[S] !== m.labels?.[S]) labelPatches++;
      if (m.labels?.[S] && !labelled.has(m.name)) labelled.set(m.name, now);
      if (item.status?.observedGeneration !== undefined && !done.has(m.name)) {
        done.set(m.name, now);
        if (done.size === N) converged();
      }
    };
    watch.addHandler({ added: (o) => see(o), updated: (p, o) => see(o, p) });
    const stop = new AbortController();
    watch.start(stop.signal);
    await watch.waitForSync();
    log(`${name}: ${replicas} replica(s) ready; creating ${N} ShardItems (load ${loadAverage()})`);
    t0 = performance.now();
    await pool([...Array(N).keys()], 32, (i) => client.create(ShardItem, { metadata: { name: `item-${String(i).padStart(5, "0")}`, namespace: ns }, spec: { value: i } }));
    const createMs = performance.now() - t0;
    log(`${name}: created in ${secs(createMs)}`);
    const progress = setInterval(() => log(`${name}: ${done.size}/${N} reconciled, ${labelled.size} labelled, ${secs(performance.now() - t0)}`), 10_000);
    const limitMs = (N / QPS) * 1000 * 3 + 120_000;
    try {
      await Promise.race([all, sleep(limitMs).then(() => Promise.reject(new Error(`${name}: after ${secs(limitMs)} only ${done.size} of ${N} ShardItems had their status written (${labelled.size} labelled)`)))]);
    } finally {
      clearInterval(progress);
    }
    const convergedMs = Math.max(...done.values()) - t0;
    const assignedMs = sharded ? Math.max(...labelled.values()) - t0 : undefined;
    await sleep(2_000); // let the last watch events reach the replicas' caches
    const reports = await Promise.all(procs.map((p) => p.report()));
    stop.abort();
    const load = loadAverage();
    log(`${name}: converged in ${secs(convergedMs)}${assignedMs !== undefined ? `, all assigned at ${secs(assignedMs)}` : ""}; cached ${reports.map((r) => r.cached).join(" / ")}; load ${load}`);
    return { name, sharded, replicas, createMs, ...(assignedMs !== undefined && { assignedMs }), convergedMs, labelPatches, reports, load };
  } finally {
    await Promise.all(procs.map((p) => p.stop(20_000)));
  }
}

function section(phases: Phase[], machine: [string, string][]): { results: string; readme: string; verdicts: string[] } {
  const one = phases.find((p) => p.sharded && p.replicas === 1);
  const single = phases.find((p) => !p.sharded);
  const throughput = (p: Phase) => N / (p.convergedMs / 1000);
  const maxCached = (p: Phase) => Math.max(...p.reports.map((r) => r.cached));
  const rows = phases.map((p) => {
    const vsOne = one ? throughput(p) / throughput(one) : NaN;
    const cacheRatio = one ? maxCached(p) / maxCached(one) : NaN;
    return [
      p.sharded ? `sharded, ${p.replicas} member${p.replicas > 1 ? "s" : ""}` : "unsharded, 1 replica",
      secs(p.convergedMs),
      `${throughput(p).toFixed(1)}/s`,
      Number.isFinite(vsOne) ? `${vsOne.toFixed(2)}×` : "—",
      single ? `${(throughput(p) / throughput(single)).toFixed(2)}×` : "—",
      p.assignedMs !== undefined ? secs(p.assignedMs) : "—",
      String(p.labelPatches),
      p.reports.map((r) => r.cached.toLocaleString("en")).join(" / "),
      Number.isFinite(cacheRatio) ? `${cacheRatio.toFixed(2)}×` : "—",
      p.reports.map((r) => mb(r.heapUsed)).join(" / "),
      p.reports.map((r) => mb(r.peakRss)).join(" / "),
      p.load,
    ];
  });
  const verdicts: string[] = [];
  const three = phases.find((p) => p.sharded && p.replicas === 3);
  if (one && three) {
    const x = throughput(three) / throughput(one);
    const c = maxCached(three) / maxCached(one);
    verdicts.push(`Throughput, 3 members vs 1: ${x.toFixed(2)}× (target ≥ ${THROUGHPUT_TARGET}×): ${x >= THROUGHPUT_TARGET ? "met" : "**missed**"}.`);
    verdicts.push(`Cached ShardItems, the largest of 3 members vs the single member: ${c.toFixed(2)}× (target ≤ ${CACHE_TARGET}×): ${c <= CACHE_TARGET ? "met" : "**missed**"}.`);
  }
  const header = ["replicas", "converged", "throughput", "vs 1 member", "vs unsharded", "all assigned", "sharder label patches", "cached ShardItems per replica", "cache vs 1 member (largest)", "heap per replica", "peak RSS per replica", "load at end"];
  const results = [
    "## Sharding",
    "",
    "Measured by [`bench/sharding.ts`](sharding.ts): `npm run bench -- sharding` (`--small` for 600 objects).",
    "",
    "### Machine",
    "",
    "|  | value |",
    "| --- | --- |",
    ...machine.map(([k, v]) => `| ${k} | ${v} |`),
    "",
    "### Method",
    "",
    `${N.toLocaleString("en")} ShardItems (a custom resource) per phase, created by the benchmark as fast as a local \`minimal\` control plane takes them, after the phase's replicas are ready. Replicas are separate processes started through \`runOperator\` (\`--shard\` for the sharded phases, default Lease timings), each with a client limited to ${QPS} QPS (burst ${Math.ceil(QPS * 1.5)}): client-go's and operant's default, what most operators run with. A reconcile writes the object's status once (one request), so the client limit is the bottleneck, as it is for a real operator. The sharder's label patches go through its own client (50 QPS) on the replica elected to run it. "Converged": from the first create to the last status written, both seen through the benchmark's watch; "all assigned": to the last shard label. Cache, heap (after garbage collection) and RSS are each replica's own, read once converged.`,
    "",
    table(header, rows),
    "",
    ...verdicts.map((v) => `- ${v}`),
    "",
  ].join("\n");
  const readme = table(
    ["replicas", "converged", "throughput", "vs 1 member", "cached per member", "heap per member"],
    phases.map((p) => [p.sharded ? `${p.replicas} member${p.replicas > 1 ? "s" : ""}` : "unsharded", secs(p.convergedMs), `${throughput(p).toFixed(1)}/s`, one ? `${(throughput(p) / throughput(one)).toFixed(2)}×` : "—", p.reports.map((r) => r.cached.toLocaleString("en")).join(" / "), p.reports.map((r) => mb(r.heapUsed)).join(" / ")]),
  );
  return { results, readme: `${readme}\n\n${N.toLocaleString("en")} ShardItems, ${QPS} QPS per replica; ${verdicts.join(" ")} Details: [bench/RESULTS.md](bench/RESULTS.md#sharding).`, verdicts };
}

async function main(): Promise<void> {
  const machine = machineRows().filter(([k]) => k !== "Date");
  log(`starting a minimal control plane (load ${loadAverage()})`);
  const cp = await ControlPlane.start({ profile: "minimal", apiServerFlags: ["--max-requests-inflight=1000", "--max-mutating-requests-inflight=500"] });
  const client = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity });
  const phases: Phase[] = [];
  try {
    await installCrds(client, [ShardItem]);
    if (BASELINE) phases.push(await phase(cp, client, "single", 1, false));
    for (const m of MEMBERS) phases.push(await phase(cp, client, `shard${m}`, m, true));
  } finally {
    await client.close();
    await cp.stop();
  }
  machine.push(["Load average at end (1/5/15 min)", loadAverage()], ["Date", new Date().toISOString()]);
  const { results, readme } = section(phases, machine);
  process.stdout.write(`${results}\n`);
  if (!args["dry-run"]) {
    writeResultsSection("sharding", results);
    writeReadmeSection("sharding", readme);
  }
}

await main();
