// Unit tier of the reconcile runner: an in-memory informer and cache, a
// WorkQueue on a ManualClock, no cluster. What the cluster tier
// (test/runtime/controller.test.ts) checks end to end, this checks in
// milliseconds: backoff per key, TerminalError, the two actions, the escape
// hatch, and that a flood with reconciles re-enqueueing cannot deadlock.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Client } from "../../client/client.ts";
import { keyOf, type Cached, type ObjectRef } from "../../core/object.ts";
import { ConfigMap } from "../../kinds/index.ts";
import type { InformerLease } from "../cache/cache.ts";
import type { InformerHandler } from "../cache/informer.ts";
import { ManualClock } from "../../core/clock.ts";
import { ExponentialBackoffRateLimiter } from "../queue/rate-limiter.ts";
import { WorkQueue } from "../queue/work-queue.ts";
import { Action, TerminalError, type ReconcileAction } from "./action.ts";
import { Controller, type ControllerBuilder, type Reconciler } from "./builder.ts";
import { ControllerRunner, type RunnerCache } from "./runner.ts";
import { fromRequests } from "./sources.ts";

type Obj = Cached<ConfigMap> & { metadata: { name: string; namespace: string } };

function cm(name: string, rv = "1"): Obj {
  return Object.freeze({ apiVersion: "v1", kind: "ConfigMap", metadata: Object.freeze({ name, namespace: "ns", resourceVersion: rv }) }) as unknown as Obj;
}

/** An informer held in memory: `put` stores and fires `added`/`updated`, as a watch event would. */
class FakeInformer {
  readonly objects = new Map<string, Obj>();
  readonly handlers = new Set<InformerHandler<never>>();
  addHandler(h: InformerHandler<never>): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }
  get(key: string): Obj | undefined {
    return this.objects.get(key);
  }
  keys(): string[] {
    return [...this.objects.keys()];
  }
  put(obj: Obj, relist = false): void {
    const key = keyOf(obj.metadata);
    const previous = this.objects.get(key);
    this.objects.set(key, obj);
    for (const h of this.handlers) {
      if (previous) (h.updated as ((p: Obj, o: Obj, i: { relist: boolean }) => void) | undefined)?.(previous, obj, { relist });
      else (h.added as ((o: Obj, i: { relist: boolean }) => void) | undefined)?.(obj, { relist });
    }
  }
}

function fakeCache(informer: FakeInformer): RunnerCache & { released: number } {
  const cache = {
    released: 0,
    acquire: () => ({ informer, release: () => void cache.released++ }) as unknown as InformerLease<never>,
    get: () => undefined,
    list: () => [],
    waitForSync: () => Promise.resolve(),
    observeWrite: () => undefined,
    observeDelete: () => undefined,
  };
  return cache as unknown as RunnerCache & { released: number };
}

/** Lets promise callbacks and immediates run until `done()` holds (bounded: a test that waits forever says what it waited for). */
async function until(what: string, done: () => boolean, rounds = 2000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (done()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`still waiting for: ${what}`);
}

