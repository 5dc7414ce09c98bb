// The length-delimited frame splitter of protobuf watches: any chunking gives
// the frames that were sent; a stream that ends inside a frame and a frame
// over the limit fail with coded errors.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import fc from "fast-check";
import { fuzz } from "../../../test/support/fuzz.ts";
import { OperantError } from "../../core/errors.ts";
import { lengthFrames } from "./frames.ts";

function encode(frames: Uint8Array[]): Buffer {
  return Buffer.concat(
    frames.flatMap((f) => {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(f.length);
      return [head, Buffer.from(f)];
    }),
  );
}

function chunked(bytes: Buffer, cuts: number[]): Readable {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const c of cuts) {
    const next = Math.min(bytes.length, at + c);
    chunks.push(bytes.subarray(at, next));
    at = next;
  }
  chunks.push(bytes.subarray(at));
  return Readable.from(chunks, { objectMode: true });
}

async function collect(stream: Readable, maxFrameBytes?: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const f of lengthFrames(stream, { what: "watch Pod", ...(maxFrameBytes !== undefined && { maxFrameBytes }) })) out.push(Uint8Array.from(f));
  return out;
}

test("property: arbitrary frames, arbitrarily chunked, come out as sent", async (t) => {
  await fuzz(
    t,
    "protobuf frame splitter",
    fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 10 }), fc.array(fc.nat(30), { maxLength: 30 }), async (frames, cuts) => {
      assert.deepEqual(await collect(chunked(encode(frames), cuts)), frames);
    }),
    { numRuns: 300 },
  );
});

test("property: a stream cut inside a frame yields the whole frames before it, then InvalidResponse (retryable)", async (t) => {
  await fuzz(
    t,
    "protobuf frame splitter (truncated)",
    fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 6 }), fc.nat(), fc.array(fc.nat(30), { maxLength: 10 }), async (frames, cutSeed, cuts) => {
      const bytes = encode(frames);
      const cut = 1 + (cutSeed % (bytes.length - 1));
      // Frame boundaries: a cut exactly on one is a clean end.
      const boundaries = new Set<number>([0]);
      let at = 0;
      for (const f of frames) boundaries.add((at += 4 + f.length));
      const seen: Uint8Array[] = [];
      const run = async () => {
        for await (const f of lengthFrames(chunked(bytes.subarray(0, cut), cuts), { what: "watch Pod" })) seen.push(Uint8Array.from(f));
      };
      if (boundaries.has(cut)) await run();
      else await assert.rejects(run, (err) => err instanceof OperantError && err.code === "InvalidResponse" && err.retryable && /ended inside a frame/.test(err.message));
      assert.deepEqual(seen, frames.slice(0, seen.length));
    }),
    { numRuns: 300 },
  );
});

test("a frame over maxFrameBytes fails with WatchEventTooLarge as soon as its length is read", async () => {
  let pulled = 0;
  function* source(): Generator<Buffer> {
    yield encode([Uint8Array.of(1, 2, 3)]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(1_000_000);
    yield head;
    for (;;) {
      pulled++;
      if (pulled > 100) throw new Error("the splitter kept reading a frame it had to refuse");
      yield Buffer.alloc(1000);
    }
  }
  const seen: Uint8Array[] = [];
  await assert.rejects(
    async () => {
      for await (const f of lengthFrames(Readable.from(source()), { maxFrameBytes: 1000, what: "watch Pod" })) seen.push(f);
    },
    (err) => err instanceof OperantError && err.code === "WatchEventTooLarge" && /1000000 bytes, over the limit of 1000 bytes/.test(err.message) && /maxWatchEventBytes/.test(err.message),
  );
  assert.equal(seen.length, 1);
  assert.equal(pulled, 0);
});

test("property: random bytes end in frames or a coded error, never another error", async (t) => {
  await fuzz(
    t,
    "protobuf frame splitter (random)",
    fc.asyncProperty(fc.uint8Array({ maxLength: 120 }), fc.array(fc.nat(20), { maxLength: 10 }), async (raw, cuts) => {
      try {
        await collect(chunked(Buffer.from(raw), cuts), 64);
      } catch (err) {
        assert.ok(err instanceof OperantError && (err.code === "InvalidResponse" || err.code === "WatchEventTooLarge"), String(err));
      }
    }),
    { numRuns: 300 },
  );
});
