import assert from "node:assert/strict";
import { test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { ManualClock } from "../../core/clock.ts";
import { BucketRateLimiter, ExponentialBackoffRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter } from "./rate-limiter.ts";

test("exponential backoff: 5 ms, 10 ms, 20 ms, … capped at 1000 s, per key", () => {
  const backoff = new ExponentialBackoffRateLimiter();
  const delays = Array.from({ length: 30 }, () => backoff.when("a"));
  assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
  // 5 ms · 2^17 = 655.36 s is the last step below the cap; 5 ms · 2^18 = 1310.72 s is capped.
  assert.equal(delays[17], 655_360);
  assert.deepEqual(delays.slice(18), Array(12).fill(1_000_000));
  assert.equal(backoff.retries("a"), 30);
  assert.equal(backoff.when("b"), 5, "other keys have their own count");
  for (let i = 0; i < 2000; i++) backoff.when("c");
  assert.equal(backoff.when("c"), 1_000_000, "no overflow after many failures");
});

test("forget resets a key's backoff and retries", () => {
  const backoff = new ExponentialBackoffRateLimiter();
  backoff.when("a");
  backoff.when("a");
  backoff.when("b");
  backoff.forget("a");
  assert.equal(backoff.retries("a"), 0);
  assert.equal(backoff.when("a"), 5);
  assert.equal(backoff.retries("b"), 1, "forgetting a leaves b alone");
});

test("exponential backoff is configurable and validates its options", () => {
  const backoff = new ExponentialBackoffRateLimiter({ baseDelayMs: 100, maxDelayMs: 250 });
  assert.deepEqual([backoff.when("a"), backoff.when("a"), backoff.when("a")], [100, 200, 250]);
  assert.throws(() => new ExponentialBackoffRateLimiter({ baseDelayMs: 0 }), (e) => isOperantError(e, "InvalidQueueOptions"));
  assert.throws(() => new ExponentialBackoffRateLimiter({ baseDelayMs: 10, maxDelayMs: 5 }), (e) => isOperantError(e, "InvalidQueueOptions"));
});

test("bucket: the burst passes at once, then calls are spaced 1/qps apart, and it refills with time", () => {
  const clock = new ManualClock();
  const bucket = new BucketRateLimiter({ clock });
  const burst = Array.from({ length: 100 }, (_, i) => bucket.when(`k${i}`));
  assert.deepEqual(burst, Array(100).fill(0));
  assert.equal(Math.round(bucket.when("x")), 100);
  assert.equal(Math.round(bucket.when("y")), 200);
  assert.equal(bucket.retries("x"), 0);
  clock.advance(300); // pays back the two reservations and earns one token
  assert.equal(bucket.when("z"), 0);
  assert.ok(bucket.when("z") > 0);
  assert.throws(() => new BucketRateLimiter({ qps: 0 }), (e) => isOperantError(e, "InvalidQueueOptions"));
  assert.throws(() => new BucketRateLimiter({ burst: 0 }), (e) => isOperantError(e, "InvalidQueueOptions"));
});

test("max-of: the longest delay of all limiters, forget reaches all, retries is the highest", () => {
  const clock = new ManualClock();
  const limiter = new MaxOfRateLimiter(new ExponentialBackoffRateLimiter(), new BucketRateLimiter({ clock, qps: 10, burst: 3 }));
  assert.deepEqual([limiter.when("a"), limiter.when("a"), limiter.when("a")], [5, 10, 20], "per-key backoff dominates while the burst lasts");
  assert.equal(Math.round(limiter.when("b")), 100, "then the bucket's 100 ms beats b's 5 ms");
  assert.equal(limiter.retries("a"), 3);
  limiter.forget("a");
  assert.equal(limiter.retries("a"), 0);
  clock.advance(10_000);
  assert.equal(limiter.when("a"), 5);
  assert.throws(() => new MaxOfRateLimiter(), (e) => isOperantError(e, "InvalidQueueOptions"));
});

test("defaultControllerRateLimiter is max(5 ms → 1000 s per key, 10 qps / burst 100)", () => {
  const clock = new ManualClock();
  const limiter = defaultControllerRateLimiter({ clock });
  assert.equal(limiter.when("a"), 5);
  for (let i = 0; i < 99; i++) limiter.when(`k${i}`);
  assert.equal(Math.round(limiter.when("b")), 100);
  for (let i = 0; i < 40; i++) limiter.when("c");
  assert.equal(limiter.when("c"), 1_000_000);
  const tuned = defaultControllerRateLimiter({ clock, baseDelayMs: 1, maxDelayMs: 4, qps: Infinity });
  assert.deepEqual([tuned.when("a"), tuned.when("a"), tuned.when("a"), tuned.when("a")], [1, 2, 4, 4]);
});
