// Peers: operant side by side with controller-runtime (Go) and @kubernetes/client-node, each scenario alternated in one run.
//
// npm run bench -- peers [--objects 10000] [--crs 1000] [--rounds 3] [--only memory,ingest,noop,latency,idle,missed,convergence,coldstart,webhook] [--dry-run]
//
// Absolute times drift on a shared machine; ratios measured in the same run,
// on the same API server, minutes apart, do not drift as much. So every
// scenario runs against operant and each peer alternately (operant, peer,
// operant, peer, … for --rounds rounds), each run in a fresh process, and the
// table gives each side's median (min–max) and the median of the per-round
// ratios (min–max).
//
// The peers, built here: a controller-runtime Memcached operator with
// operant's example's behaviour (bench/peers/controller-runtime, a Go module
// built on first use like the control plane), whose binary also has worker
// modes mirroring bench/runtime's workers; and @kubernetes/client-node's
// informer (bench/peers/client-node), the TypeScript baseline for cache
// memory, sync, ingest and missed events. operant's side runs bench/runtime's
// workers and examples/memcached bundled (dist/operator.mjs) as its image starts it.
//
// Two control planes, one after the other: `minimal` (etcd and API server
// only) for the cache, queue and latency scenarios, as bench/runtime — a
// `full` one would delete the Pod fixtures (they are bound to Nodes that do
// not exist, which the Pod garbage collector removes) and its controllers and
// kwok would add noise; then `full` (controller-manager, scheduler, kwok) for
// the operator scenarios, where Deployments must get running Pods. The
// webhook scenario (bench/peers/webhook.ts) gets a minimal control plane of
// its own (it installs a cluster-wide webhook configuration) and its own
// section of bench/RESULTS.md, `peers-webhook`, so that running it alone
// leaves the other figures as they were.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Client } from "../packages/operant/src/client/client.ts";
import { buildOperator } from "../packages/operant/src/cli/build/build.ts";
import { installCrds } from "../packages/operant/src/crd/index.ts";
import { ConfigMap, Namespace, Pod } from "../packages/operant/src/kinds/index.ts";
import { Informer } from "../packages/operant/src/runtime/cache/informer.ts";
import { freePort } from "../packages/operant/src/testing/control-plane/ports.ts";
import { CONTROL_PLANE_VERSIONS, ControlPlane, FaultProxy } from "../packages/operant/src/testing/index.ts";
import { writeReadmeSection, writeResultsSection } from "../scripts/bench.ts";
import { Memcached } from "../examples/memcached/src/api/memcached.ts";
import memcachedOperator from "../examples/memcached/src/operator.ts";
import { buildGoPeer, goPeerRequirement, goVersion } from "./peers/build.ts";
import { webhookScenario } from "./peers/webhook.ts";
import { realisticConfigMap, realisticPod, runningStatus } from "./runtime/fixtures.ts";
import { pool, runWorker } from "./support/process.ts";
import { loadAverage, machineRows, median, percentile, table } from "./support/report.ts";
import { benchControlPlane } from "./support/control-plane.ts";

const SCENARIOS = ["memory", "ingest", "noop", "latency", "idle", "missed", "convergence", "coldstart", "webhook"] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values: args } = parseArgs({
  options: {
    objects: { type: "string", default: "10000" },
    crs: { type: "string", default: "1000" },
    rounds: { type: "string", default: "3" },
    only: { type: "string" },
    "cr-rate-limiter": { type: "string", default: "shared" },
    "dry-run": { type: "boolean", default: false },
  },
});
const N = Number(args.objects);
const CR_RATE_LIMITER = args["cr-rate-limiter"];
if (CR_RATE_LIMITER !== "shared" && CR_RATE_LIMITER !== "per-type") throw new Error(`--cr-rate-limiter is shared or per-type, not "${CR_RATE_LIMITER}"`);
const CRS = Number(args.crs);
const ROUNDS = Number(args.rounds);
const only = args.only?.split(",").map((s) => s.trim()) as Scenario[] | undefined;
for (const s of only ?? []) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario "${s}"; known: ${SCENARIOS.join(", ")}`);
const wanted = (s: Scenario) => !only || only.includes(s);
const log = (m: string) => process.stderr.write(`[bench peers ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

const root = new URL("../", import.meta.url).pathname;
const runtimeWorker = (name: string) => join(root, "bench/runtime", name);
const clientNodeWorker = (name: string) => join(root, "bench/peers/client-node", name);
// The example as its image runs it: compiled to JavaScript (npm run build → dist/), NODE_ENV=production.
const MEMCACHED_DIR = join(root, "examples/memcached");
const MEMCACHED_MAIN = join(MEMCACHED_DIR, "dist/operator.mjs");
const LOG_DIR = join(tmpdir(), `operant-bench-peers-${process.pid}`);
/** Node's compile cache of the bundle, made as the image makes it (its Dockerfile runs `node operator.mjs --help` with NODE_COMPILE_CACHE set). */
const COMPILE_CACHE = join(LOG_DIR, "compile-cache");

type Peer = "operant" | "controller-runtime" | "client-node";

// ---- figures ----

interface Figure {
  label: string;
  format: (v: number) => string;
  /** Which way is better: lower (times, memory) or higher (throughput). */
  better: "lower" | "higher";
  /** Target on the operant ÷ peer ratio, per peer. */
  targets?: Partial<Record<Peer, number>>;
  /** Target on operant's own value (median of the rounds), whatever the peer's: at most this. */
  atMost?: number;
  /** values[peer][round] */
  values: Partial<Record<Peer, number[]>>;
}
const figures = new Map<string, Figure>();

function figure(id: string, spec: Omit<Figure, "values">): Figure {
  let f = figures.get(id);
  if (!f) figures.set(id, (f = { ...spec, values: {} }));
  return f;
}

function record(id: string, peer: Peer, round: number, value: number): void {
  const f = figures.get(id)!;
  (f.values[peer] ??= [])[round] = value;
}

const kb = (b: number) => `${(b / 1024).toFixed(2)} KB`;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms: number) => `${ms.toFixed(2)} ms`;
const perSecond = (n: number) => `${Math.round(n).toLocaleString("en")}/s`;
const count = (n: number) => n.toLocaleString("en");

function spread(xs: number[], format: (v: number) => string): string {
  const v = xs.filter((x) => x !== undefined && Number.isFinite(x));
  if (v.length === 0) return "—";
  if (v.length === 1) return format(v[0]!);
  return `${format(median(v))} (${format(Math.min(...v))}–${format(Math.max(...v))})`;
}

