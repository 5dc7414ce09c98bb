// The recorder's aggregation, scheduling and failure handling, against an
// in-memory sink standing in for the client (the real API server is in
// test/runtime/events.test.ts). Failures the API server cannot be made to
// produce on demand (5xx, refusals, expired Events) are injected here.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import type { Kind, KindInput } from "../../core/kind.ts";
import type { KubeObject, ObjectRef, Stored } from "../../core/object.ts";
import { CapturingLogger } from "../../core/logger.ts";
import { ApiError } from "../../client/transport/api-error.ts";
import type { Event } from "../../kinds/index.ts";
import { EventRecorder, truncateBytes, type EventRecorderOptions } from "./recorder.ts";

interface Call {
  verb: "create" | "patch";
  namespace: string;
  name: string;
  body: Record<string, unknown>;
}

class Sink {
  readonly calls: Call[] = [];
  readonly failures: Error[] = [];
  readonly stored = new Map<string, Record<string, unknown>>();

  create<T extends KubeObject, I extends KubeObject = never>(_kind: Kind<T, I>, obj: KindInput<T, I>): Promise<Stored<T>> {
    const m = obj.metadata!;
    this.calls.push({ verb: "create", namespace: m.namespace!, name: m.name!, body: structuredClone(obj) as Record<string, unknown> });
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    this.stored.set(`${m.namespace}/${m.name}`, structuredClone(obj) as Record<string, unknown>);
    return Promise.resolve(obj as unknown as Stored<T>);
  }

  patch<T extends KubeObject>(_kind: Kind<T>, ref: ObjectRef, body: unknown): Promise<Stored<T>> {
    this.calls.push({ verb: "patch", namespace: ref.namespace!, name: ref.name, body: structuredClone(body) as Record<string, unknown> });
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    const key = `${ref.namespace}/${ref.name}`;
    const old = this.stored.get(key);
    if (!old) return Promise.reject(apiError(404, "NotFound"));
    const next = { ...old, ...(body as Record<string, unknown>) };
    this.stored.set(key, next);
    return Promise.resolve(next as Stored<T>);
  }

  events(): Event[] {
    return [...this.stored.values()] as Event[];
  }
}

const apiError = (status: number, reason: string) => new ApiError({ method: "POST", path: "/apis/events.k8s.io/v1/namespaces/ns/events", status, body: { reason, message: reason } });

const pod = (name = "web-1", namespace: string | undefined = "ns"): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name, uid: `uid-${name}`, ...(namespace && { namespace }) } });

