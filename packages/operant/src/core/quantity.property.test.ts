// Property tests of quantities: what parses is what the API server's pattern
// accepts (minus decimal exponents, which its parser refuses too), parsing is
// exact (suffixes agree with each other), and no input, however hostile (a
// tenant can write "1e999999999" in a CRD field with QUANTITY_PATTERN),
// does anything but parse or throw InvalidQuantity, quickly.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fuzz } from "../../test/support/fuzz.ts";
import { isOperantError } from "./errors.ts";
import { compareQuantities, isQuantity, parseQuantity, QUANTITY_PATTERN } from "./quantity.ts";

const pattern = new RegExp(QUANTITY_PATTERN);
const digits = fc.stringMatching(/^[0-9]{1,12}$/);
const number = fc.oneof(digits, fc.tuple(digits, fc.stringMatching(/^[0-9]{0,6}$/)).map(([a, b]) => `${a}.${b}`), fc.stringMatching(/^[0-9]{1,6}$/).map((b) => `.${b}`));
const suffix = fc.oneof(
  fc.constantFrom("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"),
  fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), fc.integer({ min: 0, max: 40 })).map(([e, s, n]) => `${e}${s}${n}`),
);
const quantity = fc.tuple(fc.constantFrom("", "+", "-"), number, suffix).map(([s, n, x]) => `${s}${n}${x}`);

test("property: generated quantities parse, match QUANTITY_PATTERN, and compare equal to their value in other suffixes", async (t) => {
  await fuzz(
    t,
    "quantity (valid)",
    fc.property(quantity, (q) => {
      assert.ok(pattern.test(q), q);
      const p = parseQuantity(q);
      assert.ok(p.denominator > 0n);
      assert.equal(compareQuantities(q, q), 0);
      // The same value written exactly in milli-units, when it is a whole number of them, compares equal.
      const milli = p.numerator * 1000n;
      if (milli % p.denominator === 0n) assert.equal(compareQuantities(q, `${milli / p.denominator}m`), 0, q);
      // A binary suffix multiplies exactly: qKi = q × 1024.
      if (/^[+-]?[0-9.]+$/.test(q)) {
        const k = parseQuantity(`${q}Ki`);
        assert.equal(k.numerator * p.denominator, p.numerator * 1024n * k.denominator, q);
      }
    }),
    { numRuns: 500 },
  );
});

test("property: any string either parses (and then matches the API server's pattern) or throws InvalidQuantity", async (t) => {
  const near = fc.stringMatching(/^[+-]?[0-9.]{0,6}([eE][+-]?[0-9.]{0,12}|[KMGTPE]i?|[numk]|[a-zA-Z]{0,2})?$/);
  await fuzz(
    t,
    "quantity (arbitrary strings)",
    fc.property(fc.oneof(fc.string({ maxLength: 16 }), near), (s) => {
      let parsed = false;
      try {
        parseQuantity(s);
        parsed = true;
      } catch (err) {
        assert.ok(isOperantError(err, "InvalidQuantity"), `${JSON.stringify(s)}: ${String(err)}`);
      }
      if (parsed) assert.ok(pattern.test(s.trim()), `${JSON.stringify(s)} parsed but the API server's pattern refuses it`);
      else if (pattern.test(s)) assert.match(s, /[eE][+-]?([0-9]*\.|\.)|[eE][+-]?[0-9]{4,}/, `${JSON.stringify(s)} matches the pattern but did not parse`);
      assert.equal(isQuantity(s), parsed);
    }),
    { numRuns: 2000 },
  );
});

// Found while writing the property above: "1e999999999" made parseQuantity compute 10^999999999 as a BigInt, about
// 90 s of CPU on this machine before a RangeError (not InvalidQuantity). Exponents are now bounded.
test("huge exponents are refused at once with InvalidQuantity, not computed", () => {
  for (const q of ["1e999999999", "1E-999999999", "5e99999999999999999999", "1e1001"]) {
    const cpu = process.cpuUsage();
    assert.throws(() => parseQuantity(q), (err) => isOperantError(err, "InvalidQuantity") && /exponent/.test(err.message), q);
    const used = process.cpuUsage(cpu);
    assert.ok(used.user + used.system < 1_000_000, `${q}: ${(used.user + used.system) / 1000} ms of CPU`);
  }
  assert.equal(compareQuantities("1e1000", "1e999"), 1);
  assert.equal(compareQuantities("1e-1000", "0"), 1);
});