interface RowVerdict {
  cells: string[];
  target?: { ratio: number; met: boolean; better: "lower" | "higher"; limit: number };
}

/** A comparison row: operant vs `peer` on one figure, with per-round ratios. */
function compare(f: Figure, peer: Peer): RowVerdict | undefined {
  const a = f.values.operant ?? [];
  const b = f.values[peer] ?? [];
  if (b.length === 0 && a.length === 0) return undefined;
  const ratios: number[] = [];
  for (let r = 0; r < Math.max(a.length, b.length); r++) if (a[r] !== undefined && b[r] !== undefined && b[r] !== 0) ratios.push(a[r]! / b[r]!);
  const ratio = ratios.length ? median(ratios) : NaN;
  const limit = f.targets?.[peer];
  const ratioText = ratios.length === 0 ? "—" : ratios.length === 1 ? `${ratio.toFixed(2)}×` : `${ratio.toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
  let targetText = "";
  let target: RowVerdict["target"];
  if (limit !== undefined && ratios.length) {
    const met = f.better === "lower" ? ratio <= limit : ratio >= limit;
    target = { ratio, met, better: f.better, limit };
    targetText = `${f.better === "lower" ? "≤" : "≥"} ${limit}×: ${met ? "met" : "**missed**"}`;
  } else if (limit !== undefined) targetText = `${f.better === "lower" ? "≤" : "≥"} ${limit}×`;
  else if (f.atMost !== undefined && a.length) targetText = `≤ ${f.format(f.atMost)} (operant's own): ${median(a) <= f.atMost ? "met" : "**missed**"}`;
  return { cells: [f.label, spread(a, f.format), spread(b, f.format), ratioText, targetText], ...(target && { target }) };
}

// ---- processes ----

interface RunningOperator {
  peer: Peer;
  child: ChildProcess;
  spawnedAt: number;
  /** Resolves with ms since spawn when the controller logs that its workers start (caches synced). */
  workersStarted: Promise<number>;
  metricsUrl: string;
  stop(): Promise<void>;
}

/** Starts the Memcached operator of `peer` on `namespace`, its output in a log file. */
async function startOperator(peer: "operant" | "controller-runtime", kubeconfig: string, namespace: string, goPeer: string, tag: string): Promise<RunningOperator> {
  const metrics = `127.0.0.1:${await freePort()}`;
  const health = `127.0.0.1:${await freePort()}`;
  const file = createWriteStream(join(LOG_DIR, `${tag}.log`));
  const spawnedAt = performance.now();
  const env = bundleEnv();
  // The example's quota webhooks are off (--enable-webhooks false): the Go peer has none, so both run the controller alone.
  const child =
    peer === "operant"
      ? spawn(process.execPath, [MEMCACHED_MAIN, "--kubeconfig", kubeconfig, "--watch-namespace", namespace, "--metrics-bind-address", metrics, "--health-probe-bind-address", health, "--enable-webhooks", "false"], { stdio: ["ignore", "pipe", "pipe"], env })
      : spawn(goPeer, ["--mode", "memcached", "--kubeconfig", kubeconfig, "--namespace", namespace, "--metrics-bind-address", metrics, "--health-probe-bind-address", health, "--rate-limiter", CR_RATE_LIMITER], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = once(child, "exit");
  const workersStarted = new Promise<number>((resolve, reject) => {
    let tail = "";
    const scan = (d: Buffer) => {
      file.write(d);
      tail = (tail + d.toString()).slice(-4096);
      if (/starting workers/i.test(tail)) resolve(performance.now() - spawnedAt);
    };
    child.stdout.on("data", scan);
    child.stderr.on("data", scan);
    void exited.then(([code]) => reject(new Error(`${peer} operator exited (${String(code)}) before starting its workers; see ${join(LOG_DIR, `${tag}.log`)}`)));
  });
  workersStarted.catch(() => undefined);
  return {
    peer,
    child,
    spawnedAt,
    workersStarted,
    metricsUrl: `http://${metrics}/metrics`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      file.end();
    },
  };
}

/** The environment of the bundled operator, as its image sets it: production, the compile cache, operant's published form (not its TypeScript sources). */
function bundleEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_ENV: "production", NODE_COMPILE_CACHE: COMPILE_CACHE, NODE_OPTIONS: (process.env.NODE_OPTIONS ?? "").replace("--conditions=operant-source", "").trim() };
}

/** Bundles examples/memcached as its image does (npm run build = operant build → examples/memcached/dist/operator.mjs). */
async function buildMemcachedExample(): Promise<void> {
  log("bundling the memcached example as its image does (operant build → examples/memcached/dist/operator.mjs)");
  const built = await buildOperator(MEMCACHED_DIR);
  log(`  ${Math.round(built.bytes / 1024)} KiB from ${built.inputs} files`);
  // The image's last build step: Node's compile cache of the bundle, which every start then reads.
  const env = bundleEnv();
  const warm = spawnSync(process.execPath, [MEMCACHED_MAIN, "--help"], { env, encoding: "utf8" });
  if (warm.status !== 0) throw new Error(`node ${MEMCACHED_MAIN} --help (making its compile cache, as the image does) failed: ${warm.stderr}`);
}

/** Resident set size of a process (Linux: VmRSS of /proc/<pid>/status), in bytes. */
function residentBytes(pid: number): number {
  const kB = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (kB === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kB) * 1024;
}

