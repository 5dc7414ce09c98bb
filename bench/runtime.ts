// Runtime core: cache memory per object, initial sync, watch ingest, no-op reconcile throughput, event→reconcile latency, idle RSS.
//
// npm run bench -- runtime [--objects 10000] [--only a,b] [--dry-run]
//
// Starts its own `minimal` control plane, seeds realistic objects (Pods with a
// kubelet-like status, so the server holds managedFields of two managers;
// ConfigMaps of a few settings), then runs each scenario in a fresh Node.js
// process (`--expose-gc`) so that nothing else is on the measured heap. The
// figures are printed and recorded in bench/RESULTS.md with the machine.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Client } from "../packages/operant/src/client/client.ts";
import { ConfigMap, Namespace, Pod } from "../packages/operant/src/kinds/index.ts";
import { writeResultsSection } from "../scripts/bench.ts";
import { realisticConfigMap, realisticPod, runningStatus } from "./runtime/fixtures.ts";
import { pool, runWorker, type WorkerOptions } from "./support/process.ts";
import { loadAverage, machineRows, median, percentile, table } from "./support/report.ts";
import { benchControlPlane } from "./support/control-plane.ts";

const { values: args } = parseArgs({
  options: {
    objects: { type: "string", default: "10000" },
    only: { type: "string" },
    "dry-run": { type: "boolean", default: false },
  },
});
const N = Number(args.objects);
const only = args.only?.split(",");
const wanted = (s: string) => !only || only.includes(s);
const log = (m: string) => process.stderr.write(`[bench runtime] ${m}\n`);
const here = new URL("./runtime/", import.meta.url).pathname;

/** Runs a worker script of bench/runtime in a fresh process and returns the last JSON line it printed. */
const worker = <T>(script: string, argv: string[], options: WorkerOptions = {}): Promise<T> => runWorker<T>(join(here, script), argv, options);

const fmtKB = (b: number) => `${(b / 1024).toFixed(2)} KB`;
const fmtMB = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
const verdict = (ok: boolean) => (ok ? "meets" : "**misses**");

