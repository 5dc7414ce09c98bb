// Sharding: 3,000 custom resources reconciled by 1, 2 and 3 sharded members (separate processes, a client QPS limit each) — convergence time, throughput, cached objects, heap and RSS per member.
//
// npm run bench -- sharding [--objects 3000] [--qps 20] [--phases …] [--small] [--dry-run]
//
//   --objects   ShardItems created per phase (default 3000)
//   --qps       each replica's client limit, --kube-api-qps (default 20; burst 1.5×)
//   --phases    default "single,sharder:1,sharder:2,sharder:3,webhook:3": the unsharded
//               replica, then members whose new objects the sharder assigns, then members whose
//               new objects the assignment webhook labels at creation (the sharder as fallback)
//   --small     the quick preset: 600 objects (about 3 minutes in all; the full run about 13–14)
//   --dry-run   print the figures without rewriting bench/RESULTS.md and the README
//
// Each phase has its own namespace on one local `minimal` control plane
// (etcd and API server). Its replicas are started as separate processes
// through runOperator (bench/sharding/member.ts, `--shard` for the sharded
// phases, default Lease timings) and left to join the ring; then the
// benchmark creates the objects (32 at a time) while the replicas hold their
// reconciles, waits until every object carries its shard label, and lets the
// replicas go: a phase converges when every object has its status written by
// a replica, timed from the go. Each replica's client is limited to --qps requests per
// second (client-go's and operant's default, 20, is what most operators run
// with, and one status write per object makes that limit the bottleneck, as
// it is for a real operator); the sharder has its own client (sharderQps,
// default 50) on the replica that leads its election. After convergence
// each replica reports its cached ShardItems and its heap (after garbage
// collection) and RSS. In the webhook phases the operator also serves a
// validating webhook, so it shards by definition and its generated
// configuration lists the assignment webhook; the benchmark installs that
// configuration pointing at the first replica on loopback (serving
// certificate for 127.0.0.1 from operant's pki, passed by --webhook-cert-dir).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Client } from "../packages/operant/src/client/client.ts";
import { installCrds } from "../packages/operant/src/crd/index.ts";
import { metaOf } from "../packages/operant/src/core/object.ts";
import { MutatingWebhookConfiguration, Namespace, ValidatingWebhookConfiguration } from "../packages/operant/src/kinds/index.ts";
import { admissionWebhooksOf } from "../packages/operant/src/operator/webhooks.ts";
import { createCertificateAuthority } from "../packages/operant/src/pki/index.ts";
import { HashRing } from "../packages/operant/src/sharding/ring.ts";
import { freePort } from "../packages/operant/src/testing/control-plane/ports.ts";
import { webhookConfigurations } from "../packages/operant/src/webhook/manifests/manifests.ts";
import { Informer } from "../packages/operant/src/runtime/cache/informer.ts";
import { shardLabel } from "../packages/operant/src/sharding/labels.ts";
import { eventually, OperatorProcess, type ControlPlane } from "../packages/operant/src/testing/index.ts";
import { writeReadmeSection, writeResultsSection } from "../scripts/bench.ts";
import { ShardItem } from "./sharding/item.ts";
import { shardBenchOperator } from "./sharding/operator.ts";
import type { Cached } from "../packages/operant/src/core/object.ts";
import { pool } from "./support/process.ts";
import { loadAverage, machineRows, table } from "./support/report.ts";
import { benchControlPlane } from "./support/control-plane.ts";

const { values: args } = parseArgs({
  options: {
    objects: { type: "string" },
    qps: { type: "string", default: "20" },
    phases: { type: "string", default: "single,sharder:1,sharder:2,sharder:3,webhook:3" },
    small: { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
  },
});
const N = Number(args.objects ?? (args.small ? 600 : 3000));
const QPS = Number(args.qps);
type Mode = "unsharded" | "sharder" | "webhook";
const PHASES = args.phases.split(",").map((p): { mode: Mode; replicas: number } => {
  if (p.trim() === "single") return { mode: "unsharded", replicas: 1 };
  const [mode, n] = p.trim().split(":");
  if ((mode !== "sharder" && mode !== "webhook") || !(Number(n) >= 1)) throw new Error(`--phases: "${p}" is not single, sharder:<members> or webhook:<members>`);
  return { mode, replicas: Number(n) };
});
if (!(N > 0) || !(QPS > 0)) throw new Error("--objects and --qps must be positive numbers");

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
  mode: Mode;
  sharded: boolean;
  replicas: number;
  createMs: number;
  /** First create → every object labelled (sharded phases). */
  assignedMs?: number;
  /** The replicas' go (every object created and assigned) → every object's status written. */
  convergedMs: number;
  /** Label changes the benchmark's watch saw after creation: the sharder's patches (assignments and moves). */
  labelPatches: number;
  reports: Report[];
  load: string;
}

