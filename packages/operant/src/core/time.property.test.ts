// Property tests of durations: Go-style strings add up their parts, and any
// other input is a RangeError naming it, never a wrong number (NaN, Infinity,
// a negative).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fuzz } from "../../test/support/fuzz.ts";
import { toMillis } from "./time.ts";

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;

test("property: a duration string is the sum of its parts", async (t) => {
  const part = fc.tuple(fc.oneof(fc.nat(100_000), fc.double({ min: 0, max: 1000, noNaN: true }).map((d) => Math.round(d * 1000) / 1000)), fc.constantFrom<keyof typeof UNIT_MS>("h", "m", "s", "ms"));
  await fuzz(
    t,
    "duration (valid)",
    fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
      const text = parts.map(([n, u]) => `${n}${u}`).join("");
      const want = parts.reduce((sum, [n, u]) => sum + Number(String(n)) * UNIT_MS[u], 0);
      assert.ok(Math.abs(toMillis(text) - want) <= Math.abs(want) * 1e-12, `${text}: ${toMillis(text)} ≠ ${want}`);
    }),
    { numRuns: 500 },
  );
});

test("property: any string or number is a finite non-negative duration or a RangeError", async (t) => {
  const near = fc.stringMatching(/^[0-9.]{0,8}(ms|s|m|h|d|us|)([0-9.]{0,3}(ms|s|m|h))?$/);
  const huge = fc.tuple(fc.integer({ min: 1, max: 400 }), fc.constantFrom("h", "m", "s", "ms")).map(([n, u]) => `${"9".repeat(n)}${u}`);
  await fuzz(
    t,
    "duration (arbitrary input)",
    fc.property(fc.oneof(fc.string({ maxLength: 12 }), near, huge, fc.double(), fc.integer()), (d) => {
      let ms: number;
      try {
        ms = toMillis(d);
      } catch (err) {
        assert.ok(err instanceof RangeError, `${String(d)}: ${String(err)}`);
        assert.ok(err.message.includes(String(d).slice(0, 20)), err.message);
        return;
      }
      assert.ok(Number.isFinite(ms) && ms >= 0, `${JSON.stringify(d)} gave ${ms}`);
    }),
    { numRuns: 2000 },
  );
});

// Found while writing the property above: "9…9h" with 400 digits was accepted as a duration of Infinity ms.
test("a duration too large to be a number of milliseconds is a RangeError, not Infinity", () => {
  assert.throws(() => toMillis(`${"9".repeat(400)}h`), RangeError);
  assert.throws(() => toMillis("1e400"), RangeError);
});
