import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { isOperantError } from "../../core/errors.ts";
import { ManualClock } from "../../core/clock.ts";
import type { WorkQueueMetrics } from "./metrics.ts";
import { ExponentialBackoffRateLimiter } from "./rate-limiter.ts";
import { Priority, WorkQueue } from "./work-queue.ts";

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gets a key that must be there already, and marks it done. */
async function take<K>(queue: WorkQueue<K>): Promise<K | undefined> {
  const key = await queue.get();
  if (key !== undefined) queue.done(key);
  return key;
}

/** Hands out everything queued right now, in order, marking each done. */
async function drainOrder<K>(queue: WorkQueue<K>): Promise<K[]> {
  const order: K[] = [];
  while (queue.length > 0) order.push((await take(queue))!);
  return order;
}

function recordingMetrics() {
  const seen = { depth: new Map<number, number>(), added: 0, queueDurations: [] as number[], workDurations: [] as number[], unfinished: [] as [number, number][], retried: 0 };
  const metrics: WorkQueueMetrics = {
    depth: (priority, delta) => seen.depth.set(priority, (seen.depth.get(priority) ?? 0) + delta),
    added: () => seen.added++,
    queueDuration: (s) => seen.queueDurations.push(s),
    workDuration: (s) => seen.workDurations.push(s),
    unfinishedWork: (u, l) => seen.unfinished.push([u, l]),
    retried: () => seen.retried++,
  };
  return { seen, metrics };
}

test("a key waiting in the queue is held once", { timeout: 5_000 }, async () => {
  const queue = new WorkQueue({ clock: new ManualClock() });
  queue.add("a");
  queue.add("b");
  queue.add("a");
  queue.add("a", { priority: Priority.Low });
  assert.equal(queue.length, 2);
  assert.deepEqual(await drainOrder(queue), ["a", "b"]);
});

test("a key re-added while in flight is parked, then queued when done() is called", { timeout: 5_000 }, async () => {
  const queue = new WorkQueue({ clock: new ManualClock() });
  queue.add("a");
  assert.equal(await queue.get(), "a");
  queue.add("a");
  queue.add("a");
  assert.equal(queue.length, 0, "not handed out to a second worker while in flight");
  let second: string | undefined;
  const waiting = queue.get().then((k) => (second = k));
  await macrotask();
  assert.equal(second, undefined);
  queue.done("a");
  await waiting;
  assert.equal(second, "a");
  queue.done("a");
  assert.equal(queue.length, 0, "the two adds while in flight made one more run, not two");
});

test("concurrent workers never hold the same key at once, and no add is lost", { timeout: 5_000 }, async () => {
  const queue = new WorkQueue({ clock: new ManualClock() });
  const next = random(7);
  const keys = ["a", "b", "c", "d", "e"];
  const held = new Set<string>();
  // Keys added since their last run started: each must run again.
  const owed = new Set<string>();
  let maxHeld = 0;
  let runs = 0;
  const worker = async () => {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      assert.ok(!held.has(key), `${key} handed to two workers at once`);
      held.add(key);
      owed.delete(key);
      maxHeld = Math.max(maxHeld, held.size);
      runs++;
      const pauses = Math.floor(next() * 4);
      for (let i = 0; i < pauses; i++) await macrotask();
      held.delete(key);
      queue.done(key);
    }
  };
  const workers = Array.from({ length: 4 }, () => worker());
  for (let i = 0; i < 2000; i++) {
    const key = keys[Math.floor(next() * keys.length)]!;
    queue.add(key, { priority: next() < 0.5 ? Priority.High : Priority.Low });
    owed.add(key);
    if (next() < 0.5) await macrotask();
  }
  await queue.shutdown({ drain: true });
  await Promise.all(workers);
  assert.deepEqual([...owed], [], "every add was followed by a run of its key");
  assert.ok(maxHeld > 1, "workers did run concurrently");
  assert.ok(runs < 2000, "adds of waiting keys were deduplicated");
});

test("higher priority is served first, FIFO within a priority", { timeout: 5_000 }, async () => {
  const queue = new WorkQueue({ clock: new ManualClock() });
  queue.add("l1", { priority: Priority.Low });
  queue.add("h1");
  queue.add("l2", { priority: Priority.Low });
  queue.add("h2", { priority: Priority.High });
  queue.add("top", { priority: 10 });
  assert.deepEqual(await drainOrder(queue), ["top", "h1", "h2", "l1", "l2"]);
});