async function main(): Promise<void> {
  const machine = machineRows();
  log(`starting a minimal control plane (load ${loadAverage()})`);
  const cp = await benchControlPlane();
  const kc = cp.kubeconfigPath;
  const client = await Client.connect({ kubeconfig: kc, qps: Infinity });
  const rows: string[][] = [];
  const notes: string[] = [];
  try {
    for (const ns of ["bench-pods", "bench-cms", "bench-idle", "bench-lat"]) await client.create(Namespace, { metadata: { name: ns } });

    if (wanted("memory") || wanted("ingest")) {
      log(`seeding ${N} Pods (create + kubelet-like status)…`);
      const t = Date.now();
      await pool([...Array(N).keys()], 48, async (i) => {
        const pod = await client.create(Pod, realisticPod("bench-pods", i));
        await client.patch(Pod, { namespace: "bench-pods", name: pod.metadata.name }, { status: runningStatus(i) }, { subresource: "status", fieldManager: "kubelet" });
      });
      log(`  done in ${((Date.now() - t) / 1000).toFixed(0)}s`);
    }
    if (wanted("memory") || wanted("noop")) {
      log(`seeding ${N} ConfigMaps…`);
      await pool([...Array(N).keys()], 48, (i) => client.create(ConfigMap, realisticConfigMap("bench-cms", i)));
    }
    for (let i = 0; i < 10; i++) await client.create(ConfigMap, realisticConfigMap("bench-idle", i));
    for (let i = 0; i < 20; i++) await client.create(ConfigMap, realisticConfigMap("bench-lat", i));

    if (wanted("memory")) {
      log("cache memory and initial sync");
      type Mem = { count: number; syncMs: number; heapPerObject: number; jsonBytesPerObject: number; steadyHeap: number; peakHeap: number; steadyRss: number; peakRss: number; baseHeap: number };
      const serverPod = (await client.list(Pod, { namespace: "bench-pods", limit: 1 })).items[0];
      const serverBytes = serverPod ? Buffer.byteLength(JSON.stringify(serverPod)) : 0;
      for (const [kind, ns] of [["pods", "bench-pods"], ["configmaps", "bench-cms"]] as const) {
        const runs: Mem[] = [];
        for (let r = 0; r < 3; r++) runs.push(await worker<Mem>("cache-memory.ts", [kc, kind, ns]));
        const raw = await worker<Mem>("cache-memory.ts", [kc, kind, ns, "none"]);
        const best = runs.sort((a, b) => a.heapPerObject - b.heapPerObject)[1]!; // median of 3
        const label = kind === "pods" ? "Pod" : "ConfigMap";
        rows.push([`heap per cached ${label} (default transform)`, fmtKB(best.heapPerObject), kind === "pods" ? "≤ 6 KB" : "—", kind === "pods" ? verdict(best.heapPerObject <= 6 * 1024) : ""]);
        rows.push([`heap per cached ${label}, stored as received`, fmtKB(raw.heapPerObject), "", ""]);
        rows.push([`initial sync of ${best.count} ${label}s`, `${(best.syncMs / 1000).toFixed(2)} s`, "", ""]);
        const heapRatio = (best.peakHeap - best.baseHeap) / (best.steadyHeap - best.baseHeap);
        rows.push([`${label} sync: peak ÷ steady heap (cache's own)`, `${heapRatio.toFixed(2)}× (${fmtMB(best.peakHeap - best.baseHeap)} ÷ ${fmtMB(best.steadyHeap - best.baseHeap)})`, "≤ 1.3×", verdict(heapRatio <= 1.3)]);
        rows.push([`${label} sync: peak ÷ steady RSS (whole process)`, `${(best.peakRss / best.steadyRss).toFixed(2)}× (${fmtMB(best.peakRss)} ÷ ${fmtMB(best.steadyRss)})`, "", ""]);
        if (kind === "pods") notes.push(`A Pod is ${(serverBytes / 1024).toFixed(1)} KB of JSON as the server sends it (managedFields of two managers included) and ${(best.jsonBytesPerObject / 1024).toFixed(1)} KB once the default transform dropped managedFields.`);
      }
    }

    if (wanted("ingest")) {
      log("watch ingest");
      const podsFile = join(tmpdir(), `operant-bench-pods-${process.pid}.json`);
      const recorded = await client.transport.request<{ items: unknown[] }>({ method: "GET", path: "/api/v1/namespaces/bench-pods/pods", query: { limit: 2000 } });
      writeFileSync(podsFile, JSON.stringify(recorded.body));
      const events = 50_000;
      const rates: number[] = [];
      for (let r = 0; r < 3; r++) {
        const server = spawn(process.execPath, [join(here, "replay-server.ts"), podsFile, String(events)], { stdio: ["ignore", "pipe", "inherit"] });
        const [first] = (await once(server.stdout, "data")) as [Buffer];
        const { port } = JSON.parse(first.toString()) as { port: number };
        const res = await worker<{ perSecond: number }>("ingest.ts", [String(port), String(events)]);
        server.kill();
        rates.push(res.perSecond);
      }
      rows.push([`watch ingest (${events} MODIFIED Pod events, replayed)`, `${Math.round(median(rates)).toLocaleString("en")} events/s (min ${Math.round(Math.min(...rates)).toLocaleString("en")})`, "≥ 5,000/s", verdict(median(rates) >= 5000)]);
    }

    if (wanted("noop")) {
      log("no-op reconcile throughput");
      // Count what is there: a full control plane adds kube-root-ca.crt to every namespace, a minimal one does not.
      const n = (await client.list(ConfigMap, { namespace: "bench-cms" })).items.length;
      const runs: number[] = [];
      for (let r = 0; r < 3; r++) runs.push((await worker<{ perSecond: number }>("noop.ts", [kc, "bench-cms", String(n)])).perSecond);
      rows.push([`no-op reconciles over ${n.toLocaleString("en")} cached keys (1 worker)`, `${Math.round(median(runs)).toLocaleString("en")}/s (min ${Math.round(Math.min(...runs)).toLocaleString("en")})`, "≥ 10,000/s", verdict(median(runs) >= 10_000)]);
    }

    if (wanted("latency")) {
      log("event → reconcile latency");
      const count = 3000;
      let ready: () => void;
      const isReady = new Promise<void>((r) => (ready = r));
      const result = worker<{ framework: number[]; endToEnd: number[] }>("latency.ts", [kc, "bench-lat", String(count)], { onLine: (l) => (l as { ready?: boolean }).ready && ready() });
      await isReady;
      await worker("writer.ts", [kc, "bench-lat", "20", "100", String(count)], { gc: false });
      const { framework, endToEnd } = await result;
      rows.push([`event → reconcile latency at 100 events/s (${count} events)`, `p50 ${percentile(framework, 50).toFixed(2)} ms, p99 ${percentile(framework, 99).toFixed(2)} ms`, "p99 ≤ 25 ms", verdict(percentile(framework, 99) <= 25)]);
      rows.push(["write → reconcile (API server and watch included)", `p50 ${percentile(endToEnd, 50).toFixed(1)} ms, p99 ${percentile(endToEnd, 99).toFixed(1)} ms`, "", ""]);
    }

    if (wanted("idle")) {
      log("idle memory");
      // The same worker twice: operant from its TypeScript sources (as in a project's tests and `operant run`), and from dist/ (as an installed operator).
      const withoutSource = (process.env.NODE_OPTIONS ?? "").replace("--conditions=operant-source", "").trim();
      for (const [label, nodeOptions] of [
        ["idle RSS of a manager with one controller, operant from TypeScript source", `${withoutSource} --conditions=operant-source`.trim()],
        ["idle RSS of the same manager, operant from dist/ (JavaScript only)", withoutSource],
      ] as const) {
        const runs: { rss: number; heapUsed: number }[] = [];
        for (let r = 0; r < 3; r++) runs.push(await worker("idle.mjs", [kc, "bench-idle", "10"], { env: { NODE_OPTIONS: nodeOptions } }));
        const rss = median(runs.map((r) => r.rss));
        rows.push([label, `${fmtMB(rss)} (heap used ${fmtMB(median(runs.map((r) => r.heapUsed)))})`, "≤ 60 MB", verdict(rss <= 60 * 2 ** 20)]);
      }
      notes.push("Idle RSS: a bare Node.js 24 process is about 42 MB resident on this machine before it loads anything; undici and prom-client, which every manager loads, add roughly 28 MB and 20 MB of code and compiled functions.");
    }
  } finally {
    await client.close();
    await cp.stop();
  }

  const markdown = [
    "## Runtime core",
    "",
    "Measured by [`bench/runtime.ts`](runtime.ts): `npm run bench -- runtime`. Each scenario runs in a fresh Node.js process against a local `minimal` control plane; the operator code runs from TypeScript source (Node's type stripping), as operant projects do.",
    "",
    table(["", "value"], machine),
    "",
    table(["figure", "measured", "target", ""], rows),
    "",
    ...notes,
    `Load average at the end: ${loadAverage()}.`,
  ].join("\n");
  process.stdout.write(`\n${markdown}\n`);
  if (!args["dry-run"]) writeResultsSection("runtime", markdown);
}

await main();
