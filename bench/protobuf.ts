// Protobuf vs JSON for the reads of built-in kinds: an informer's initial
// sync of 10,000 Pods and of 10,000 ConfigMaps in each wire format (separate
// processes, alternating), the floors of each (a bare paged read, and a bare
// streamed read — the watch a WatchList informer opens — of the same
// list's bytes, nothing decoded), and the decoding alone (JSON.parse vs the
// generated decoders with operant's hand-rolled reader vs the same decoders
// on @bufbuild/protobuf's BinaryReader, when it is installed).
//
// npm run bench -- protobuf [--objects 10000] [--rounds 3] [--bufbuild DIR] [--dry-run]
//
//   --objects  Pods and ConfigMaps to create (default 10000)
//   --rounds   alternating rounds of each sync (default 3); medians are reported
//   --bufbuild a directory whose node_modules holds @bufbuild/protobuf (it is not a
//              dependency of operant: `npm install --prefix DIR @bufbuild/protobuf`)
//   --dry-run  print the figures without rewriting bench/RESULTS.md
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { writeResultsSection } from "../scripts/bench.ts";
import { Client } from "../packages/operant/src/client/client.ts";
import { PROTOBUF_MEDIA_TYPE } from "../packages/operant/src/client/protobuf/envelope.ts";
import { lengthFrames } from "../packages/operant/src/client/protobuf/frames.ts";
import { KIND_DECODERS } from "../packages/operant/src/client/protobuf/generated.ts";
import { ProtoReader } from "../packages/operant/src/client/protobuf/wire.ts";
import { ConfigMap, Namespace, Pod } from "../packages/operant/src/kinds/index.ts";
import { internAndFreeze, sharedStringPool } from "../packages/operant/src/runtime/cache/string-pool.ts";
import { realisticConfigMap, realisticPod, runningStatus } from "./runtime/fixtures.ts";
import { pool, runWorker } from "./support/process.ts";
import { loadAverage, machineRows, median, table } from "./support/report.ts";
import { benchControlPlane } from "./support/control-plane.ts";

const { values: args } = parseArgs({
  options: {
    objects: { type: "string", default: "10000" },
    rounds: { type: "string", default: "3" },
    bufbuild: { type: "string" },
    "dry-run": { type: "boolean", default: false },
  },
});
const N = Number(args.objects);
const ROUNDS = Number(args.rounds);
const log = (m: string) => console.error(`[protobuf] ${m}`);
const count = (n: number) => n.toLocaleString("en-US");
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Reads every page of a list (limit 500, as the informer pages) in one format; returns the pages' bytes. */
async function readPages(client: Client, path: string, accept: string): Promise<{ ms: number; pages: Buffer[]; bytes: number }> {
  const t0 = performance.now();
  const pages: Buffer[] = [];
  let cont: string | undefined;
  let bytes = 0;
  do {
    const res = await client.transport.requestBytes({ method: "GET", path, query: { limit: 500, continue: cont }, accept });
    pages.push(res.body);
    bytes += res.body.length;
    // The continue token, without decoding the page: JSON has it in metadata; for protobuf ask the decoder for the ListMeta only.
    cont = accept === "application/json" ? (JSON.parse(res.body.toString("utf8")) as { metadata: { continue?: string } }).metadata.continue : listContinue(res.body);
  } while (cont);
  return { ms: performance.now() - t0, pages, bytes };
}

/**
 * The floor of a streamed initial list (WatchList, what the informer asks for by default): the watch with
 * `sendInitialEvents`, its bytes read until the first BOOKMARK event (the initial-events-end one; the server
 * sends no other before it), nothing decoded but each event's type.
 */