test("many distinct priorities are served highest first", { timeout: 5_000 }, async () => {
  const queue = new WorkQueue<number>({ clock: new ManualClock(), starvationLimit: Infinity });
  const priorities = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
  for (const p of priorities) queue.add(p, { priority: p });
  assert.deepEqual(await drainOrder(queue), Array.from({ length: 100 }, (_, i) => 99 - i));
  queue.add(1000, { priority: -5 });
  queue.add(1001, { priority: 5 });
  assert.deepEqual(await drainOrder(queue), [1001, 1000]);
});

test("a flood of high-priority keys cannot starve low ones: 1 in (starvationLimit+1) hand-outs", { timeout: 5_000 }, async () => {
  const serve = async (starvationLimit: number) => {
    const queue = new WorkQueue({ clock: new ManualClock(), starvationLimit });
    for (let i = 0; i < 20; i++) queue.add(`low-${i}`, { priority: Priority.Low });
    for (let i = 0; i < 5; i++) queue.add(`high-${i}`);
    const order: string[] = [];
    for (let i = 0; i < 200; i++) {
      order.push((await take(queue))!);
      queue.add(`high-${i + 5}`); // a fresh event arrives for every key served
    }
    return order;
  };
  const order = await serve(4);
  const lows = order.map((k, i) => [k, i + 1] as const).filter(([k]) => k.startsWith("low-"));
  assert.deepEqual(lows.map(([k]) => k), Array.from({ length: 20 }, (_, i) => `low-${i}`), "all low keys served, in order");
  for (const [i, [, position]] of lows.entries()) assert.ok(position <= (i + 1) * 5, `low-${i} served at ${position}, bound ${(i + 1) * 5}`);
  assert.equal(order.slice(0, 50).filter((k) => k.startsWith("low-")).length, 10, "exactly 1 in 5 while both wait");
  assert.equal(order[0], "high-0", "fresh events still go first");

  const strict = await serve(Infinity);
  assert.equal(strict.filter((k) => k.startsWith("low-")).length, 0, "strict priority (Infinity) starves, as documented");
});

test("the default starvation limit serves a low key after 9 high ones", { timeout: 5_000 }, async () => {
  const queue = new WorkQueue({ clock: new ManualClock() });
  queue.add("low", { priority: Priority.Low });
  for (let i = 0; i < 20; i++) queue.add(`high-${i}`);
  const order = await drainOrder(queue);
  assert.equal(order.indexOf("low"), 9);
});

test("the starvation slot goes to the lower-priority key that waited longest", { timeout: 5_000 }, async () => {
  const queue = new WorkQueue({ clock: new ManualClock(), starvationLimit: 1 });
  queue.add("p-200", { priority: -200 });
  queue.add("p-100", { priority: -100 });
  queue.add("h1");
  queue.add("h2");
  assert.deepEqual(await drainOrder(queue), ["h1", "p-200", "h2", "p-100"]);
});

test("a waiting low-priority key added at high priority is promoted, never demoted", { timeout: 5_000 }, async () => {
  const { seen, metrics } = recordingMetrics();
  const queue = new WorkQueue({ clock: new ManualClock(), metrics });
  queue.add("l1", { priority: Priority.Low });
  queue.add("l2", { priority: Priority.Low });
  queue.add("h1");
  queue.add("l2"); // promoted: now queued behind h1
  queue.add("h1", { priority: Priority.Low }); // not demoted
  assert.equal(queue.length, 3);
  assert.equal(seen.depth.get(Priority.Low), 1);
  assert.equal(seen.depth.get(Priority.High), 2);
  assert.deepEqual(await drainOrder(queue), ["h1", "l2", "l1"]);
});

test("a key parked behind its in-flight run keeps the highest priority it was added with", { timeout: 5_000 }, async () => {
  const queue = new WorkQueue({ clock: new ManualClock() });
  queue.add("a");
  assert.equal(await queue.get(), "a");
  queue.add("a", { priority: Priority.Low });
  queue.add("b", { priority: Priority.Low });
  queue.add("a");
  queue.done("a");
  assert.deepEqual(await drainOrder(queue), ["a", "b"]);
});