/** Sum of `controller_runtime_reconcile_total{controller="<name>",…}` on a metrics page. */
async function reconcileTotal(url: string, controller: string): Promise<number> {
  const text = await (await fetch(url)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("controller_runtime_reconcile_total{") && line.includes(`controller="${controller}"`)) total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

// ---- main ----

async function main(): Promise<void> {
  const machine = machineRows();
  await import("node:fs/promises").then((fs) => fs.mkdir(LOG_DIR, { recursive: true }));
  const goPeer = await buildGoPeer(log);
  const go = await goVersion();
  const clientNodeVersion = (JSON.parse(readFileSync(join(root, "node_modules/@kubernetes/client-node/package.json"), "utf8")) as { version: string }).version;
  const notes: string[] = [];
  const webhookNotes: string[] = [];
  const missedRows: string[][] = [];

  const phase1 = (["memory", "ingest", "noop", "latency", "idle", "missed"] as const).some(wanted);
  const phase2 = (["convergence", "coldstart"] as const).some(wanted);

  if (phase1) {
    log(`starting a minimal control plane (load ${loadAverage()})`);
    const cp = await benchControlPlane();
    const kc = cp.kubeconfigPath;
    const client = await Client.connect({ kubeconfig: kc, qps: Infinity });
    try {
      for (const ns of ["bench-pods", "bench-cms", "bench-idle", "bench-lat", "peers-missed"]) await client.create(Namespace, { metadata: { name: ns } });
      if (wanted("memory") || wanted("ingest")) {
        log(`seeding ${N} Pods (create + kubelet-like status)…`);
        await pool([...Array(N).keys()], 48, async (i) => {
          const pod = await client.create(Pod, realisticPod("bench-pods", i));
          await client.patch(Pod, { namespace: "bench-pods", name: pod.metadata.name }, { status: runningStatus(i) }, { subresource: "status", fieldManager: "kubelet" });
        });
      }
      if (wanted("memory") || wanted("noop")) {
        log(`seeding ${N} ConfigMaps…`);
        await pool([...Array(N).keys()], 48, (i) => client.create(ConfigMap, realisticConfigMap("bench-cms", i)));
      }
      for (let i = 0; i < 10; i++) await client.create(ConfigMap, realisticConfigMap("bench-idle", i));
      for (let i = 0; i < 20; i++) await client.create(ConfigMap, realisticConfigMap("bench-lat", i));
      for (let i = 0; i < 50; i++) await client.create(ConfigMap, { metadata: { name: `watched-${i}`, namespace: "peers-missed", annotations: { "bench/seq": "0" } }, data: { v: "0" } });

      if (wanted("memory")) {
        type Mem = { count: number; syncMs: number; heapPerObject: number; rssPerObject: number; peakHeap: number; baseHeap: number; peakRss: number; steadyRss: number };
        for (const [kind, ns, label] of [["pods", "bench-pods", "Pod"], ["configmaps", "bench-cms", "ConfigMap"]] as const) {
          const n = (await client.list(kind === "pods" ? Pod : ConfigMap, { namespace: ns })).items.length;
          figure(`heap-${kind}`, { label: `heap per cached ${label} (${count(n)} cached)`, format: kb, better: "lower", targets: { "controller-runtime": 1.2, "client-node": 1 } });
          figure(`rss-${kind}`, { label: `RSS per cached ${label}`, format: kb, better: "lower" });
          figure(`sync-${kind}`, { label: `initial sync of ${count(n)} ${label}s`, format: seconds, better: "lower", targets: { "controller-runtime": 1.0 } });
          figure(`peakheap-${kind}`, { label: `${label} sync: peak heap growth`, format: mb, better: "lower" });
          figure(`peakrss-${kind}`, { label: `${label} sync: peak RSS`, format: mb, better: "lower", ...(kind === "pods" && { targets: { "controller-runtime": 1.0 } }) });
          for (let r = 0; r < ROUNDS; r++) {
            for (const peer of ["operant", "controller-runtime", "client-node"] as const) {
              log(`memory ${label}s, round ${r + 1}/${ROUNDS}: ${peer}`);
              const m =
                peer === "operant"
                  ? await runWorker<Mem>(runtimeWorker("cache-memory.ts"), [kc, kind, ns])
                  : peer === "controller-runtime"
                    ? await runWorker<Mem>(goPeer, ["--mode", "informer", "--kubeconfig", kc, "--namespace", ns, "--kind", kind, "--qps", "-1"])
                    : await runWorker<Mem>(clientNodeWorker("informer.ts"), [kc, kind, ns]);
              if (m.count !== n) throw new Error(`${peer} cached ${m.count} ${label}s, expected ${n}`);
              record(`heap-${kind}`, peer, r, m.heapPerObject);
              record(`rss-${kind}`, peer, r, m.rssPerObject);
              record(`sync-${kind}`, peer, r, m.syncMs);
              record(`peakheap-${kind}`, peer, r, m.peakHeap - m.baseHeap);
              record(`peakrss-${kind}`, peer, r, m.peakRss);
            }
          }
        }
        notes.push(
          "Memory per object is the live heap after garbage collection (V8 `heapUsed`, Go `HeapAlloc`) with the cache synced, minus the same before it started, divided by the objects cached; RSS per object is the resident-set growth over the same interval (Go's includes heap its collector has not yet returned to the OS, V8's likewise). operant and controller-runtime drop managedFields (their default transform, and `cache.TransformStripManagedFields()`); client-node has no transform and keeps objects as received. The informers sync with each library's defaults: operant lists in pages of 500, client-go (WatchListClient on by default since v1.35) streams the initial list in a watch, client-node lists everything in one request.",
        );
      }

      if (wanted("ingest")) {
        const podsFile = join(tmpdir(), `operant-bench-peers-pods-${process.pid}.json`);
        const recorded = await client.transport.request<{ items: unknown[] }>({ method: "GET", path: "/api/v1/namespaces/bench-pods/pods", query: { limit: 2000 } });
        writeFileSync(podsFile, JSON.stringify(recorded.body));
        const events = 50_000;
        figure("ingest", { label: `watch ingest (${count(events)} MODIFIED Pod events, replayed)`, format: perSecond, better: "higher" });
        for (let r = 0; r < ROUNDS; r++) {
          for (const peer of ["operant", "controller-runtime", "client-node"] as const) {
            log(`ingest, round ${r + 1}/${ROUNDS}: ${peer}`);
            const server = spawn(process.execPath, [runtimeWorker("replay-server.ts"), podsFile, String(events)], { stdio: ["ignore", "pipe", "inherit"] });
            const [first] = (await once(server.stdout, "data")) as [Buffer];
            const { port } = JSON.parse(first.toString()) as { port: number };
            try {
              const res =
                peer === "operant"
                  ? await runWorker<{ perSecond: number }>(runtimeWorker("ingest.ts"), [String(port), String(events)])
                  : peer === "controller-runtime"
                    ? await runWorker<{ perSecond: number }>(goPeer, ["--mode", "ingest", "--server", `http://127.0.0.1:${port}`, "--expected", String(events)])
                    : await runWorker<{ perSecond: number }>(clientNodeWorker("ingest.ts"), [String(port), String(events)]);
              record("ingest", peer, r, res.perSecond);
            } finally {
              server.kill();
            }
          }
        }
        notes.push("Watch ingest replays Pods recorded from the API server (managedFields included) as MODIFIED events over plain HTTP, as fast as the client reads them (bench/runtime/replay-server.ts): parse, transform, store and notify, on the process's own cores (Go's decoding may use both; Node.js parses on one). The replay server speaks JSON only, so here client-go decodes JSON too, its slow path; against the API server controller-runtime asks for protobuf for built-in kinds.");
      }

      if (wanted("noop")) {
        const n = (await client.list(ConfigMap, { namespace: "bench-cms" })).items.length;
        figure("noop", { label: `no-op reconciles over ${count(n)} cached keys (1 worker)`, format: perSecond, better: "higher", targets: { "controller-runtime": 0.8 } });
        for (let r = 0; r < ROUNDS; r++) {
          for (const peer of ["operant", "controller-runtime"] as const) {
            log(`no-op throughput, round ${r + 1}/${ROUNDS}: ${peer}`);
            const res =
              peer === "operant"
                ? await runWorker<{ perSecond: number }>(runtimeWorker("noop.ts"), [kc, "bench-cms", String(n)])
                : await runWorker<{ perSecond: number }>(goPeer, ["--mode", "noop", "--kubeconfig", kc, "--namespace", "bench-cms", "--expected", String(n), "--qps", "-1"]);
            record("noop", peer, r, res.perSecond);
          }
        }
        notes.push("No-op throughput: a controller whose reconcile only reads its object from the cache (controller-runtime's reconciler gets a key and calls `Get`; operant's gets the cached object), over every ConfigMap of a namespace, from the first reconcile to the last; the initial list fills the queue.");
      }

      if (wanted("latency")) {
        const events = 3000;
        const rate = 100;
        figure("lat-p50", { label: `event → reconcile p50 (${rate} events/s)`, format: millis, better: "lower" });
        figure("lat-p99", { label: `event → reconcile p99 (${rate} events/s)`, format: millis, better: "lower", targets: { "controller-runtime": 1.2 } });
        figure("e2e-p50", { label: "write → reconcile p50 (API server and watch included)", format: millis, better: "lower" });
        figure("e2e-p99", { label: "write → reconcile p99 (API server and watch included)", format: millis, better: "lower" });
        for (let r = 0; r < ROUNDS; r++) {
          for (const peer of ["operant", "controller-runtime"] as const) {
            log(`latency, round ${r + 1}/${ROUNDS}: ${peer}`);
            let ready: () => void;
            const isReady = new Promise<void>((resolve) => (ready = resolve));
            const onLine = (l: unknown) => (l as { ready?: boolean }).ready && ready();
            let child: ChildProcess | undefined;
            const result =
              peer === "operant"
                ? runWorker<{ framework: number[]; endToEnd: number[] }>(runtimeWorker("latency.ts"), [kc, "bench-lat", String(events)], { onLine })
                : runWorker<{ framework: number[]; endToEnd: number[] }>(goPeer, ["--mode", "latency", "--kubeconfig", kc, "--namespace", "bench-lat", "--expected", String(events), "--qps", "-1"], { onLine, onSpawn: (c) => (child = c) });
            await Promise.race([isReady, result]);
            await runWorker(runtimeWorker("writer.ts"), [kc, "bench-lat", "20", String(rate), String(events)], { gc: false });
            // The Go worker reports what it matched when its stdin closes (an event whose update was coalesced with the next is never matched).
            const timer = setTimeout(() => child?.stdin?.end(), 10_000);
            const { framework, endToEnd } = await result;
            clearTimeout(timer);
            record("lat-p50", peer, r, percentile(framework, 50));
            record("lat-p99", peer, r, percentile(framework, 99));
            record("e2e-p50", peer, r, percentile(endToEnd, 50));
            record("e2e-p99", peer, r, percentile(endToEnd, 99));
          }
        }
        notes.push(`Latency: another process patches 20 ConfigMaps round-robin at ${rate}/s (${count(events)} patches per run); "event → reconcile" is from the informer handing the event to handlers (a handler of the benchmark's own, next to the controller's) to the reconcile starting, 2 workers; "write → reconcile" is from the patch being sent.`);
      }

      if (wanted("idle")) {
        figure("idle-rss", { label: "idle RSS, a manager with one controller (10 ConfigMaps; operant from TypeScript source)", format: mb, better: "lower" });
        figure("idle-heap", { label: "idle heap (live, after GC)", format: mb, better: "lower" });
        for (let r = 0; r < ROUNDS; r++) {
          for (const peer of ["operant", "controller-runtime"] as const) {
            log(`idle, round ${r + 1}/${ROUNDS}: ${peer}`);
            const res =
              peer === "operant"
                ? await runWorker<{ rss: number; heapUsed: number }>(runtimeWorker("idle.mjs"), [kc, "bench-idle", "10"], { env: { NODE_OPTIONS: "--conditions=operant-source" } })
                : await runWorker<{ rss: number; heapUsed: number }>(goPeer, ["--mode", "idle", "--kubeconfig", kc, "--namespace", "bench-idle", "--settle", "10"]);
            record("idle-rss", peer, r, res.rss);
            record("idle-heap", peer, r, res.heapUsed);
          }
        }
        // The memcached operator as its image starts it (the bundle, NODE_ENV=production), idle on an empty namespace.
        figure("idle-operator-rss", { label: "idle RSS, the memcached operator as its image starts it (empty namespace)", format: mb, better: "lower", atMost: 60 * 2 ** 20 });
        await buildMemcachedExample();
        await installCrds(client, memcachedOperator.resources);
        await client.create(Namespace, { metadata: { name: "bench-idle-op" } });
        for (let r = 0; r < ROUNDS; r++) {
          for (const peer of ["operant", "controller-runtime"] as const) {
            log(`idle operator, round ${r + 1}/${ROUNDS}: ${peer}`);
            const op = await startOperator(peer, kc, "bench-idle-op", goPeer, `idle-${peer}-${r}`);
            try {
              await op.workersStarted;
              await sleep(10_000);
              record("idle-operator-rss", peer, r, residentBytes(op.child.pid!));
            } finally {
              await op.stop();
            }
          }
        }
        notes.push("Idle RSS: \"a manager with one controller\" is bench/runtime/idle.mjs loading operant from its TypeScript sources; \"the memcached operator as its image starts it\" is examples/memcached bundled into dist/operator.mjs (npm run build = operant build, as its Dockerfile does; one file, no node_modules), run with NODE_ENV=production and Node's compile cache of the bundle (made by `node operator.mjs --help` with NODE_COMPILE_CACHE set, the Dockerfile's last step) on an empty namespace, its resident set (VmRSS) read 10 s after its workers started; the Go peer the same way.");
      }

      if (wanted("missed")) {
        missedRows.push(...(await missedEvents(client, cp.server, kc, goPeer)));
      }
    } finally {
      await client.close();
      await cp.stop();
    }
  }

  if (phase2) {
    log("building operant's published form (tsc → packages/operant/dist), which the operator process loads");
    const tsc = spawn(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "packages/operant/tsconfig.build.json")], { stdio: "inherit" });
    const [tscCode] = (await once(tsc, "exit")) as [number | null];
    if (tscCode !== 0) throw new Error("building packages/operant/dist failed (see tsc's output above)");
    await buildMemcachedExample();
    const nodes = Math.max(3, Math.ceil((2.3 * CRS) / 110));
    log(`starting a full control plane with ${nodes} Nodes (load ${loadAverage()})`);
    const cp = await ControlPlane.start({ profile: "full", nodes });
    const kc = cp.kubeconfigPath;
    const client = await Client.connect({ kubeconfig: kc, qps: Infinity });
    try {
      await installCrds(client, memcachedOperator.resources);
      if (wanted("convergence")) {
        figure("converge-nodes", { label: `${count(CRS)} Memcached CRs created at once → every status.nodes filled`, format: seconds, better: "lower", targets: { "controller-runtime": 1.0 } });
        figure("converge-available", { label: `${count(CRS)} Memcached CRs → every Available condition True`, format: seconds, better: "lower" });
        figure("converge-writes", { label: "the operator's writes meanwhile (Memcacheds, Deployment applies)", format: count, better: "lower" });
        for (let r = 0; r < ROUNDS; r++) {
          for (const peer of ["operant", "controller-runtime"] as const) {
            log(`convergence, round ${r + 1}/${ROUNDS}: ${peer}`);
            const res = await converge(client, kc, peer, `conv-${peer === "operant" ? "op" : "cr"}-${r}`, goPeer, { cleanup: true });
            record("converge-nodes", peer, r, res.nodesMs);
            record("converge-available", peer, r, res.availableMs);
            record("converge-writes", peer, r, res.writes);
          }
        }
        notes.push(`Convergence: each operator runs as its own process on a namespace of its own (operant: examples/memcached bundled by operant build into dist/operator.mjs and run with NODE_ENV=production and --watch-namespace, operant's published form, dist/, bundled into it, as its image does; controller-runtime: the Go peer), client QPS 20 / burst 30 for the whole process (operant's defaults; the Go peer shares one token bucket among its clients${CR_RATE_LIMITER === "shared" ? "" : " — not in this run: --cr-rate-limiter per-type gave it client-go's default, a bucket per API type"}), 1 worker, managedFields stripped, Pods cached by label. Once its workers have started, ${count(CRS)} Memcacheds of size 1 are created by 50 concurrent requests; the time runs from the first create to every Memcached's status.nodes listing its Pod (and to every Available condition True). The controller-manager's Deployment and ReplicaSet controllers (their own client limits) and kwok (the Pods' kubelet) are part of the path, the same for both. Between runs the namespace is deleted and the next run waits until it is gone.`);
      }
      if (wanted("coldstart")) {
        figure("cold-workers", { label: `cold start → workers started (${count(CRS)} Memcacheds, ${count(CRS)} Deployments and Pods cached)`, format: seconds, better: "lower" });
        figure("cold-first", { label: `cold start → first reconcile done (${count(CRS)} Memcacheds present)`, format: seconds, better: "lower", targets: { "controller-runtime": 1.0 } });
        log(`cold start: preparing ${CRS} converged Memcacheds`);
        await converge(client, kc, "operant", "cold", goPeer, { cleanup: false });
        await sleep(5000);
        for (let r = 0; r < ROUNDS; r++) {
          for (const peer of ["operant", "controller-runtime"] as const) {
            log(`cold start, round ${r + 1}/${ROUNDS}: ${peer}`);
            const op = await startOperator(peer, kc, "cold", goPeer, `cold-${peer}-${r}`);
            try {
              const workers = await op.workersStarted;
              let first: number | undefined;
              while (first === undefined) {
                const total = await reconcileTotal(op.metricsUrl, "memcached").catch(() => 0);
                if (total >= 1) first = performance.now() - op.spawnedAt;
                else await sleep(2);
              }
              record("cold-workers", peer, r, workers);
              record("cold-first", peer, r, first);
            } finally {
              await op.stop();
            }
            await sleep(3000);
          }
        }
        notes.push(`Cold start: the operator process is spawned against a namespace holding ${count(CRS)} converged Memcacheds (each with its Deployment and running Pod); "workers started" is when it logs that its caches synced and its workers start (operant: "caches synced, starting workers"; controller-runtime: "Starting workers"), "first reconcile done" when its /metrics first shows controller_runtime_reconcile_total ≥ 1 (polled every few ms, only after the workers started). As in convergence, operant's process runs the example as its image does: the one bundled file (dist/operator.mjs; no TypeScript stripped, no modules resolved at startup).`);
      }
    } finally {
      await client.close();
      await cp.stop();
    }
  }

  if (wanted("webhook")) {
    log(`webhook: starting a minimal control plane (load ${loadAverage()})`);
    // No watch cache: lists at a non-storage version then reach the conversion webhook (see bench/peers/webhook.ts).
    const cp = await ControlPlane.start({ profile: "minimal", apiServerFlags: ["--watch-cache=false"] });
    const client = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity });
    const rates = [50, 200];
    for (const rate of rates) {
      figure(`wh-p50-${rate}`, { label: `admission round trip p50 at ${rate}/s`, format: millis, better: "lower" });
      figure(`wh-p99-${rate}`, { label: `admission round trip p99 at ${rate}/s`, format: millis, better: "lower", targets: { "controller-runtime": 1.0 } });
      figure(`wh-cpu-${rate}`, { label: `webhook server CPU per admission request at ${rate}/s`, format: millis, better: "lower" });
    }
    figure("wh-conv", { label: "conversion: objects read at the non-storage version (list of 1,000)", format: perSecond, better: "higher" });
    figure("wh-conv-cpu", { label: "webhook server CPU per object converted", format: (ms) => `${(ms * 1000).toFixed(1)} µs`, better: "lower" });
    const failures: string[] = [];
    try {
      await webhookScenario({
        client,
        goPeer,
        rounds: ROUNDS,
        rates,
        log,
        onResult: (peer, r, res) => {
          for (const rate of rates) {
            const a = res.admission[rate]!;
            record(`wh-p50-${rate}`, peer, r, a.p50);
            record(`wh-p99-${rate}`, peer, r, a.p99);
            record(`wh-cpu-${rate}`, peer, r, a.cpuMs);
            if (a.failures) failures.push(`${peer}, round ${r + 1}, ${rate}/s: ${a.failures} of ${a.requests}`);
          }
          record("wh-conv", peer, r, res.conversion.objectsPerSecond);
          record("wh-conv-cpu", peer, r, res.conversion.cpuMsPerObject);
        },
      });
    } finally {
      await client.close();
      await cp.stop();
    }
    webhookNotes.push(failures.length ? `Failed admission requests (other than the one in ten the webhook denies): ${failures.join("; ")}.` : "No admission request failed in any round (one in ten is denied by the webhook, as asked).");
  }

  // ---- report ----
  const crRows: RowVerdict[] = [];
  const cnRows: RowVerdict[] = [];
  const whRows: RowVerdict[] = [];
  for (const [id, f] of figures) {
    if (id.startsWith("wh-")) {
      const row = compare(f, "controller-runtime");
      if (row) whRows.push(row);
      continue;
    }
    if (f.values["controller-runtime"]) {
      const row = compare(f, "controller-runtime");
      if (row) crRows.push(row);
    }
    if (f.values["client-node"]) {
      const row = compare(f, "client-node");
      if (row) cnRows.push(row);
    }
  }
  const versions: [string, string][] = [
    ["Kubernetes (control plane)", CONTROL_PLANE_VERSIONS.kubernetes],
    ["Go", go],
    ["controller-runtime", `${goPeerRequirement("sigs.k8s.io/controller-runtime")} (client-go ${goPeerRequirement("k8s.io/client-go")})`],
    ["@kubernetes/client-node", clientNodeVersion],
    ["Rounds", `${ROUNDS} (objects ${count(N)}, Memcacheds ${count(CRS)})`],
  ];
  const header = ["figure", "operant", "", "operant ÷ peer", "target"];
  const markdown = [
    "## Peers: operant vs controller-runtime and @kubernetes/client-node",
    "",
    "Measured by [`bench/peers.ts`](peers.ts): `npm run bench -- peers`. Each scenario runs against operant and each peer alternately, in fresh processes, on the same local control plane; a cell is the median of the rounds (min–max), the ratio the median of the per-round ratios operant ÷ peer (min–max).",
    "",
    table(["", "value"], [...machine, ...versions]),
    "",
    ...(crRows.length ? ["### operant vs controller-runtime (Go)", "", table(header.map((h) => (h === "" ? "controller-runtime" : h)), crRows.map((r) => r.cells)), ""] : []),
    ...(cnRows.length ? ["### operant vs @kubernetes/client-node", "", table(header.map((h) => (h === "" ? "client-node" : h)), cnRows.map((r) => r.cells)), ""] : []),
    ...(missedRows.length
      ? ["### Missed events: caches under cut connections", "", table(["informer", "cuts (one a second)", "watch errors reported", "cache converged", "stale objects", "updates seen ÷ written"], missedRows), ""]
      : []),
    ...notes.flatMap((n) => [n, ""]),
    "Where operant misses a target, and why. Initial sync (profiled 2026-12-07 09:00 on 10,000 Pods, protobuf, initial list streamed, decoded straight into the cache's form; bench/RESULTS.md \"protobuf\" has the floors): of the worker's 3.3 s of samples (its start from TypeScript source, 0.46 s, and the measurement included), 0.71 s waiting on the API server, 0.49 s garbage collection (every decoded object survives into the cache, so each young-generation collection copies them), 0.40 s moving bytes and frames through the HTTP/2 stream and the watch's async stages, 0.38 s in the generated decoders and wire reads, 0.30 s decoding strings, 0.16 s in the cache's store and indexes, 0.04 s freezing and 0.04 s interning (both now inside the decoders). Go decodes on one core while its collector runs on the other; Node.js does all of it on one. Cold start: Node.js starting and loading the operator (one bundled file, its compiled code from Node's compile cache as in the image) before the same lists and watches. Idle RSS: an empty Node.js 24 process is 43 MB resident (most of it the node binary's own pages), one with only a TLS client and an HTTP server 55 MB; the bundled operator adds its heap (about 15 MB live: the bundle's source, 1.5 MB, and its compiled code among it) and the allocator's arenas.",
    "",
    "Known differences of protocol and setup, true of every run: operant and controller-runtime both read built-in kinds as protobuf (JSON for custom resources), client-node uses JSON; operant and client-go both stream initial lists (WatchList) where the server offers it; the Go peer runs on both cores (GOMAXPROCS 2), Node.js runs JavaScript on one; and a Node.js process must compile its code at start (the bundled operator is one file; unbundled, operant's dependency graph is some 850 modules) where a Go binary starts at once.",
    "",
    `Load average at the end: ${loadAverage()}.`,
  ].join("\n");
  if (phase1 || phase2) {
    process.stdout.write(`\n${markdown}\n`);
    if (!args["dry-run"]) {
      writeResultsSection("peers", markdown);
      writeReadmeSection("peers", readmeSummary(machine, crRows, cnRows));
    }
  }
  if (whRows.length) {
    const webhookMarkdown = [
      "## Peers: webhook servers, operant vs controller-runtime",
      "",
      "Measured by [`bench/peers.ts`](peers.ts) with [`bench/peers/webhook.ts`](peers/webhook.ts): `npm run bench -- peers --only webhook`. operant's `WebhookServer` and controller-runtime's `webhook.Server` (`admission.WithValidator` over a typed Gadget, and the hub-and-spoke conversion handler), each in a process of its own serving the same validating webhook and conversion on one loopback port, one after the other (operant, controller-runtime, operant, …), called by the API server of a local control plane: the ValidatingWebhookConfiguration and the CRD's conversion have `clientConfig.url` on loopback. A cell is the median of the rounds (min–max), the ratio the median of the per-round ratios operant ÷ controller-runtime.",
      "",
      table(["", "value"], [...machine, ...versions.filter(([k]) => k !== "@kubernetes/client-node" && k !== "Rounds"), ["Rounds", String(ROUNDS)]]),
      "",
      table(header.map((h) => (h === "" ? "controller-runtime" : h)), whRows.map((r) => r.cells)),
      "",
      "Admission: an open-loop client in the benchmark's process sends dry-run creates of Gadgets through the API server, 15 s at 50/s, then 15 s at 200/s, after 300 warm-up requests; a round trip runs from when the request was due to its answer (API server, webhook call and response), so queueing counts. One request in ten asks for too many replicas and is denied by the webhook. CPU per request is the webhook server process's utime + stime (`/proc/<pid>/stat`) over the paced phase, divided by the requests sent; it includes TLS and everything else the process did meanwhile (Go's garbage collector, V8's). Conversion: the 1,000 Gadgets stored at v1 (the hub) listed at v1alpha1, five times (the API server, reading from etcd, converts each object in a webhook call of its own: a list is 1,000 calls); objects per second from the median list time (the API server's share included), CPU per object from the server process over the five lists. The API server runs without its watch cache (`--watch-cache=false`): with it, every served version of a CRD has a cache of its own, filled once by conversion, and lists read from it never reach the webhook.",
      "",
      "Known differences: both servers offer HTTP/2, which the API server's webhook client negotiates (one connection, concurrent calls as streams; operant's served HTTP/1.1 only until this benchmark showed the cost: a TLS handshake per concurrent call); the Go process runs on both cores, Node.js runs JavaScript on one; the API server, etcd, the client and the server share the machine's two cores, with other work on the machine (see the load average).",
      "",
      ...webhookNotes.flatMap((n) => [n, ""]),
      "History (2026-12-07, this machine, load 9–16): with operant's server on HTTP/1.1 only, the API server opened a connection — a TLS handshake — per concurrent call and dropped those beyond its idle pool, so at 200/s operant's CPU per request rose to 1.01 ms (controller-runtime, on HTTP/2: 0.43 ms), its p99 was 3.14× controller-runtime's and 57 of 3,000 calls timed out in one round; serving HTTP/2 brought it to 0.39–0.40 ms. At 200/s both servers are far below a core; what saturates is the machine (API server, etcd, the paced client and other work on two cores), so the 200/s figures swing by whole seconds between rounds, and in the most loaded run calls of both servers timed out (operant 633 and 152 of 3,000, controller-runtime 72).",
      "",
      `Load average at the end: ${loadAverage()}.`,
    ].join("\n");
    process.stdout.write(`\n${webhookMarkdown}\n`);
    if (!args["dry-run"]) writeResultsSection("peers-webhook", webhookMarkdown);
  }
}

