// Watch-stream splitting: CPU time to split and parse one large watch event arriving in chunks, before and after the linear splitter.
//
// npm run bench -- watch-lines [--sizes 1.5,3,8] [--chunk 16384] [--runs 3] [--dry-run]
//
//   --sizes    event sizes in MB (10^6 bytes), comma-separated (default 1.5,3,8)
//   --chunk    bytes per chunk as the stream delivers them (default 16384, a TLS record)
//   --runs     repetitions per figure; the median is reported (default 3)
//   --dry-run  print the figures without rewriting bench/RESULTS.md
//
// Each event is a ConfigMap-like watch event whose data holds multi-byte
// characters, so chunk boundaries fall inside UTF-8 sequences. "before" is the
// splitter as it was until December 2026 (kept here verbatim for the
// comparison): it appended each chunk to a pending string and searched the
// whole string again, so one large event cost time quadratic in its size.
// "after" is client/transport/json-lines.ts. Figures are the process's CPU
// time (user + system), which a loaded machine inflates less than wall time.
import os from "node:os";
import { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { parseArgs } from "node:util";
import { writeResultsSection } from "../scripts/bench.ts";
import { jsonLines } from "../packages/operant/src/client/transport/json-lines.ts";

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string", default: "1.5,3,8" },
    chunk: { type: "string", default: "16384" },
    runs: { type: "string", default: "3" },
    "dry-run": { type: "boolean", default: false },
  },
});
const SIZES = args.sizes.split(",").map(Number);
const CHUNK = Number(args.chunk);
const RUNS = Number(args.runs);

/** The splitter before the fix. */
async function* before(stream: AsyncIterable<Buffer>): AsyncGenerator<unknown> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.write(chunk);
    let start = 0;
    for (let nl = pending.indexOf("\n", start); nl >= 0; nl = pending.indexOf("\n", start)) {
      const line = pending.slice(start, nl);
      start = nl + 1;
      if (line.trim()) yield JSON.parse(line);
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  if (pending.trim()) yield JSON.parse(pending);
}

function event(bytes: number): Buffer {
  const unit = "grüße-🚀-abcdefghij-"; // 27 bytes, 3 multi-byte characters
  const value = unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit)));
  return Buffer.from(`${JSON.stringify({ type: "MODIFIED", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big", namespace: "default", resourceVersion: "42" }, data: { blob: value } } })}\n`);
}

function chunks(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += CHUNK) out.push(buf.subarray(i, i + CHUNK));
  return out;
}

function from(list: Buffer[]): AsyncIterable<Buffer> {
  return Readable.from(list, { objectMode: false });
}

/** CPU milliseconds to consume the whole stream. */
async function cpuMs(split: (s: AsyncIterable<Buffer>) => AsyncGenerator<unknown>, list: Buffer[]): Promise<number> {
  const t = process.cpuUsage();
  let n = 0;
  for await (const _ of split(from(list))) n++;
  if (n !== 1) throw new Error(`expected one event, got ${n}`);
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measure(split: (s: AsyncIterable<Buffer>) => AsyncGenerator<unknown>, list: Buffer[]): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await cpuMs(split, list));
  return median(runs);
}

const after = (s: AsyncIterable<Buffer>) => jsonLines(s);
const rows: string[] = [];
const load = os.loadavg().map((n) => n.toFixed(2)).join(" / ");
process.stdout.write(`one watch event in ${CHUNK}-byte chunks, CPU time, median of ${RUNS} runs\n\n`);
for (const mb of SIZES) {
  const list = chunks(event(mb * 1e6));
  await measure(after, list); // warm-up
  const a = await measure(after, list);
  const b = await measure(before, list);
  const line = `| ${mb} MB | ${list.length} | ${(b / 1000).toFixed(2)} s | ${(a / 1000).toFixed(3)} s | ${(b / a).toFixed(0)}× |`;
  rows.push(line);
  process.stdout.write(`${line}\n`);
}

const markdown = [
  "## Watch-stream splitting (`npm run bench -- watch-lines`)",
  "",
  `CPU time (user + system) to split and parse one watch event that arrives in ${CHUNK}-byte chunks, median of ${RUNS} runs. ` +
    `"before" is the splitter that rebuilt its pending string per chunk (quadratic); "after" is \`jsonLines\` (linear, with a 16 MiB line cap). ` +
    `${os.cpus()[0]?.model ?? "unknown CPU"} × ${os.availableParallelism()}, Node.js ${process.version}, load average at start ${load} (shared machine).`,
  "",
  "| event | chunks | before | after | speed-up |",
  "| --- | --- | --- | --- | --- |",
  ...rows,
].join("\n");
if (!args["dry-run"]) writeResultsSection("watch-lines", markdown);