test("addAfter: keys fall due in time order on one timer; the earliest of several delays wins", { timeout: 5_000 }, async () => {
  const clock = new ManualClock();
  const queue = new WorkQueue({ clock });
  queue.addAfter("a", 300);
  queue.addAfter("b", 100);
  queue.addAfter("c", 200);
  queue.addAfter("a", 150); // earlier: wins
  queue.addAfter("b", 500); // later: ignored
  assert.equal(queue.delayed, 3);
  assert.equal(clock.pendingTimers(), 1, "one timer for all delayed keys");
  clock.advance(99);
  assert.equal(queue.length, 0);
  clock.advance(1);
  assert.deepEqual(await drainOrder(queue), ["b"]);
  clock.advance(100);
  assert.deepEqual(await drainOrder(queue), ["a", "c"]);
  clock.advance(1000);
  assert.equal(queue.length, 0, "superseded delays do not add the keys again");
  assert.equal(clock.pendingTimers(), 0);
});

test("add() cancels a pending delay; a waiting key ignores addAfter; addAfter(<= 0) adds now", { timeout: 5_000 }, async () => {
  const clock = new ManualClock();
  const queue = new WorkQueue({ clock });
  queue.addAfter("a", 500);
  queue.add("a");
  assert.equal(queue.delayed, 0);
  assert.equal(clock.pendingTimers(), 0);
  queue.addAfter("a", 100); // already waiting: due sooner anyway
  assert.equal(queue.delayed, 0);
  assert.deepEqual(await drainOrder(queue), ["a"]);
  queue.addAfter("b", 0);
  queue.addAfter("c", -5);
  assert.deepEqual(await drainOrder(queue), ["b", "c"]);
  clock.advance(1000);
  assert.equal(queue.length, 0);
});

test("a delayed key falling due while in flight is parked until done", { timeout: 5_000 }, async () => {
  const clock = new ManualClock();
  const queue = new WorkQueue({ clock });
  queue.add("a");
  assert.equal(await queue.get(), "a");
  queue.addAfter("a", 50, { priority: Priority.Low });
  clock.advance(50);
  assert.equal(queue.length, 0);
  queue.done("a");
  assert.equal(queue.length, 1);
});

test("a get waiting on an empty queue receives a delayed key when it falls due", { timeout: 5_000 }, async () => {
  const clock = new ManualClock();
  const queue = new WorkQueue({ clock });
  const got = queue.get();
  queue.addAfter("a", 1000);
  clock.advance(1000);
  assert.equal(await got, "a");
});

test("addRateLimited delays by the rate limiter; forget resets it; retries counts", { timeout: 5_000 }, async () => {
  const clock = new ManualClock();
  const queue = new WorkQueue({ clock, rateLimiter: new ExponentialBackoffRateLimiter() });
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    delays.push(queue.addRateLimited("a"));
    clock.advance(delays.at(-1)! - 1);
    assert.equal(queue.length, 0, "not before its delay");
    clock.advance(1);
    assert.equal(await take(queue), "a");
  }
  assert.deepEqual(delays, [5, 10, 20, 40]);
  assert.equal(queue.retries("a"), 4);
  queue.forget("a");
  assert.equal(queue.retries("a"), 0);
  assert.equal(queue.addRateLimited("a"), 5);
});

test("the default rate limiter is controller-runtime's: 5 ms per key, then the overall bucket", () => {
  const queue = new WorkQueue({ clock: new ManualClock() });
  assert.equal(queue.addRateLimited("a"), 5);
  assert.equal(queue.addRateLimited("a"), 10);
  for (let i = 0; i < 98; i++) queue.addRateLimited(`k${i}`);
  assert.equal(queue.addRateLimited("fresh"), 100, "burst of 100 spent: the bucket's 100 ms beats the key's 5 ms");
  void queue.shutdown();
});

test("get(signal) rejects with the signal's reason and leaves the queue as it was", { timeout: 5_000 }, async () => {
  const queue = new WorkQueue({ clock: new ManualClock() });
  const ac = new AbortController();
  const pending = queue.get(ac.signal);
  ac.abort(new Error("worker stopping"));
  await assert.rejects(pending, /worker stopping/);
  await assert.rejects(queue.get(ac.signal), /worker stopping/);
  queue.add("a");
  assert.equal(queue.length, 1, "the aborted get did not take the key");
  assert.equal(await queue.get(), "a");
});

