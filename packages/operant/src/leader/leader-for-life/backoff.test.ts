import assert from "node:assert/strict";
import { test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { ExponentialBackoff } from "./backoff.ts";

test("operator-sdk's sequence: 1, 2, 4, 8, 16, 16 s without jitter; reset starts over", () => {
  const b = new ExponentialBackoff({}, () => 0);
  assert.deepEqual(Array.from({ length: 7 }, () => b.next()), [1_000, 2_000, 4_000, 8_000, 16_000, 16_000, 16_000]);
  b.reset();
  assert.equal(b.next(), 1_000);
});

test("jitter stretches each wait by up to 20 %, never shortens it", () => {
  const high = new ExponentialBackoff({}, () => 0.999999);
  const waits = Array.from({ length: 6 }, () => high.next());
  assert.deepEqual(waits.map((w) => Math.round(w)), [1_200, 2_400, 4_800, 9_600, 19_200, 19_200]);
  const random = new ExponentialBackoff();
  for (let i = 0; i < 50; i++) {
    const w = random.next();
    const base = Math.min(1_000 * 2 ** i, 16_000);
    assert.ok(w >= base && w < base * 1.2, `${w} within [${base}, ${base * 1.2})`);
  }
});

test("custom ceiling, factor and jitter; invalid settings are refused", () => {
  const b = new ExponentialBackoff({ initial: "250ms", max: "1s", factor: 3, jitter: 0 });
  assert.deepEqual([b.next(), b.next(), b.next()], [250, 750, 1_000]);
  assert.throws(() => new ExponentialBackoff({ initial: 0 }), (e: unknown) => isOperantError(e, "InvalidArgument"));
  assert.throws(() => new ExponentialBackoff({ initial: "2s", max: "1s" }), (e: unknown) => isOperantError(e, "InvalidArgument"));
});