class Replica extends OperatorProcess {
  static launch(name: string, argv: string[], mode: Mode): Replica {
    return new Replica({ script: MEMBER, args: argv, env: { ...process.env, POD_NAME: name, LOG_LEVEL: "info", ASSIGN: mode }, name });
  }
  report(timeoutMs = 30_000): Promise<Report> {
    const seen = this.lines.length;
    this.child.stdin.write("report\n");
    return this.waitForLine((l) => l.event === "report" && this.lines.indexOf(l) >= seen, { timeoutMs, what: "its report" }) as unknown as Promise<Report>;
  }
}

/** A CA and a serving certificate for 127.0.0.1 in a directory, for the replicas' --webhook-cert-dir. */
let serving: { dir: string; caPem: string } | undefined;
function servingCertificate(): { dir: string; caPem: string } {
  if (serving) return serving;
  const ca = createCertificateAuthority("shard-bench-webhook-ca", 1);
  const leaf = ca.issue({ commonName: "127.0.0.1", hosts: ["127.0.0.1"], usage: "server", validDays: 1 });
  const dir = mkdtempSync(join(tmpdir(), "operant-bench-sharding-"));
  writeFileSync(join(dir, "tls.crt"), leaf.certPem);
  writeFileSync(join(dir, "tls.key"), leaf.keyPem, { mode: 0o600 });
  return (serving = { dir, caPem: ca.certPem });
}

/** Installs the operator's generated webhook configurations, pointing at `port` on loopback; returns what to delete afterwards. */
async function installWebhooks(client: Client, name: string, port: number): Promise<() => Promise<void>> {
  const operator = shardBenchOperator("bench", { reconciles: 0, writes: 0 }, { webhooks: true });
  const { validating, mutating } = webhookConfigurations(admissionWebhooksOf(operator), { name, target: { url: `https://127.0.0.1:${port}` }, caBundle: servingCertificate().caPem });
  if (validating) await client.create(ValidatingWebhookConfiguration, validating);
  if (mutating) await client.create(MutatingWebhookConfiguration, mutating);
  return async () => {
    if (validating) await client.delete(ValidatingWebhookConfiguration, { name: validating.metadata.name }).catch(() => undefined);
    if (mutating) await client.delete(MutatingWebhookConfiguration, { name: mutating.metadata.name }).catch(() => undefined);
  };
}