/** Yields to the event loop a few times, so that anything due now has run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

function harness(reconciler: Reconciler<ConfigMap>, options: { workers?: number; builder?: (b: ControllerBuilder<ConfigMap>) => void } = {}) {
  const clock = new ManualClock();
  const queue = new WorkQueue<string>({ clock, rateLimiter: new ExponentialBackoffRateLimiter({ baseDelayMs: 5 }) });
  const informer = new FakeInformer();
  const cache = fakeCache(informer);
  const events: { reason: string }[] = [];
  const builder = Controller.for(ConfigMap).named("unit").withOptions({ maxConcurrentReconciles: options.workers ?? 1, resyncPeriod: 0 });
  options.builder?.(builder);
  const definition = builder.reconcile(reconciler);
  const runner = new ControllerRunner(definition, { client: {} as Client, cache, recorder: { event: (_o, e) => void events.push({ reason: e.reason }) }, queue });
  runner.prepare();
  const stop = new AbortController();
  const running = runner.run(stop.signal, { drainMs: 0 });
  const close = async () => {
    stop.abort();
    await running;
  };
  return { clock, queue, informer, cache, runner, events, close };
}

describe("ControllerRunner (unit, fake cache and clock)", () => {
  test("a throwing reconcile is retried, and the backoff grows per key on the clock (5, 10, 20 ms), independently for each key", async () => {
    const calls = new Map<string, number>();
    const h = harness((o) => {
      calls.set(o.metadata.name, (calls.get(o.metadata.name) ?? 0) + 1);
      throw new Error("not yet");
    });
    const n = (k: string) => calls.get(k) ?? 0;
    h.informer.put(cm("a"));
    await until("the first reconcile of a", () => n("a") === 1);
    for (const [delay, expected] of [[5, 2], [10, 3], [20, 4]] as const) {
      h.clock.advance(delay - 1);
      await settle();
      assert.equal(n("a"), expected - 1, `a is not retried before ${delay} ms`);
      h.clock.advance(1);
      await until(`retry ${expected} of a after ${delay} ms`, () => n("a") === expected);
    }
    // Another key starts at the base delay: backoff is per key.
    h.informer.put(cm("b"));
    await until("the first reconcile of b", () => n("b") === 1);
    h.clock.advance(5);
    await until("b retried after 5 ms", () => n("b") === 2);
    assert.equal(h.queue.retries("ns/a"), 4);
    assert.equal(h.runner.status().errors, 6);
    await h.close();
  });

  test("TerminalError is recorded (Event with its reason) and not retried", async () => {
    let calls = 0;
    const h = harness(() => {
      calls++;
      throw new TerminalError("TooBig", "size 10 is more than 3");
    });
    h.informer.put(cm("t"));
    await until("the reconcile", () => calls === 1);
    h.clock.advance(10_000_000);
    await settle();
    assert.equal(calls, 1);
    assert.deepEqual(h.events, [{ reason: "TooBig" }]);
    assert.equal(h.queue.retries("ns/t"), 0);
    assert.match(h.runner.status().lastError?.message ?? "", /more than 3/);
    await h.close();
  });

  test("awaitChange forgets the backoff and waits for a change; requeueAfter comes back after exactly d", async () => {
    const results: ReconcileAction[] = [Action.requeueAfter("2s"), Action.awaitChange()];
    let calls = 0;
    let fail = true;
    const h = harness(() => {
      calls++;
      if (fail) {
        fail = false;
        throw new Error("once");
      }
      return results.shift() ?? Action.awaitChange();
    });
    h.informer.put(cm("r"));
    await until("first (failing) reconcile", () => calls === 1);
    h.clock.advance(5);
    await until("retry", () => calls === 2);
    assert.equal(h.queue.retries("ns/r"), 0, "requeueAfter forgot the backoff");
    h.clock.advance(1999);
    await settle();
    assert.equal(calls, 2, "not before 2 s");
    h.clock.advance(1);
    await until("requeued after 2 s", () => calls === 3);
    h.clock.advance(1_000_000);
    await settle();
    assert.equal(calls, 3, "awaitChange: nothing until a change");
    h.informer.put(cm("r", "2"));
    await until("reconciled on change", () => calls === 4);
    await h.close();
  });

  test("a reconciler that returns nothing fails with InvalidReconcileResult and is retried", async () => {
    let calls = 0;
    const h = harness((() => {
      calls++;
      return undefined;
    }) as unknown as Reconciler<ConfigMap>);
    h.informer.put(cm("v"));
    await until("reconcile", () => calls === 1);
    await until("recorded as an error", () => h.runner.status().errors === 1);
    assert.match(h.runner.status().lastError?.message ?? "", /Action\.awaitChange\(\)/);
    h.clock.advance(5);
    await until("retried", () => calls === 2);
    await h.close();
  });

  test("cannot deadlock: one worker, a flood of 2,000 keys, and reconciles that enqueue more keys and requeue themselves", async () => {
    const seen = new Set<string>();
    let calls = 0;
    const h: ReturnType<typeof harness> = harness((o) => {
      calls++;
      const name = o.metadata.name;
      seen.add(name);
      // Each of the first 200 reconciles adds a fresh object (an event enqueued from inside a reconcile), and every one asks to come back.
      if (calls <= 200) h.informer.put(cm(`extra-${calls}`));
      return Action.requeueAfter(1000);
    });
    for (let i = 0; i < 2000; i++) h.informer.put(cm(`k${i}`), true);
    await until("every key reconciled once", () => seen.size === 2200, 100_000);
    h.clock.advance(1000);
    await until("every key back after its requeueAfter", () => calls >= 4400, 100_000);
    assert.equal(h.queue.length, 0);
    await h.close();
    assert.equal(h.cache.released, 1, "the primary informer is released when the runner stops");
  });

  test("watchesSource: an AsyncIterable of requests becomes reconciles; the source stops with the runner", async () => {
    const reconciled: string[] = [];
    let pulled = 0;
    async function* requests(): AsyncGenerator<ObjectRef> {
      for (const name of ["x", "y", "missing"]) {
        pulled++;
        yield { namespace: "ns", name };
      }
      await new Promise(() => undefined); // then nothing more, until stopped
    }
    const h = harness(
      (o) => {
        reconciled.push(o.metadata.name);
        return Action.awaitChange();
      },
      { builder: (b) => void b.watchesSource(requests()) },
    );
    h.informer.objects.set("ns/x", cm("x"));
    h.informer.objects.set("ns/y", cm("y"));
    await until("both requests reconciled", () => reconciled.length === 2);
    assert.deepEqual(reconciled.sort(), ["x", "y"]);
    assert.equal(pulled, 3, "a request for an object not in the cache is dropped");
    await h.close();
  });

  test("a subscribe function is a source too; requests without a name are ignored", async () => {
    const reconciled: string[] = [];
    let emit: ((ref: ObjectRef) => void) | undefined;
    const recorded = harness((o) => {
      reconciled.push(o.metadata.name);
      return Action.awaitChange();
    });
    recorded.runner.addSource(
      fromRequests((e) => {
        emit = e;
      }),
    );
    recorded.informer.objects.set("ns/s", cm("s"));
    emit!({ namespace: "ns", name: "" });
    emit!({ namespace: "ns", name: "s" });
    await until("reconciled from the subscription", () => reconciled.length === 1);
    await recorded.close();
    emit!({ namespace: "ns", name: "s" });
    assert.equal(recorded.queue.length, 0, "nothing is enqueued once the runner stopped");
  });
});

describe("ControllerRunner: fenced after leadership is lost", () => {
  test("a reconcile that ignores its signal cannot write once leadership is lost: ctx writes are refused with Fenced and never reach the API", async () => {
    const written: string[] = [];
    const client = { fieldManager: "unit", transport: undefined, discovery: undefined, create: (_k: unknown, o: { metadata: { name: string } }) => (written.push(o.metadata.name), Promise.resolve(o)) } as unknown as Client;
    const informer = new FakeInformer();
    const cache = fakeCache(informer);
    const gate = Promise.withResolvers<void>();
    const outcomes: string[] = [];
    const definition = Controller.for(ConfigMap)
      .named("fenced")
      .withOptions({ maxConcurrentReconciles: 1, resyncPeriod: 0 })
      .reconcile(async (o, ctx) => {
        await ctx.client.create(ConfigMap, { metadata: { name: `${o.metadata.name}-before`, namespace: "ns" } });
        await gate.promise; // ignores ctx.signal
        try {
          await ctx.client.create(ConfigMap, { metadata: { name: `${o.metadata.name}-after`, namespace: "ns" } });
          outcomes.push("written");
        } catch (err) {
          outcomes.push((err as { code?: string }).code ?? String(err));
        }
        return Action.awaitChange();
      });
    const runner = new ControllerRunner(definition, { client, cache, recorder: { event: () => undefined }, queue: new WorkQueue<string>({ clock: new ManualClock() }) });
    runner.prepare();
    const stop = new AbortController();
    const leading = new AbortController();
    const running = runner.run(stop.signal, { drainMs: 0, leading: leading.signal });
    informer.put(cm("a"));
    await until("the first write", () => written.length === 1);
    leading.abort(new Error("lease lost"));
    gate.resolve();
    await until("the reconcile's second write attempt", () => outcomes.length === 1);
    assert.deepEqual(outcomes, ["Fenced"]);
    assert.deepEqual(written, ["a-before"], "nothing written after the loss");
    stop.abort();
    await running;
  });
});