/** The README's view of a run: the two comparison tables, where they came from, and where the rest is. */
function readmeSummary(machine: [string, string][], crRows: RowVerdict[], cnRows: RowVerdict[]): string {
  const fact = (name: string) => machine.find(([k]) => k === name)?.[1] ?? "?";
  const header = (peer: string) => ["figure", "operant", peer, "operant ÷ peer", "target"];
  return [
    `Measured ${fact("Date").slice(0, 10)} on ${fact("CPU")} (${fact("Memory")}) by \`npm run bench -- peers\`, which builds the peers here and runs every scenario against operant and each peer alternately on one local control plane; each cell is the median of ${ROUNDS} rounds (min–max). Setup, versions, caveats and the missed-events table: [bench/RESULTS.md](bench/RESULTS.md).`,
    "",
    ...(crRows.length ? [`**vs controller-runtime ${goPeerRequirement("sigs.k8s.io/controller-runtime")} (Go)**`, "", table(header("controller-runtime"), crRows.map((r) => r.cells)), ""] : []),
    ...(cnRows.length ? ["**vs @kubernetes/client-node's informer**", "", table(header("client-node"), cnRows.map((r) => r.cells))] : []),
  ].join("\n");
}

/** apiserver_request_total by "VERB group/resource[/subresource]" (all clients), from the API server's /metrics. */
async function apiRequests(client: Client): Promise<Map<string, number>> {
  const res = await client.transport.stream({ method: "GET", path: "/metrics", accept: "text/plain" });
  let text = "";
  for await (const chunk of res.body as AsyncIterable<Buffer>) text += chunk.toString();
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const labels: Record<string, string | undefined> = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const key = `${labels.verb ?? ""} ${labels.group ? `${labels.group}/` : ""}${labels.resource ?? ""}${labels.subresource ? `/${labels.subresource}` : ""}`;
    out.set(key, (out.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return out;
}

/** Creates `CRS` Memcacheds in `namespace` with `peer`'s operator running; returns the convergence times. */
async function converge(client: Client, kc: string, peer: "operant" | "controller-runtime", namespace: string, goPeer: string, options: { cleanup: boolean }): Promise<{ nodesMs: number; availableMs: number; writes: number }> {
  await client.create(Namespace, { metadata: { name: namespace } });
  const op = await startOperator(peer, kc, namespace, goPeer, `${namespace}-${peer}`);
  const ac = new AbortController();
  try {
    await op.workersStarted;
    const filled = new Set<string>();
    const available = new Set<string>();
    let nodesAt = 0;
    let availableAt = 0;
    let resolveDone: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const observer = new Informer(client, Memcached, { namespaces: [namespace] });
    const check = (mc: { metadata: { name: string }; spec: { size: number }; status?: { nodes?: readonly string[]; conditions?: readonly { type: string; status: string }[] } }) => {
      const name = mc.metadata.name;
      if (!filled.has(name) && (mc.status?.nodes?.length ?? 0) >= mc.spec.size) {
        filled.add(name);
        if (filled.size === CRS) nodesAt = performance.now();
      }
      if (!available.has(name) && mc.status?.conditions?.some((c) => c.type === "Available" && c.status === "True")) {
        available.add(name);
        if (available.size === CRS) availableAt = performance.now();
      }
      if (nodesAt && availableAt) resolveDone();
    };
    observer.addHandler({ added: check, updated: (_p, mc) => check(mc) });
    observer.start(ac.signal);
    await observer.waitForSync();
    const before = await apiRequests(client);
    const t0 = performance.now();
    await pool([...Array(CRS).keys()], 50, (i) => client.create(Memcached, { metadata: { name: `mc-${i}`, namespace }, spec: { size: 1 } }));
    const limitMs = Math.max(600_000, CRS * 1000);
    const progress = setInterval(() => log(`  ${peer}: ${filled.size}/${CRS} status.nodes filled, ${available.size} Available after ${((performance.now() - t0) / 1000).toFixed(0)} s`), 30_000);
    // The deadline's timer is cancelled once the race is decided: left running, it held the process
    // alive for up to limitMs after the report was written (the benchmark never exited by itself).
    const deadline = new AbortController();
    try {
      await Promise.race([done, sleep(limitMs, undefined, { signal: deadline.signal }).then(() => Promise.reject(new Error(`${peer}: ${filled.size}/${CRS} converged after ${limitMs / 1000} s`)))]);
    } finally {
      deadline.abort();
      clearInterval(progress);
    }
    const after = await apiRequests(client);
    // The operator's writes: to Memcacheds (finalizer, status) and applies of Deployments; the Memcached creates are the benchmark's.
    let writes = -CRS;
    for (const [key, n] of after) if (/^(PATCH|APPLY|PUT|POST|DELETE) cache\.example\.com\/memcacheds|^APPLY apps\/deployments$/.test(key)) writes += n - (before.get(key) ?? 0);
    const res = { nodesMs: nodesAt - t0, availableMs: availableAt - t0, writes };
    log(`  ${peer}: nodes ${(res.nodesMs / 1000).toFixed(1)} s, available ${(res.availableMs / 1000).toFixed(1)} s, ${writes} writes to Memcacheds and Deployments`);
    return res;
  } finally {
    ac.abort();
    await op.stop();
    if (options.cleanup) await removeNamespace(client, namespace);
  }
}

/** Removes the Memcacheds' finalizers (their operator is stopped), deletes the namespace and waits until it is gone. */
async function removeNamespace(client: Client, namespace: string): Promise<void> {
  const started = performance.now();
  const list = await client.list(Memcached, { namespace });
  await pool(list.items, 50, (mc) => client.patch(Memcached, { namespace, name: mc.metadata.name }, { metadata: { finalizers: null } }).catch(() => undefined));
  await client.delete(Namespace, { name: namespace });
  for (;;) {
    if ((await client.tryGet(Namespace, { name: namespace })) === undefined) break;
    if (performance.now() - started > 900_000) throw new Error(`namespace ${namespace} still there after 15 min`);
    await sleep(1000);
  }
  log(`  namespace ${namespace} deleted in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * Each informer watches 50 ConfigMaps through a FaultProxy that cuts every
 * connection once a second while another client patches them (1,000 patches
 * at 100/s); then the cache must converge on what the API server holds.
 */
async function missedEvents(client: Client, server: string, kc: string, goPeer: string): Promise<string[][]> {
  const proxy = await FaultProxy.start(server);
  const proxied = await proxy.kubeconfig(kc);
  const rows: string[][] = [];
  const objects = 50;
  const writes = 1000;
  let seq = 0;
  const variants = [
    { label: "operant Informer (defaults)", command: join(root, "bench/peers/operant/missed.ts"), argv: [proxied, "peers-missed"] },
    { label: "controller-runtime cache (client-go reflector)", command: goPeer, argv: ["--mode", "missed", "--kubeconfig", proxied, "--namespace", "peers-missed", "--qps", "-1"] },
    { label: "client-node informer, restarted 5 s after an error (its example's handler)", command: clientNodeWorker("missed.ts"), argv: [proxied, "peers-missed", "documented"] },
    { label: "client-node informer, no error handler", command: clientNodeWorker("missed.ts"), argv: [proxied, "peers-missed", "bare"] },
  ];
  try {
    for (const v of variants) {
      log(`missed events: ${v.label}`);
      type Report = { state: Record<string, string>; seen: Record<string, string[]>; events: number; errors: number | string };
      let ready: () => void;
      const isReady = new Promise<void>((resolve) => (ready = resolve));
      let waiting: ((r: Report) => void) | undefined;
      let child: ChildProcess | undefined;
      const done = runWorker<Report>(v.command, v.argv, {
        gc: false,
        onSpawn: (c) => (child = c),
        onLine: (l) => {
          if ((l as { ready?: boolean }).ready) ready();
          else waiting?.(l as Report);
        },
      });
      await Promise.race([isReady, done]);
      const ask = () =>
        new Promise<Report>((resolve) => {
          waiting = resolve;
          child!.stdin!.write("report\n");
        });
      // Writes, with every connection through the proxy cut once a second.
      const written = new Map<string, Set<string>>();
      let cuts = 0;
      const cutter = setInterval(() => {
        proxy.cutAll();
        cuts++;
      }, 1000);
      const start = performance.now();
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < writes; i++) {
        const due = start + i * 10;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const name = `watched-${i % objects}`;
        const s = String(++seq);
        if (!written.has(name)) written.set(name, new Set());
        written.get(name)!.add(s);
        pending.push(client.patch(ConfigMap, { namespace: "peers-missed", name }, { metadata: { annotations: { "bench/seq": s } } }));
      }
      await Promise.all(pending);
      clearInterval(cutter);
      const truth = Object.fromEntries((await client.list(ConfigMap, { namespace: "peers-missed" })).items.filter((c) => c.metadata.name.startsWith("watched-")).map((c) => [c.metadata.name, c.metadata.annotations?.["bench/seq"] ?? ""]));
      // Converged when every object holds the server's value; wait up to 30 s.
      let report = await ask();
      const settleStart = performance.now();
      const staleOf = (r: Report) => Object.entries(truth).filter(([name, value]) => r.state[name] !== value).length;
      while (staleOf(report) > 0 && performance.now() - settleStart < 30_000) {
        await sleep(500);
        report = await ask();
      }
      const stale = staleOf(report);
      let seenWritten = 0;
      for (const [name, values] of written) for (const x of report.seen[name] ?? []) if (values.has(x)) seenWritten++;
      const convergedText = stale === 0 ? `yes, ${((performance.now() - settleStart) / 1000).toFixed(1)} s after the last write` : "**no** (30 s after the last write)";
      rows.push([v.label, String(cuts), String(report.errors), convergedText, `${stale} of ${objects}`, `${count(seenWritten)} ÷ ${count(writes)}`]);
      child!.stdin!.end();
      await done.catch(() => undefined);
    }
  } finally {
    await proxy.stop();
  }
  return rows;
}

await main();
// Everything is stopped and closed by now, so the process exits by itself. If something was left open
// (a timer, a socket, a pipe), say what and fail rather than idle forever; unref'd, this does not hold the process.
setTimeout(() => {
  process.stderr.write(`bench peers: still running 60 s after its report; left open: ${process.getActiveResourcesInfo().join(", ")}. Exiting with failure.\n`);
  process.exit(1);
}, 60_000).unref();