async function phase(cp: ControlPlane, client: Client, mode: Mode, replicas: number): Promise<Phase> {
  const sharded = mode !== "unsharded";
  const name = mode === "unsharded" ? "single" : `${mode}${replicas}`;
  const ns = `bench-${name}`;
  await client.create(Namespace, { metadata: { name: ns } });
  const flags = ["--kubeconfig", cp.kubeconfigPath, "--watch-namespace", ns, "--leader-election-namespace", ns, "--leader-election-id", `shard-bench-${name}`, "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0", "--status-bind-address", "127.0.0.1:0", "--kube-api-qps", String(QPS), "--kube-api-burst", String(Math.ceil(QPS * 1.5)), "--log-format", "json", ...(sharded ? ["--shard"] : [])];
  const ports = await Promise.all(Array.from({ length: replicas }, () => freePort()));
  const webhookFlags = (i: number) => (mode === "webhook" ? ["--webhook-bind-address", `127.0.0.1:${ports[i]}`, "--webhook-cert-dir", servingCertificate().dir] : []);
  const procs = Array.from({ length: replicas }, (_, i) => Replica.launch(`${name}-r${i}`, [...flags, ...webhookFlags(i)], mode));
  let uninstall: (() => Promise<void>) | undefined;
  try {
    // Ready: every member joined and the sharder sees all of them; unsharded, the controller's workers started.
    if (sharded) {
      const joined = await Promise.all(procs.map((p) => p.waitForLine((l) => l.msg === "joined the shard ring", { timeoutMs: 120_000, what: "joining the shard ring" })));
      await Promise.any(procs.map((p) => p.waitForLine((l) => l.msg === "shard ring members changed" && Array.isArray(l.members) && l.members.length === replicas, { timeoutMs: 120_000, what: `the sharder seeing ${replicas} members` })));
      if (mode === "webhook") {
        // The API server calls the first replica's webhook server (in a cluster, the Service picks a replica); ready once
        // its view of the ring has every member: dry-run creates come back labelled as the ring of all members says.
        uninstall = await installWebhooks(client, `shard-bench-${name}`, ports[0]!);
        const ring = new HashRing(joined.map((l) => String(l.member)));
        await eventually(
          async () => {
            for (let i = 0; i < 8; i++) {
              const probe = await client.create(ShardItem, { metadata: { name: `probe-${i}`, namespace: ns }, spec: { value: i } }, { dryRun: true });
              assert.equal(probe.metadata.labels?.[S], ring.ownerOf(`${ns}/probe-${i}`), "the webhook's ring is not yet every member's");
            }
          },
          { timeoutMs: 60_000, intervalMs: 500, description: "the API server calling the assignment webhook with every member live" },
        );
      }
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
    const see = (item: Cached<ShardItem>, previous?: Cached<ShardItem>) => {
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
    // Every object assigned before the replicas start reconciling (sharded phases), so that the figure is the
    // members' throughput over a backlog, not the benchmark's own create rate (a loaded API server takes ~50–200/s).
    if (sharded) {
      await eventually(() => assert.equal(labelled.size, N, `${labelled.size} of ${N} assigned`), { timeoutMs: (N / 20) * 1000 + 60_000, intervalMs: 200, description: "every object assigned" });
    }
    const assignedMs = sharded ? Math.max(...labelled.values()) - t0 : undefined;
    const go = performance.now();
    for (const p of procs) p.child.stdin.write("go\n");
    const progress = setInterval(() => log(`${name}: ${done.size}/${N} reconciled, ${secs(performance.now() - go)} after go`), 10_000);
    const limitMs = (N / QPS) * 1000 * 3 + 120_000;
    const timer = new AbortController(); // the deadline's timer must not keep the process alive after the last phase
    try {
      await Promise.race([all, sleep(limitMs, undefined, { signal: timer.signal }).then(
        () => Promise.reject(new Error(`${name}: after ${secs(limitMs)} only ${done.size} of ${N} ShardItems had their status written (${labelled.size} labelled)`)),
        () => undefined, // aborted once converged
      )]);
    } finally {
      timer.abort();
      clearInterval(progress);
    }
    const convergedMs = Math.max(...done.values()) - go;
    await sleep(2_000); // let the last watch events reach the replicas' caches
    const reports = await Promise.all(procs.map((p) => p.report()));
    stop.abort();
    const load = loadAverage();
    log(`${name}: converged in ${secs(convergedMs)}${assignedMs !== undefined ? `, all assigned at ${secs(assignedMs)}` : ""}; cached ${reports.map((r) => r.cached).join(" / ")}; load ${load}`);
    return { name, mode, sharded, replicas, createMs, ...(assignedMs !== undefined && { assignedMs }), convergedMs, labelPatches, reports, load };
  } finally {
    await uninstall?.();
    await Promise.all(procs.map((p) => p.stop(20_000)));
  }
}

const MODE_LABEL: Record<Mode, string> = { unsharded: "unsharded", sharder: "sharder assigns", webhook: "webhook assigns" };

function section(phases: Phase[], machine: [string, string][]): { results: string; readme: string; verdicts: string[] } {
  const single = phases.find((p) => !p.sharded);
  const throughput = (p: Phase) => N / (p.convergedMs / 1000);
  const maxCached = (p: Phase) => Math.max(...p.reports.map((r) => r.cached));
  /** What "vs 1 member" compares with: the single member of the same mode, else of the other (reconciles start once all is assigned either way). */
  const oneOf = (p: Phase) => (p.sharded ? (phases.find((q) => q.mode === p.mode && q.replicas === 1) ?? phases.find((q) => q.sharded && q.replicas === 1)) : undefined);
  const who = (p: Phase) => (p.sharded ? `${p.replicas} member${p.replicas > 1 ? "s" : ""}, ${MODE_LABEL[p.mode]}` : "1 replica, unsharded");
  const rows = phases.map((p) => {
    const one = oneOf(p);
    return [
      who(p),
      secs(p.convergedMs),
      `${throughput(p).toFixed(1)}/s`,
      one ? `${(throughput(p) / throughput(one)).toFixed(2)}×` : "—",
      single ? `${(throughput(p) / throughput(single)).toFixed(2)}×` : "—",
      p.assignedMs !== undefined ? secs(p.assignedMs) : "—",
      p.sharded ? p.labelPatches.toLocaleString("en") : "—",
      p.reports.map((r) => r.cached.toLocaleString("en")).join(" / "),
      one ? `${(maxCached(p) / maxCached(one)).toFixed(2)}×` : "—",
      p.reports.map((r) => mb(r.heapUsed)).join(" / "),
      p.reports.map((r) => mb(r.peakRss)).join(" / "),
      p.load,
    ];
  });
  const verdicts: string[] = [];
  for (const mode of ["sharder", "webhook"] as const) {
    const three = phases.find((p) => p.mode === mode && p.replicas === 3);
    const one = three && oneOf(three);
    if (!one || !three) continue;
    const x = throughput(three) / throughput(one);
    const c = maxCached(three) / maxCached(one);
    verdicts.push(`${MODE_LABEL[mode]}: throughput at 3 members ${x.toFixed(2)}× that of 1 (target ≥ ${THROUGHPUT_TARGET}×): ${x >= THROUGHPUT_TARGET ? "met" : "**missed**"}${one.mode !== mode ? ` (vs the single member of "${MODE_LABEL[one.mode]}")` : ""}${single ? ` (${(throughput(three) / throughput(single)).toFixed(2)}× the unsharded replica's)` : ""}; the largest member's cache ${c.toFixed(2)}× the single member's (target ≤ ${CACHE_TARGET}×): ${c <= CACHE_TARGET ? "met" : "**missed**"}.`);
  }
  const header = ["replicas", "converged", "throughput", "vs 1 member", "vs unsharded", "all assigned", "label patches after creation", "cached ShardItems per replica", "largest cache vs 1 member", "heap per replica", "peak RSS per replica", "load at end"];
  const results = [
    "## Sharding",
    "",
    "Measured by [`bench/sharding.ts`](sharding.ts): `npm run bench -- sharding` (`--small` for 600 objects).",
    "",
    "### Machine",
    "",
    table(["", "value"], machine),
    "",
    "### Method",
    "",
    `${N.toLocaleString("en")} ShardItems (a custom resource) per phase, created by the benchmark (32 at a time) on a local \`minimal\` control plane, after the phase's replicas are ready. Replicas are separate processes started through \`runOperator\` (\`--shard\` for the sharded phases, default Lease timings), each with a client limited to ${QPS} QPS (burst ${Math.ceil(QPS * 1.5)}): client-go's and operant's default, what most operators run with. A reconcile writes the object's status once (one request), so the client limit is the bottleneck, as it is for a real operator. "sharder assigns": new objects are labelled by the sharder (its own client, 50 QPS, on the replica elected to run it). "webhook assigns": the operator also serves a validating webhook, so it shards by definition and its configuration lists the assignment webhook, which the API server calls on the first replica (loopback); the sharder is the fallback. The replicas hold their reconciles until every object is created and (sharded) carries its shard label, so that the figure is the replicas' throughput over a backlog of ${N.toLocaleString("en")}, not the rate at which this loaded API server takes creates. "Converged": from the go to the last status written, seen through the benchmark's watch; "all assigned": from the first create to the last object carrying its shard label (creating them all took ${phases.map((p) => secs(p.createMs)).join(", ")} in the phases' order); "label patches after creation": shard-label changes the watch saw after an object was created (the sharder's patches). Cache, heap (after garbage collection) and RSS are each replica's own, read once converged; the sharder runs in one member, whose heap and RSS include its metadata-only cache of every object.`,
    "",
    table(header, rows),
    "",
    ...verdicts.map((v) => `- ${v}`),
    "",
  ].join("\n");
  const readme = table(
    ["replicas", "converged", "throughput", "vs 1 member", "cached per member", "heap per member"],
    phases.map((p) => [who(p), secs(p.convergedMs), `${throughput(p).toFixed(1)}/s`, oneOf(p) ? `${(throughput(p) / throughput(oneOf(p)!)).toFixed(2)}×` : "—", p.reports.map((r) => r.cached.toLocaleString("en")).join(" / "), p.reports.map((r) => mb(r.heapUsed)).join(" / ")]),
  );
  const date = machine.find(([k]) => k === "Date")?.[1]?.slice(0, 10) ?? "";
  return { results, readme: `Measured ${date} by \`npm run bench -- sharding\`: ${N.toLocaleString("en")} ShardItems, ${QPS} QPS per replica, reconciles held until every object is created and assigned (the time to assign is in [bench/RESULTS.md](bench/RESULTS.md), with the load of this shared 2-core machine).\n\n${readme}\n\n${verdicts.map((v) => `- ${v}`).join("\n")}`, verdicts };
}

async function main(): Promise<void> {
  const machine = machineRows().filter(([k]) => k !== "Date");
  log(`starting a minimal control plane (load ${loadAverage()})`);
  const cp = await benchControlPlane();
  const client = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity });
  const phases: Phase[] = [];
  try {
    await installCrds(client, [ShardItem]);
    for (const p of PHASES) phases.push(await phase(cp, client, p.mode, p.replicas));
  } finally {
    await client.close();
    await cp.stop();
    if (serving) rmSync(serving.dir, { recursive: true, force: true });
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