test("shutdown without drain: waiting gets resolve undefined at once, queued keys are dropped, adds are ignored", { timeout: 5_000 }, async () => {
  const clock = new ManualClock();
  const { seen, metrics } = recordingMetrics();
  const queue = new WorkQueue({ clock, metrics });
  queue.add("a");
  assert.equal(await queue.get(), "a");
  const first = queue.get();
  queue.add("b"); // goes to the waiting get
  assert.equal(await first, "b");
  queue.add("c");
  queue.add("d", { priority: Priority.Low });
  queue.addAfter("later", 10_000);
  await queue.shutdown();
  assert.equal(queue.shuttingDown, true);
  assert.equal(await queue.get(), undefined, "c and d were dropped");
  queue.add("e");
  queue.addAfter("f", 1);
  assert.equal(queue.addRateLimited("g"), 0);
  clock.advance(20_000);
  assert.equal(await queue.get(), undefined);
  assert.equal(queue.delayed, 0);
  assert.equal(clock.pendingTimers(), 0, "delay and metrics timers cleared");
  assert.equal(seen.depth.get(Priority.High), 0, "dropped keys leave the depth");
  assert.equal(seen.depth.get(Priority.Low), 0);
  assert.equal(queue.inFlight, 2, "in-flight keys are the workers' to finish");
  queue.done("a");
  assert.equal(queue.inFlight, 1);

  const idle = new WorkQueue({ clock: new ManualClock() });
  const waiting = [idle.get(), idle.get()];
  let settled = false;
  void Promise.all(waiting).then(() => (settled = true));
  await idle.shutdown();
  await macrotask();
  assert.equal(settled, true, "waiting gets resolved without any time passing");
  assert.deepEqual(await Promise.all(waiting), [undefined, undefined]);
});

test("shutdown with drain: hands out what is queued, waits for in-flight keys, loses none", { timeout: 5_000 }, async () => {
  const clock = new ManualClock();
  const queue = new WorkQueue({ clock });
  for (const k of ["a", "b", "c"]) queue.add(k);
  queue.addAfter("delayed", 100);
  assert.equal(await queue.get(), "a");
  queue.add("a"); // parked behind its own run
  let finished = false;
  const shutdown = queue.shutdown({ drain: true }).then(() => (finished = true));
  queue.add("ignored");
  assert.equal(clock.pendingTimers(), 0, "the delay timer is cleared");
  const processed: string[] = [];
  // A second worker: gets b and c, then waits while a is in flight.
  const second = (async () => {
    for (let k = await queue.get(); k !== undefined; k = await queue.get()) {
      processed.push(k);
      queue.done(k);
    }
  })();
  await macrotask();
  assert.deepEqual(processed, ["b", "c"]);
  assert.equal(finished, false, "a is still in flight");
  queue.done("a");
  await shutdown;
  await second;
  assert.deepEqual(processed, ["b", "c", "a"], "the re-added a was handed out during the drain");
  assert.equal(finished, true);
  assert.equal(await queue.get(), undefined);
  assert.equal(queue.inFlight, 0);
});

test("shutdown with drain resolves at once when idle, and a signal cuts a drain short", { timeout: 5_000 }, async () => {
  const idle = new WorkQueue({ clock: new ManualClock() });
  const waiting = idle.get();
  await idle.shutdown({ drain: true });
  assert.equal(await waiting, undefined);

  const queue = new WorkQueue({ clock: new ManualClock() });
  queue.add("a");
  queue.add("b");
  assert.equal(await queue.get(), "a");
  const ac = new AbortController();
  const shutdown = queue.shutdown({ drain: true, signal: ac.signal });
  ac.abort();
  await shutdown;
  assert.equal(await queue.get(), undefined);
});