async function readStream(client: Client, path: string, accept: string): Promise<{ ms: number; bytes: number; events: number }> {
  const t0 = performance.now();
  const ac = new AbortController();
  const res = await client.transport.stream({ method: "GET", path, query: { watch: 1, sendInitialEvents: true, resourceVersionMatch: "NotOlderThan", allowWatchBookmarks: true, timeoutSeconds: 300 }, accept, signal: ac.signal });
  let bytes = 0;
  let events = 0;
  const done = () => ({ ms: performance.now() - t0, bytes, events });
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  try {
    if (String(res.headers["content-type"]).startsWith(PROTOBUF_MEDIA_TYPE)) {
      // The client's own framer; of each frame only the WatchEvent's type (field 1, first) is read.
      for await (const frame of lengthFrames(counted())) {
        const r = new ProtoReader(frame);
        if ((r.uint32() === 10 ? r.string() : "") === "BOOKMARK") return done();
        events++;
      }
    } else {
      // JSON lines, split but not parsed: a line's type is at its start.
      let rest = "";
      for await (const chunk of counted()) {
        const lines = (rest + chunk.toString("latin1")).split("\n");
        rest = lines.pop()!;
        for (const line of lines) {
          if (line.slice(0, 40).includes('"BOOKMARK"')) return done();
          events++;
        }
      }
    }
    throw new Error(`the streamed list of ${path} ended before its BOOKMARK`);
  } finally {
    ac.abort();
    res.body.destroy();
  }
}

/** The continue token of a protobuf list page (its ListMeta, field 1 of the list message in the envelope's raw). */
function listContinue(body: Buffer): string | undefined {
  const r = new ProtoReader(body);
  r.pos = 4;
  let raw = -1;
  let rawEnd = -1;
  while (r.pos < body.length) {
    const t = r.uint32();
    if (t === 18) {
      rawEnd = r.sub();
      raw = r.pos;
      r.pos = rawEnd;
    } else r.skip(t);
  }
  r.pos = raw;
  while (r.pos < rawEnd) {
    const t = r.uint32();
    if (t === 10) {
      const e = r.sub();
      while (r.pos < e) {
        const u = r.uint32();
        if (u === 26) return r.string() || undefined;
        r.skip(u);
      }
      return undefined;
    }
    r.skip(t);
  }
  return undefined;
}

/** Where an envelope's raw message lies. */
function rawRange(body: Buffer): [number, number] {
  const r = new ProtoReader(body);
  r.pos = 4;
  while (r.pos < body.length) {
    const t = r.uint32();
    if (t === 18) {
      const e = r.sub();
      return [r.pos, e];
    }
    r.skip(t);
  }
  throw new Error("no raw");
}

type Reader = { pos: number };
/** An adapter giving @bufbuild/protobuf's BinaryReader the methods the generated decoders call. */
async function bufbuildReader(dir: string): Promise<(buf: Uint8Array) => Reader> {
  const mod = (await import(pathToFileURL(join(dir, "node_modules/@bufbuild/protobuf/dist/esm/wire/binary-encoding.js")).href)) as { BinaryReader: new (buf: Uint8Array) => Record<string, unknown> };
  const Base = mod.BinaryReader as unknown as new (buf: Uint8Array) => {
    pos: number;
    uint32(): number;
    int32(): number;
    int64(): bigint | string;
    bool(): boolean;
    string(): string;
    bytes(): Uint8Array;
    skip(wt: number, fieldNo?: number): Uint8Array;
  };
  class BufReader extends Base {
    // The plain decode: nothing frozen or interned, list items without apiVersion/kind.
    readonly freeze = false;
    readonly dropManagedFields = false;
    istring(): string {
      return this.string();
    }
    done<T>(o: T): T {
      return o;
    }
    item(): object {
      return {};
    }
    sub(): number {
      const n = this.uint32();
      return this.pos + n;
    }
    end(e: number): void {
      if (this.pos !== e) throw new Error("overrun");
    }
    override int64(): never {
      return Number(super.int64()) as never;
    }
    override skip(t: number): never {
      return super.skip(t & 7, t >>> 3) as never;
    }
    base64(): string {
      const b = this.bytes();
      return Buffer.from(b.buffer, b.byteOffset, b.length).toString("base64");
    }
    #ts(end: number): [number, number] {
      let sec = 0;
      let ns = 0;
      while (this.pos < end) {
        const t = this.uint32();
        if (t === 8) sec = Number(super.int64());
        else if (t === 16) ns = this.int32();
        else this.skip(t);
      }
      return [sec, ns];
    }
    time(end: number): string | null {
      if (this.pos === end) return null;
      const [sec] = this.#ts(end);
      return `${new Date(sec * 1000).toISOString().slice(0, -5)}Z`;
    }
    microTime(end: number): string | null {
      if (this.pos === end) return null;
      const [sec, ns] = this.#ts(end);
      return `${new Date(sec * 1000).toISOString().slice(0, -5)}.${String(Math.trunc(ns / 1000)).padStart(6, "0")}Z`;
    }
    quantity(end: number): string {
      let v = "0";
      while (this.pos < end) {
        const t = this.uint32();
        if (t === 10) v = this.string();
        else this.skip(t);
      }
      return v;
    }
    intOrString(end: number): number | string {
      let type = 0;
      let i = 0;
      let str = "";
      while (this.pos < end) {
        const t = this.uint32();
        if (t === 8) type = this.int32();
        else if (t === 16) i = this.int32();
        else if (t === 26) str = this.string();
        else this.skip(t);
      }
      return type === 1 ? str : i;
    }
    rawJson(end: number): unknown {
      let raw: Uint8Array | undefined;
      while (this.pos < end) {
        const t = this.uint32();
        if (t === 10) raw = this.bytes();
        else this.skip(t);
      }
      return raw === undefined ? null : JSON.parse(Buffer.from(raw).toString("utf8"));
    }
  }
  return (buf) => new BufReader(buf);
}

