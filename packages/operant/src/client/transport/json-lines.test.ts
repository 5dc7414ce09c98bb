import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import fc from "fast-check";
import { fuzz } from "../../../test/support/fuzz.ts";
import { jsonLines } from "./json-lines.ts";

async function collect(chunks: (string | Buffer)[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of jsonLines(Readable.from(chunks.map((c) => (typeof c === "string" ? Buffer.from(c) : c))))) out.push(v);
  return out;
}

test("documents split across chunks are reassembled", async () => {
  assert.deepEqual(await collect(['{"a":', '1}\n{"b"', ':2}\n', '{"c":3}']), [{ a: 1 }, { b: 2 }, { c: 3 }]);
});

test("several documents in one chunk, blank lines ignored", async () => {
  assert.deepEqual(await collect(['{"a":1}\n\n{"a":2}\n']), [{ a: 1 }, { a: 2 }]);
});

test("multi-byte characters split between chunks survive", async () => {
  const bytes = Buffer.from('{"name":"grüße-🚀"}\n');
  const cut = bytes.indexOf(0xf0) + 2; // inside the 4-byte emoji
  assert.deepEqual(await collect([bytes.subarray(0, cut), bytes.subarray(cut)]), [{ name: "grüße-🚀" }]);
});

test("a malformed line fails with InvalidResponse after the good ones", async () => {
  const seen: unknown[] = [];
  await assert.rejects(async () => {
    for await (const v of jsonLines(Readable.from([Buffer.from('{"ok":1}\n{"broken":\n')]))) seen.push(v);
  }, (err: Error & { code?: string }) => err.code === "InvalidResponse" && /not JSON: \{"broken":/.test(err.message));
  assert.deepEqual(seen, [{ ok: 1 }]);
});

test("a line longer than maxLineBytes fails the stream with WatchEventTooLarge, naming the limit, before the line ends", async () => {
  const seen: unknown[] = [];
  let pulled = 0;
  function* source(): Generator<Buffer> {
    yield Buffer.from('{"ok":1}\n{"big":"');
    for (;;) {
      pulled++;
      if (pulled > 100) throw new Error("the splitter kept reading a line past its limit");
      yield Buffer.alloc(1024, 0x61);
    }
  }
  await assert.rejects(
    async () => {
      for await (const v of jsonLines(Readable.from(source()), { maxLineBytes: 10_000, what: "watch ConfigMap" })) seen.push(v);
    },
    (err: Error & { code?: string }) => err.code === "WatchEventTooLarge" && /watch ConfigMap carried an event larger than the limit of 10000 bytes/.test(err.message) && /maxWatchEventBytes/.test(err.message),
  );
  assert.deepEqual(seen, [{ ok: 1 }]);
  assert.ok(pulled <= 11, `read ${pulled} chunks of a line that was over its limit after 10`);
});

test("a line of exactly maxLineBytes is accepted; one byte more is not", async () => {
  const line = `{"a":"${"x".repeat(92)}"}`; // 100 bytes
  assert.equal(Buffer.byteLength(line), 100);
  assert.deepEqual(await collectWith([`${line}\n`], 100), [{ a: "x".repeat(92) }]);
  assert.deepEqual(await collectWith([line], 100), [{ a: "x".repeat(92) }]);
  await assert.rejects(collectWith([`${line} \n`], 100), { code: "WatchEventTooLarge" });
  await assert.rejects(collectWith([`${line} `], 100), { code: "WatchEventTooLarge" });
});

// The splitter used to append each chunk to a pending string and search all of it again: one 6 MB event in
// 2 KiB chunks took about 10 s of CPU (quadratic). Linear, it takes a few tens of milliseconds; the bound below
// is CPU time (not wall time), 100× what it needs, and far below what the quadratic splitter spent.
test("one 8 MB event in 2 KiB chunks is split in linear time (CPU time well under 2 s)", async () => {
  const value = "grüße-🚀-".repeat(Math.ceil(8e6 / 16));
  const bytes = Buffer.from(`${JSON.stringify({ type: "ADDED", object: { data: { v: value } } })}\n`);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 2048) chunks.push(bytes.subarray(i, i + 2048));
  const cpu = process.cpuUsage();
  const out = await collectWith(chunks, 16 * 1024 * 1024);
  const used = process.cpuUsage(cpu);
  assert.equal((out[0] as { object: { data: { v: string } } }).object.data.v, value);
  const ms = (used.user + used.system) / 1000;
  assert.ok(ms < 2000, `splitting took ${ms.toFixed(0)} ms of CPU`);
});

async function collectWith(chunks: (string | Buffer)[], maxLineBytes: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of jsonLines(Readable.from(chunks.map((c) => (typeof c === "string" ? Buffer.from(c) : c))), { maxLineBytes })) out.push(v);
  return out;
}

// Property: whatever the documents (any JSON, any Unicode, including characters of 2–4 bytes in UTF-8) and
// however the byte stream is cut into chunks (inside characters, inside newlines, empty chunks), the
// splitter yields exactly the documents that were sent, in order, and nothing else.
test("property: arbitrary documents, arbitrarily chunked, come out as sent", async (t) => {
  const doc = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown); // -0 → 0, as JSON carries it
  const text = fc.string({ unit: "binary", maxLength: 20 });
  const event = fc.oneof(doc, fc.record({ type: fc.constantFrom("ADDED", "MODIFIED"), object: fc.record({ name: text, data: fc.dictionary(text, text) }) }));
  const blank = fc.constantFrom("\n", "", " \n", "\r\n");
  await fuzz(
    t,
    "watch splitter",
    fc.asyncProperty(fc.array(fc.tuple(event, blank), { maxLength: 12 }), fc.array(fc.nat(64), { maxLength: 40 }), fc.boolean(), async (events, cuts, trailingNewline) => {
      const wire = events.map(([e, b], i) => `${JSON.stringify(e)}${i < events.length - 1 || trailingNewline ? "\n" : ""}${b}`).join("");
      const bytes = Buffer.from(wire);
      const chunks: Buffer[] = [];
      let at = 0;
      for (const c of cuts) {
        chunks.push(bytes.subarray(at, Math.min(bytes.length, at + c)));
        at = Math.min(bytes.length, at + c);
      }
      chunks.push(bytes.subarray(at));
      const out: unknown[] = [];
      for await (const v of jsonLines(Readable.from(chunks, { objectMode: true }))) out.push(v);
      assert.deepEqual(out, events.map(([e]) => JSON.parse(JSON.stringify(e)) as unknown));
    }),
    { numRuns: 300 },
  );
});
