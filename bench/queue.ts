// Work queue: adds/s, get+done/s with and without N concurrent async workers, heap bytes per queued key.
//
// npm run bench -- queue [--keys 100000] [--workers 1,8,64] [--runs 5] [--dry-run]
//
//   --keys      distinct keys per run (default 100000)
//   --workers   comma-separated worker counts for the concurrent runs (default 1,8,64)
//   --runs      repetitions per figure; the median is reported (default 5)
//   --dry-run   print the figures without rewriting bench/RESULTS.md
//
// Keys look like real ones ("ns-17/object-12345"). Workers are async
// functions that await a microtask between get and done, as a reconcile
// that completes from cache would. Heap per key is measured with forced
// garbage collections around filling a queue with keys created beforehand,
// so the keys' own strings are not counted.
import os from "node:os";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { Registry } from "prom-client";
import { writeResultsSection } from "../scripts/bench.ts";
import { Priority, prometheusWorkQueueMetrics, WorkQueue, type WorkQueueOptions } from "../packages/operant/src/runtime/queue/index.ts";

const { values: args } = parseArgs({
  options: {
    keys: { type: "string", default: "100000" },
    workers: { type: "string", default: "1,8,64" },
    runs: { type: "string", default: "5" },
    "dry-run": { type: "boolean", default: false },
  },
});
const KEYS = Number(args.keys);
const WORKERS = args.workers.split(",").map(Number);
const RUNS = Number(args.runs);

v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const keys = Array.from({ length: KEYS }, (_, i) => `ns-${i % 100}/object-${i}`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs `fn` RUNS times (after one warm-up) and returns the median rate in operations per second. */
async function rate(ops: number, fn: () => Promise<number> | number): Promise<number> {
  await fn();
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const ms = await fn();
    rates.push(ops / (ms / 1000));
  }
  return median(rates);
}

function filled(options: WorkQueueOptions = {}, priority: number = Priority.High): WorkQueue {
  const queue = new WorkQueue(options);
  for (const k of keys) queue.add(k, { priority });
  return queue;
}

/** Time (ms) to add every key to an empty queue. */
function addAll(): number {
  const queue = new WorkQueue();
  const t = performance.now();
  for (const k of keys) queue.add(k);
  const ms = performance.now() - t;
  void queue.shutdown();
  return ms;
}

/** Time (ms) to add every key again while all are waiting (deduplicated adds). */
function addDuplicates(): number {
  const queue = filled();
  const t = performance.now();
  for (const k of keys) queue.add(k);
  const ms = performance.now() - t;
  void queue.shutdown();
  return ms;
}

/** Time (ms) for one caller to get and done every key, one after the other. */
async function getDoneSequential(options: WorkQueueOptions = {}): Promise<number> {
  const queue = filled(options);
  const t = performance.now();
  for (let i = 0; i < KEYS; i++) queue.done((await queue.get())!);
  const ms = performance.now() - t;
  await queue.shutdown();
  return ms;
}

/** Time (ms) for n async workers to process a full queue (mixed priorities). */
async function workersOnFullQueue(n: number): Promise<number> {
  const queue = new WorkQueue();
  keys.forEach((k, i) => queue.add(k, { priority: i % 2 ? Priority.High : Priority.Low }));
  const t = performance.now();
  const worker = async () => {
    for (let k = await queue.get(); k !== undefined; k = await queue.get()) {
      await Promise.resolve();
      queue.done(k);
    }
  };
  const running = Array.from({ length: n }, worker);
  await queue.shutdown({ drain: true });
  await Promise.all(running);
  return performance.now() - t;
}

/**
 * Time (ms) for n async workers waiting on an empty queue to take every key
 * as a producer adds them in batches of 100 (the hand-off path), with hot
 * keys re-added while in flight (the parked path): every 10th add repeats
 * one of 50 hot keys.
 */
async function workersWithProducer(n: number): Promise<{ ms: number; processed: number }> {
  const queue = new WorkQueue();
  let processed = 0;
  const worker = async () => {
    for (let k = await queue.get(); k !== undefined; k = await queue.get()) {
      await Promise.resolve();
      processed++;
      queue.done(k);
    }
  };
  const t = performance.now();
  const running = Array.from({ length: n }, worker);
  for (let i = 0; i < KEYS; i++) {
    queue.add(i % 10 === 0 ? keys[i % 50]! : keys[i]!);
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  await queue.shutdown({ drain: true });
  await Promise.all(running);
  return { ms: performance.now() - t, processed };
}

/** Heap bytes per waiting key. */
function heapPerKey(fill: (queue: WorkQueue) => void): number {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const queue = new WorkQueue();
  fill(queue);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  const perKey = (after - before) / KEYS;
  void queue.shutdown();
  return perKey;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

const rows: [string, string][] = [];
const row = (what: string, figure: string) => {
  rows.push([what, figure]);
  process.stdout.write(`${what.padEnd(72)} ${figure}\n`);
};

process.stdout.write(`work queue, ${fmt(KEYS)} keys, median of ${RUNS} runs\n\n`);
row("add, distinct keys (adds/s)", fmt(await rate(KEYS, addAll)));
row("add, every key already waiting: deduplicated (adds/s)", fmt(await rate(KEYS, addDuplicates)));
row("get + done, one caller, no contention (keys/s)", fmt(await rate(KEYS, () => getDoneSequential())));
const registry = new Registry();
row("get + done, one caller, with prom-client metrics (keys/s)", fmt(await rate(KEYS, () => getDoneSequential({ metrics: prometheusWorkQueueMetrics({ registry, name: "bench" }) }))));
for (const n of WORKERS) row(`get + done, ${n} async worker${n === 1 ? "" : "s"}, full queue, two priorities (keys/s)`, fmt(await rate(KEYS, () => workersOnFullQueue(n))));
for (const n of WORKERS) {
  let processed = 0;
  const r = await rate(KEYS, async () => {
    const run = await workersWithProducer(n);
    processed = run.processed;
    return run.ms;
  });
  row(`add + get + done, ${n} async worker${n === 1 ? "" : "s"} fed by a producer, 10% hot keys (adds/s)`, `${fmt(r)} (${fmt(processed)} runs)`);
}
row("heap per waiting key (bytes)", fmt(heapPerKey((q) => keys.forEach((k) => q.add(k)))));
row("heap per waiting key, half promoted from low to high (bytes)", fmt(heapPerKey((q) => {
  for (const k of keys) q.add(k, { priority: Priority.Low });
  keys.forEach((k, i) => i % 2 && q.add(k));
})));
row("heap per delayed key, addAfter (bytes)", fmt(heapPerKey((q) => keys.forEach((k, i) => q.addAfter(k, 60_000 + i)))));

const machine = `${os.cpus()[0]?.model ?? "unknown CPU"} × ${os.cpus().length}, Node.js ${process.version}`;
const markdown = [
  "## Work queue (`npm run bench -- queue`)",
  "",
  `${fmt(KEYS)} keys, median of ${RUNS} runs; ${machine}.`,
  "",
  "| measure | figure |",
  "| --- | --- |",
  ...rows.map(([what, figure]) => `| ${what} | ${figure} |`),
].join("\n");
if (!args["dry-run"]) writeResultsSection("queue", markdown);
