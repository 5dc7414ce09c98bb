import assert from "node:assert/strict";
import { test } from "node:test";
import { microTime, preciseNow } from "./micro-time.ts";

test("microTime prints six fractional digits in UTC", () => {
  assert.equal(microTime(Date.UTC(2025, 0, 1, 0, 0, 0, 123) + 0.456), "2025-01-01T00:00:00.123456Z");
  assert.equal(microTime(Date.UTC(2025, 0, 1)), "2025-01-01T00:00:00.000000Z");
  assert.equal(microTime(Date.UTC(2025, 11, 31, 23, 59, 59, 999) + 0.9995), "2025-12-31T23:59:59.999999Z");
  assert.match(microTime(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

test("preciseNow is wall-clock time", () => {
  assert.ok(Math.abs(preciseNow() - Date.now()) < 5);
});
