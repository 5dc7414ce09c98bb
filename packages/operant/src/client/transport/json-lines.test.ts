import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
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
