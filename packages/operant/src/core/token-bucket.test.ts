import assert from "node:assert/strict";
import { test } from "node:test";
import { TokenBucket } from "./token-bucket.ts";

test("the first `burst` reservations are free, then they queue at 1/qps", () => {
  const t = 0;
  const b = new TokenBucket({ qps: 10, burst: 3, now: () => t });
  assert.deepEqual([b.reserve(), b.reserve(), b.reserve()], [0, 0, 0]);
  assert.equal(Math.round(b.reserve()), 100);
  assert.equal(Math.round(b.reserve()), 200);
});

test("tokens refill with time, up to burst", () => {
  let t = 0;
  const b = new TokenBucket({ qps: 10, burst: 2, now: () => t });
  b.reserve();
  b.reserve();
  t = 100_000; // long idle: refills only to burst
  assert.deepEqual([b.reserve(), b.reserve()], [0, 0]);
  assert.ok(b.reserve() > 0);
});

test("take() waits and honours an abort", async () => {
  const b = new TokenBucket({ qps: 1, burst: 1 });
  await b.take();
  const ac = new AbortController();
  const p = b.take(ac.signal);
  ac.abort(new Error("stop"));
  await assert.rejects(p, /stop/);
});

test("rejects nonsensical settings", () => {
  assert.throws(() => new TokenBucket({ qps: 0, burst: 1 }), RangeError);
  assert.throws(() => new TokenBucket({ qps: 1, burst: 0 }), RangeError);
});