test("metrics: depth per priority rises and falls, adds, latencies, retries, unfinished work", { timeout: 5_000 }, async () => {
  const clock = new ManualClock(1_000);
  const { seen, metrics } = recordingMetrics();
  const queue = new WorkQueue({ clock, metrics, unfinishedWorkIntervalMs: 500 });
  queue.add("a");
  queue.add("b", { priority: Priority.Low });
  queue.add("a"); // deduplicated: not an add
  assert.deepEqual([...seen.depth], [[0, 1], [-100, 1]]);
  assert.equal(seen.added, 2);
  clock.advance(250);
  assert.equal(await queue.get(), "a");
  assert.deepEqual(seen.depth.get(0), 0);
  assert.deepEqual(seen.queueDurations, [0.25]);
  clock.advance(500);
  assert.equal(await queue.get(), "b");
  assert.deepEqual(seen.queueDurations, [0.25, 0.75]);
  assert.deepEqual(seen.depth.get(-100), 0);
  assert.deepEqual(seen.unfinished, [[0.5, 0.5]], "a in flight for 500 ms at the first tick");
  clock.advance(500);
  assert.deepEqual(seen.unfinished.at(-1), [1 + 0.5, 1], "a for 1 s, b for 0.5 s");
  assert.equal(clock.pendingTimers({ ref: true }), 0, "the metrics timer does not keep the process alive");
  queue.done("a");
  assert.deepEqual(seen.workDurations, [1]);
  clock.advance(100);
  queue.done("b");
  assert.deepEqual(seen.workDurations, [1, 0.6]);
  assert.deepEqual(seen.unfinished.at(-1), [0, 0], "zeros once nothing is in flight");
  assert.equal(clock.pendingTimers(), 0, "no metrics timer while idle");

  queue.addRateLimited("c");
  queue.addAfter("d", 10);
  queue.addAfter("e", 0);
  assert.equal(seen.retried, 3);
  assert.equal(seen.added, 3, "delayed keys are not added until due");
  clock.advance(1_000);
  assert.equal(seen.added, 5);
  assert.equal(seen.depth.get(0), 3);
  await queue.shutdown();
});

test("metrics: keys done within one interval cost no unfinished-work reports", { timeout: 5_000 }, async () => {
  const clock = new ManualClock();
  const { seen, metrics } = recordingMetrics();
  const queue = new WorkQueue({ clock, metrics });
  for (let i = 0; i < 3; i++) {
    queue.add("a");
    await take(queue);
    clock.advance(100);
  }
  assert.deepEqual(seen.unfinished, []);
  assert.equal(seen.workDurations.length, 3);
  assert.equal(clock.pendingTimers(), 0);
});

test("invalid arguments and options throw coded errors", () => {
  const queue = new WorkQueue({ clock: new ManualClock() });
  assert.throws(() => queue.add("a", { priority: 1.5 }), (e) => isOperantError(e, "InvalidQueueArgument"));
  assert.throws(() => queue.addAfter("a", Number.NaN), (e) => isOperantError(e, "InvalidQueueArgument"));
  assert.throws(() => queue.addAfter("a", Infinity), (e) => isOperantError(e, "InvalidQueueArgument"));
  assert.throws(() => new WorkQueue({ starvationLimit: 0 }), (e) => isOperantError(e, "InvalidQueueOptions"));
  assert.throws(() => new WorkQueue({ unfinishedWorkIntervalMs: 0 }), (e) => isOperantError(e, "InvalidQueueOptions"));
  assert.equal(queue.length, 0);
});

test("keys need not be strings: any Map key works", { timeout: 5_000 }, async () => {
  const queue = new WorkQueue<number>({ clock: new ManualClock() });
  queue.add(1);
  queue.add(2);
  queue.add(1);
  assert.deepEqual(await drainOrder(queue), [1, 2]);
});

test("a process using the real clock exits promptly after shutdown, even with long delays pending", () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const script = `
    import { WorkQueue } from ${JSON.stringify(join(here, "index.ts"))};
    import { Registry } from "prom-client";
    import { prometheusWorkQueueMetrics } from ${JSON.stringify(join(here, "prometheus.ts"))};
    const queue = new WorkQueue({ metrics: prometheusWorkQueueMetrics({ registry: new Registry(), name: "exit" }) });
    queue.addAfter("far", 600_000);
    queue.addRateLimited("retry");
    queue.add("now");
    const key = await queue.get();
    const pending = queue.get();
    await queue.shutdown();
    console.log(key, await pending);
  `;
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000, cwd: here });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "now undefined");
  assert.ok(Date.now() - started < 10_000, "exited without waiting for the delays");
});