/** Lets the recorder's writer run what is due (a few turns of the event loop). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

function recorder(sink: Sink, options: Partial<EventRecorderOptions> = {}) {
  return new EventRecorder(sink, { reportingController: "example.com/test-operator", reportingInstance: "test-1", retryDelay: "5ms", ...options });
}

describe("EventRecorder (in-memory sink)", () => {
  test("an event becomes an events.k8s.io/v1 Event with MicroTime, reference and reporting fields", async () => {
    const sink = new Sink();
    const r = recorder(sink);
    r.event(pod(), { type: "Normal", reason: "Started", action: "Reconcile", note: "started it" });
    await r.flush();
    assert.equal(sink.calls.length, 1);
    const ev = sink.calls[0]!.body as Event;
    assert.equal(ev.apiVersion, "events.k8s.io/v1");
    assert.equal(ev.metadata?.namespace, "ns");
    assert.match(ev.metadata?.name ?? "", /^web-1\.[0-9a-f]+$/);
    assert.match(ev.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.deepEqual(ev.regarding, { apiVersion: "v1", kind: "Pod", name: "web-1", namespace: "ns", uid: "uid-web-1" });
    assert.deepEqual([ev.type, ev.reason, ev.action, ev.note, ev.reportingController, ev.reportingInstance], ["Normal", "Started", "Reconcile", "started it", "example.com/test-operator", "test-1"]);
    assert.equal(ev.series, undefined);
  });

  test("50 identical occurrences in a tight loop make one write with series.count 50", async () => {
    const sink = new Sink();
    const r = recorder(sink);
    for (let i = 0; i < 50; i++) r.event(pod(), { type: "Warning", reason: "BackOff", action: "Reconcile", note: "failing" });
    await r.flush();
    assert.equal(sink.calls.length, 1);
    assert.equal(sink.events()[0]!.series?.count, 50);
    assert.deepEqual(r.stats(), { recorded: 50, writes: 1, failures: 0, dropped: 0, pending: 0 });
  });

  test("after the first write, a series is patched at most once per seriesInterval, with the latest count", async () => {
    // The interval is judged by the recorder's clock, which this test moves: real time passing on a loaded
    // machine must neither hold the patch back nor let it through early.
    const sink = new Sink();
    const clock = new ManualClock();
    const r = recorder(sink, { seriesInterval: "300ms", clock });
    const e = { type: "Normal", reason: "Synced", action: "Reconcile" } as const;
    r.event(pod(), e);
    await settle();
    assert.deepEqual(sink.calls.map((c) => c.verb), ["create"], "the first occurrence is written at once");
    for (let i = 0; i < 10; i++) r.event(pod(), e);
    clock.advance(150);
    await settle();
    assert.equal(sink.calls.length, 1, "no series write within the interval");
    clock.advance(149);
    await settle();
    assert.equal(sink.calls.length, 1, "still none 1 ms before the interval ends");
    clock.advance(1);
    await settle();
    assert.deepEqual(sink.calls.map((c) => c.verb), ["create", "patch"]);
    const patch = sink.calls[1]!.body as { series: { count: number; lastObservedTime: string } };
    assert.equal(patch.series.count, 11);
    assert.match(patch.series.lastObservedTime, /\.\d{6}Z$/);
    r.event(pod(), e);
    await r.flush();
    assert.equal(sink.calls.length, 3, "flush does not wait for the interval");
    assert.equal(sink.events()[0]!.series?.count, 12);
  });

  test("the key: another reason, note, type, action or object is another Event", async () => {
    const sink = new Sink();
    const r = recorder(sink);
    const base = { type: "Normal", reason: "A", action: "X", note: "n" } as const;
    r.event(pod(), base);
    r.event(pod(), { ...base, reason: "B" });
    r.event(pod(), { ...base, note: "other" });
    r.event(pod(), { ...base, type: "Warning" });
    r.event(pod(), { ...base, action: "Y" });
    r.event(pod("web-2"), base);
    r.event(pod(), base);
    await r.flush();
    assert.equal(sink.events().length, 6);
    assert.equal(new Set(sink.events().map((e) => e.metadata?.name)).size, 6, "names are unique even within one microsecond");
  });

  test("a series ends after `window` without occurrences; the next one starts a new Event", async () => {
    let now = Date.UTC(2025, 0, 1);
    const sink = new Sink();
    const r = recorder(sink, { now: () => now, window: "6m" });
    const e = { type: "Normal", reason: "Synced", action: "Reconcile" } as const;
    r.event(pod(), e);
    now += 5 * 60_000;
    r.event(pod(), e);
    await r.flush();
    assert.equal(sink.events().length, 1);
    now += 7 * 60_000;
    r.event(pod(), e);
    await r.flush();
    assert.equal(sink.events().length, 2);
  });

  test("events about cluster-scoped objects go to the default namespace", async () => {
    const sink = new Sink();
    const r = recorder(sink);
    r.event({ apiVersion: "v1", kind: "Node", metadata: { name: "node-1", uid: "n" } }, { type: "Normal", reason: "Seen", action: "Watch" });
    await r.flush();
    assert.equal(sink.calls[0]!.namespace, "default");
    assert.equal((sink.calls[0]!.body as Event).regarding?.namespace, undefined);
  });

  test("notes are cut to 1024 bytes, reasons and actions to 128; names are made DNS-safe", async () => {
    const sink = new Sink();
    const r = recorder(sink);
    r.event({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "system:Controller:X" } }, { type: "Normal", reason: "R".repeat(200), action: "A".repeat(200), note: "€".repeat(1000) });
    await r.flush();
    const ev = sink.calls[0]!.body as Event;
    assert.ok(Buffer.byteLength(ev.note ?? "") <= 1024 && ev.note!.endsWith("…"));
    assert.equal(ev.reason!.length, 126);
    assert.ok(Buffer.byteLength(ev.action ?? "") <= 128);
    assert.match(ev.metadata?.name ?? "", /^system-controller-x\.[0-9a-f]+$/);
    assert.equal(truncateBytes("short", 1024), "short");
    assert.equal(truncateBytes("aé€😀", 7), "aé…", "never splits a character");
  });

  test("failures that can pass are retried; the latest count is written", async () => {
    const sink = new Sink();
    const logger = new CapturingLogger();
    const { lines } = logger;
    const r = recorder(sink, { logger });
    sink.failures.push(apiError(503, "ServiceUnavailable"), new Error("socket hang up"));
    r.event(pod(), { type: "Normal", reason: "A", action: "X" });
    r.event(pod(), { type: "Normal", reason: "A", action: "X" });
    await r.flush();
    assert.equal(sink.calls.length, 3);
    assert.equal(sink.events()[0]!.series?.count, 2);
    assert.deepEqual(r.stats(), { recorded: 2, writes: 1, failures: 2, dropped: 0, pending: 0 });
    assert.equal(lines.filter((l) => l.includes("will retry")).length, 2);
  });

  test("refusals are dropped at once, logged, and the next occurrence starts afresh; the caller never sees an error", async () => {
    const sink = new Sink();
    const logger = new CapturingLogger();
    const { lines } = logger;
    const r = recorder(sink, { logger });
    sink.failures.push(apiError(403, "Forbidden"));
    r.event(pod(), { type: "Normal", reason: "A", action: "X" });
    await r.flush();
    assert.equal(sink.calls.length, 1);
    assert.equal(r.stats().dropped, 1);
    assert.ok(lines.some((l) => l.includes("refused by the API server")));
    r.event(pod(), { type: "Normal", reason: "A", action: "X" });
    await r.flush();
    assert.equal(sink.calls.length, 2);
    assert.equal(sink.calls[1]!.verb, "create");
    assert.equal(sink.events().length, 1);
  });

  test("retries stop after maxTries", async () => {
    const sink = new Sink();
    const r = recorder(sink, { maxTries: 3 });
    sink.failures.push(...Array.from({ length: 5 }, () => apiError(500, "InternalError")));
    r.event(pod(), { type: "Normal", reason: "A", action: "X" });
    await r.flush();
    assert.equal(sink.calls.length, 3);
    assert.deepEqual(r.stats(), { recorded: 1, writes: 0, failures: 3, dropped: 1, pending: 0 });
  });

  test("close() makes a pending retry happen at once instead of after its pause", async () => {
    const sink = new Sink();
    const clock = new ManualClock();
    const r = recorder(sink, { retryDelay: "10s", clock });
    sink.failures.push(apiError(503, "ServiceUnavailable"));
    r.event(pod(), { type: "Normal", reason: "A", action: "X" });
    await settle();
    assert.equal(sink.calls.length, 1, "first attempt failed; the retry waits 10 s");
    await r.close(); // the clock never moves: close() cannot have waited for the pause
    assert.equal(sink.calls.length, 2);
    assert.equal(r.stats().writes, 1);
  });

  test("an Event that vanished (expired) is created again with its series", async () => {
    const sink = new Sink();
    const r = recorder(sink);
    r.event(pod(), { type: "Normal", reason: "A", action: "X" });
    await r.flush();
    sink.stored.clear();
    r.event(pod(), { type: "Normal", reason: "A", action: "X" });
    await r.flush();
    assert.deepEqual(sink.calls.map((c) => c.verb), ["create", "patch", "create"]);
    assert.equal(sink.calls[2]!.name, sink.calls[0]!.name);
    assert.equal(sink.events()[0]!.series?.count, 2);
  });

  test("the write rate is bounded by the token bucket", async () => {
    const sink = new Sink();
    const clock = new ManualClock();
    const r = recorder(sink, { qps: 20, burst: 2, clock });
    for (let i = 0; i < 6; i++) r.event(pod(), { type: "Normal", reason: `R${i}`, action: "X" });
    await settle();
    assert.equal(sink.calls.length, 2, "the burst at once");
    for (let i = 0; i < 4; i++) {
      clock.advance(49);
      await settle();
      assert.equal(sink.calls.length, 2 + i, "not before the next token");
      clock.advance(1);
      await settle();
      assert.equal(sink.calls.length, 3 + i, "then one per 50 ms (20/s)");
    }
    await r.flush();
  });

  test("invalid input and events after close are dropped without throwing; close writes what is pending", async () => {
    const sink = new Sink();
    const logger = new CapturingLogger();
    const { lines } = logger;
    const r = recorder(sink, { logger, maxPending: 2 });
    r.event({ metadata: { name: "x" } }, { type: "Normal", reason: "A", action: "X" });
    r.event(pod(), { type: "Normal", reason: "", action: "X" });
    r.event(pod(), { type: "Info" as "Normal", reason: "A", action: "X" });
    assert.equal(r.stats().dropped, 3);
    assert.ok(lines.some((l) => l.includes("no apiVersion, kind or metadata.name")));
    for (let i = 0; i < 3; i++) r.event(pod(), { type: "Normal", reason: `Q${i}`, action: "X" });
    assert.equal(r.stats().dropped, 4, "the third pending series exceeds maxPending");
    await r.close();
    assert.equal(sink.calls.length, 2);
    r.event(pod(), { type: "Normal", reason: "Late", action: "X" });
    assert.equal(r.stats().dropped, 5);
    assert.throws(() => recorder(sink, { reportingController: "not a name" }), /reportingController "not a name" is not a qualified name/);
  });
});
