import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock, systemClock } from "./clock.ts";

test("ManualClock runs due timers in order, at their due time, including timers set by callbacks", () => {
  const clock = new ManualClock(10);
  const fired: [string, number][] = [];
  clock.setTimer(() => fired.push(["b", clock.now()]), 20);
  const cancelled = clock.setTimer(() => fired.push(["x", clock.now()]), 5);
  clock.setTimer(() => {
    fired.push(["a", clock.now()]);
    clock.setTimer(() => fired.push(["c", clock.now()]), 5);
  }, 10);
  clock.setTimer(() => fired.push(["late", clock.now()]), 100, { unref: true });
  cancelled.cancel();
  assert.equal(clock.pendingTimers(), 3);
  assert.equal(clock.pendingTimers({ ref: true }), 2);
  assert.equal(clock.nextTimerAt(), 20);
  clock.advance(30);
  assert.deepEqual(fired, [["a", 20], ["c", 25], ["b", 30]]);
  assert.equal(clock.now(), 40);
  assert.equal(clock.pendingTimers(), 1);
});

test("systemClock fires and cancels real timers", async () => {
  const start = systemClock.now();
  await new Promise<void>((resolve) => systemClock.setTimer(resolve, 5));
  assert.ok(systemClock.now() - start >= 4);
  let ran = false;
  systemClock.setTimer(() => (ran = true), 1).cancel();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(ran, false);
});