/** CPU ms (median of 5) to decode `pages` with `decode`. */
function decodeMs(pages: Buffer[], decode: (b: Buffer) => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = process.cpuUsage();
    for (const p of pages) decode(p);
    const d = process.cpuUsage(t0);
    if (i > 0) times.push((d.user + d.system) / 1000);
  }
  return median(times);
}

async function main(): Promise<void> {
  const machine = machineRows();
  log(`starting a minimal control plane (load ${loadAverage()})`);
  const cp = await benchControlPlane();
  const kc = cp.kubeconfigPath;
  const client = await Client.connect({ kubeconfig: kc, qps: Infinity });
  const rows: string[][] = [];
  const decodeRows: string[][] = [];
  const loads: string[] = [];
  try {
    for (const ns of ["bench-pods", "bench-cms"]) await client.create(Namespace, { metadata: { name: ns } });
    log(`seeding ${count(N)} Pods (create + kubelet-like status) and ${count(N)} ConfigMaps…`);
    await pool([...Array(N).keys()], 48, async (i) => {
      const pod = await client.create(Pod, realisticPod("bench-pods", i));
      await client.patch(Pod, { namespace: "bench-pods", name: pod.metadata.name }, { status: runningStatus(i) }, { subresource: "status", fieldManager: "kubelet" });
    });
    await pool([...Array(N).keys()], 48, (i) => client.create(ConfigMap, realisticConfigMap("bench-cms", i)));
    const bufReader = args.bufbuild && existsSync(join(args.bufbuild, "node_modules/@bufbuild/protobuf")) ? await bufbuildReader(args.bufbuild) : undefined;

    for (const [kindName, ns, label] of [["pods", "bench-pods", "Pod"], ["configmaps", "bench-cms", "ConfigMap"]] as const) {
      const path = `/api/v1/namespaces/${ns}/${kindName}`;
      const floor: Record<string, number[]> = { json: [], protobuf: [] };
      const streamFloor: Record<string, number[]> = { json: [], protobuf: [] };
      const sync: Record<string, number[]> = { json: [], protobuf: [], paged: [] };
      const rss: Record<string, number[]> = { json: [], protobuf: [], paged: [] };
      let pagesOf: Record<string, Buffer[]> = {};
      let bytesOf: Record<string, number> = {};
      for (let round = 0; round < ROUNDS; round++) {
        for (const wire of round % 2 === 0 ? (["json", "protobuf"] as const) : (["protobuf", "json"] as const)) {
          const read = await readPages(client, path, wire === "json" ? "application/json" : PROTOBUF_MEDIA_TYPE);
          floor[wire]!.push(read.ms);
          pagesOf = { ...pagesOf, [wire]: read.pages };
          bytesOf = { ...bytesOf, [wire]: read.bytes };
          const streamed = await readStream(client, path, wire === "json" ? "application/json" : PROTOBUF_MEDIA_TYPE);
          if (streamed.events !== N) throw new Error(`the streamed ${wire} read of ${label}s had ${streamed.events} events before its bookmark, not ${N}`);
          streamFloor[wire]!.push(streamed.ms);
          const r = await runWorker<{ count: number; syncMs: number; peakRss: number }>(join(import.meta.dirname, "runtime/cache-memory.ts"), [kc, kindName, ns], { env: { ...process.env, WIRE: wire } });
          if (r.count !== N) throw new Error(`${wire} sync of ${label}s cached ${r.count}, not ${N}`);
          sync[wire]!.push(r.syncMs);
          rss[wire]!.push(r.peakRss);
          loads.push(loadAverage());
          log(`${label} round ${round + 1} ${wire}: floor ${s(read.ms)} paged, ${s(streamed.ms)} streamed, sync ${s(r.syncMs)} (load ${loadAverage()})`);
        }
        // Protobuf with the initial list read in pages (list, then watch) instead of streamed (WatchList).
        const p = await runWorker<{ count: number; syncMs: number; peakRss: number }>(join(import.meta.dirname, "runtime/cache-memory.ts"), [kc, kindName, ns], { env: { ...process.env, WIRE: "protobuf", STREAM: "0" } });
        sync.paged!.push(p.syncMs);
        rss.paged!.push(p.peakRss);
        log(`${label} round ${round + 1} protobuf, paged initial list: sync ${s(p.syncMs)} (load ${loadAverage()})`);
      }
      for (const wire of ["json", "protobuf"] as const) {
        const f = median(streamFloor[wire]!);
        const y = median(sync[wire]!);
        rows.push([`${count(N)} ${label}s`, `${wire}, initial list streamed (the default)`, `${(bytesOf[wire]! / 2 ** 20).toFixed(1)} MiB`, s(median(floor[wire]!)), s(f), s(y), `${(y / f).toFixed(2)}×`, `${(median(rss[wire]!) / 2 ** 20).toFixed(0)} MB`]);
      }
      rows.push([`${count(N)} ${label}s`, "protobuf, initial list in pages", "", s(median(floor.protobuf!)), s(median(streamFloor.protobuf!)), s(median(sync.paged!)), `${(median(sync.paged!) / median(floor.protobuf!)).toFixed(2)}×`, `${(median(rss.paged!) / 2 ** 20).toFixed(0)} MB`]);
      rows.push([`${count(N)} ${label}s`, "protobuf ÷ json", "", `${(median(floor.protobuf!) / median(floor.json!)).toFixed(2)}×`, `${(median(streamFloor.protobuf!) / median(streamFloor.json!)).toFixed(2)}×`, `${(median(sync.protobuf!) / median(sync.json!)).toFixed(2)}×`, "", ""]);

      // Decoding alone, in this process, on the pages read above.
      const dec = KIND_DECODERS.get(`v1/${label}`)!;
      const jsonMs = decodeMs(pagesOf.json!, (b) => JSON.parse(b.toString("utf8")));
      const ownMs = decodeMs(pagesOf.protobuf!, (b) => {
        const [a, e] = rawRange(b);
        const r = new ProtoReader(b, "bench", { start: a });
        return dec.list(r, e, {});
      });
      const jsonDropMs = decodeMs(pagesOf.json!, (b) => {
        const o = JSON.parse(b.toString("utf8")) as { items: { metadata: { managedFields?: unknown } }[] };
        for (const it of o.items) delete it.metadata.managedFields;
        return o;
      });
      const ownDropMs = decodeMs(pagesOf.protobuf!, (b) => {
        const [a, e] = rawRange(b);
        const r = new ProtoReader(b, "bench", { start: a, dropManagedFields: true });
        return dec.list(r, e, {});
      });
      // What a cache does with each: JSON parsed, stripped, then interned and frozen by a walk; protobuf decoded into that form.
      const jsonCacheMs = decodeMs(pagesOf.json!, (b) => {
        const o = JSON.parse(b.toString("utf8")) as { items: { metadata: { managedFields?: unknown } }[] };
        for (const it of o.items) {
          delete it.metadata.managedFields;
          internAndFreeze(it);
        }
        return o;
      });
      const ownCacheMs = decodeMs(pagesOf.protobuf!, (b) => {
        const [a, e] = rawRange(b);
        const r = new ProtoReader(b, "bench", { start: a, dropManagedFields: true, cacheForm: sharedStringPool, items: { apiVersion: "v1", kind: label } });
        return dec.list(r, e, {});
      });
      const row = [`${count(N)} ${label}s`, `${jsonMs.toFixed(0)} ms`, `${ownMs.toFixed(0)} ms`];
      if (bufReader) {
        const bufMs = decodeMs(pagesOf.protobuf!, (b) => {
          const [a, e] = rawRange(b);
          const r = bufReader(b.subarray(0, e));
          r.pos = a;
          return dec.list(r as unknown as ProtoReader, e, {});
        });
        row.push(`${bufMs.toFixed(0)} ms`);
      } else row.push("not run (no --bufbuild)");
      row.push(`${jsonDropMs.toFixed(0)} ms`, `${ownDropMs.toFixed(0)} ms`, `${jsonCacheMs.toFixed(0)} ms`, `${ownCacheMs.toFixed(0)} ms`);
      decodeRows.push(row);
    }
  } finally {
    await client.close();
    await cp.stop();
  }

  const syncTable = table(["list", "wire", "bytes", "floor: bare paged read", "floor: bare streamed read", "informer initial sync", "sync ÷ its floor", "sync peak RSS"], rows);
  const decodeTable = table(
    ["list (all pages)", "JSON.parse", "generated decoders, operant's reader", "generated decoders, @bufbuild/protobuf BinaryReader", "JSON.parse, then delete managedFields", "operant's reader, managedFields skipped", "JSON.parse, delete managedFields, intern and freeze (a cache's ingest of JSON)", "operant's reader into the cache's form: managedFields skipped, frozen and interned as decoded (the informer's default)"],
    decodeRows,
  );
  console.log(`${syncTable}\n\n${decodeTable}`);
  if (args["dry-run"]) return;
  writeResultsSection(
    "protobuf",
    [
      "## Protobuf vs JSON reads (`npm run bench -- protobuf`)",
      "",
      "### Machine",
      "",
      table(["", ""], machine),
      "",
      `Load average (1/5/15 min) after each sync: ${loads.join("; ")}.`,
      "",
      "### Method",
      "",
      `A minimal control plane holds ${count(N)} Pods (realistic spec and kubelet-like status) and ${count(N)} ConfigMaps, each kind in its own namespace. Each round reads the list in each format (floors, bytes only, nothing decoded: GET pages of 500, one after the other; and the watch the informer opens for a streamed list, \`sendInitialEvents=true\`, read until its bookmark, only each event's type looked at) and runs an informer's initial sync in a fresh process (\`bench/runtime/cache-memory.ts\`, client option \`wire\`; the initial list streamed in a watch, WatchList, as the informer does by default), alternating which format goes first, then one protobuf sync with the initial list read in pages; ${ROUNDS} rounds, medians. Each sync is set against the floor of the request it makes: the streamed read for a streamed sync, the paged read for a paged one. The decoding table times, in one process, decoding all pages read above (CPU time, median of 5 after a warm-up): \`JSON.parse\` of the JSON pages, and the generated decoders on the protobuf pages with operant's reader and with @bufbuild/protobuf's BinaryReader behind the same decoders; then each without managedFields; then what a cache's ingest does with each: JSON parsed, managedFields deleted, each item interned and frozen by a walk (the informer's way for JSON), against protobuf decoded straight into that form (frozen, interned, managedFields skipped: the informer's way for protobuf).`,
      "",
      "### Initial sync and its floor",
      "",
      syncTable,
      "",
      "### Decoding only",
      "",
      decodeTable,
    ].join("\n"),
  );
}

await main();
process.exit(0);
