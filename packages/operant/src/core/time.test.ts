import assert from "node:assert/strict";
import { test } from "node:test";
import { abortable, jitter, sleep, toMillis } from "./time.ts";

test("durations parse like Go's", () => {
  assert.equal(toMillis("500ms"), 500);
  assert.equal(toMillis("30s"), 30_000);
  assert.equal(toMillis("1m30s"), 90_000);
  assert.equal(toMillis("1.5h"), 5_400_000);
  assert.equal(toMillis(42), 42);
});

test("invalid durations name the input", () => {
  assert.throws(() => toMillis("10 seconds"), /invalid duration "10 seconds"/);
  assert.throws(() => toMillis(""), /invalid duration ""/);
  assert.throws(() => toMillis("5"), /invalid duration "5"/);
  assert.throws(() => toMillis(-1), /invalid duration -1/);
});

test("sleep rejects with the abort reason", async () => {
  const ac = new AbortController();
  const p = sleep(10_000, ac.signal);
  ac.abort(new Error("shutting down"));
  await assert.rejects(p, /shutting down/);
  await assert.rejects(sleep(1, AbortSignal.abort(new Error("already"))), /already/);
});

test("jitter stays within its band", () => {
  for (let i = 0; i < 1000; i++) {
    const j = jitter(1000, 0.2);
    assert.ok(j >= 800 && j <= 1200, String(j));
  }
});

test("abortable settles with the promise, or rejects with the abort reason first while the promise goes on", async () => {
  assert.equal(await abortable(Promise.resolve(7), new AbortController().signal), 7);
  await assert.rejects(abortable(Promise.reject(new Error("inner")), new AbortController().signal), /inner/);
  await assert.rejects(abortable(new Promise(() => undefined), AbortSignal.abort(new Error("already"))), /already/);
  const ac = new AbortController();
  let finish!: (v: string) => void;
  const shared = new Promise<string>((resolve) => (finish = resolve));
  const waiting = abortable(shared, ac.signal);
  ac.abort(new Error("caller gave up"));
  await assert.rejects(waiting, /caller gave up/);
  finish("done");
  assert.equal(await shared, "done", "the shared promise is not cancelled");
});
