import assert from "node:assert/strict";
import { test } from "node:test";
import { isOperantError } from "./errors.ts";
import { compareQuantities, isQuantity, parseQuantity, QUANTITY_PATTERN } from "./quantity.ts";

test("parseQuantity: plain numbers, decimal and binary suffixes, exponents, exact fractions", () => {
  assert.deepEqual(parseQuantity("2"), { numerator: 2n, denominator: 1n });
  assert.deepEqual(parseQuantity(3), { numerator: 3n, denominator: 1n });
  assert.deepEqual(parseQuantity("500m"), { numerator: 1n, denominator: 2n });
  assert.deepEqual(parseQuantity("1Ki"), { numerator: 1024n, denominator: 1n });
  assert.deepEqual(parseQuantity("1.5Gi"), { numerator: 1610612736n, denominator: 1n });
  assert.deepEqual(parseQuantity("10G"), { numerator: 10_000_000_000n, denominator: 1n });
  assert.deepEqual(parseQuantity("3e2"), { numerator: 300n, denominator: 1n });
  assert.deepEqual(parseQuantity("25E-1"), { numerator: 5n, denominator: 2n });
  assert.deepEqual(parseQuantity("-.5"), { numerator: -1n, denominator: 2n });
  assert.deepEqual(parseQuantity("100n"), { numerator: 1n, denominator: 10_000_000n });
  assert.deepEqual(parseQuantity("1E"), { numerator: 10n ** 18n, denominator: 1n });
});

test("parseQuantity refuses what the API server refuses, with InvalidQuantity", () => {
  for (const bad of ["", "1GB", "Gi", "1.2.3", "1 Gi", "abc", "1Kib", "1e"]) {
    assert.throws(() => parseQuantity(bad), (err) => isOperantError(err, "InvalidQuantity") && /is not a Kubernetes quantity/.test(err.message), bad);
    assert.equal(isQuantity(bad), false, bad);
  }
  assert.throws(() => parseQuantity(Number.NaN), (err) => isOperantError(err, "InvalidQuantity"));
});

test("compareQuantities compares values across suffixes", () => {
  assert.equal(compareQuantities("1Gi", "1024Mi"), 0);
  assert.equal(compareQuantities("1G", "1Gi"), -1);
  assert.equal(compareQuantities("2Gi", "1Gi"), 1);
  assert.equal(compareQuantities("1500m", "1.5"), 0);
  assert.equal(compareQuantities("0.1", "99m"), 1);
});

test("QUANTITY_PATTERN agrees with the parser on valid quantities", () => {
  const re = new RegExp(QUANTITY_PATTERN);
  for (const good of ["1", "1Gi", "500m", "1.5G", "3e2", "+2", ".5Mi", "100n"]) {
    assert.ok(re.test(good), good);
    assert.ok(isQuantity(good), good);
  }
  for (const bad of ["1GB", "Gi", "1 Gi"]) assert.equal(re.test(bad), false, bad);
});
