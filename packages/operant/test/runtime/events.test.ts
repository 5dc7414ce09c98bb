// The EventRecorder against a real API server: what it writes is accepted
// (events.k8s.io/v1 validation, MicroTime), a hot loop becomes one Event with
// a series, series updates are PATCHed, and cluster-scoped objects' Events go
// to `default`.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Client } from "../../src/client/client.ts";
import type { Stored } from "../../src/core/object.ts";
import { ConfigMap, Event, Namespace } from "../../src/kinds/index.ts";
import { EventRecorder } from "../../src/runtime/events/recorder.ts";
import { testCluster, type TestCluster } from "../../src/testing/index.ts";

const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

describe("EventRecorder (shared control plane)", { timeout: 60_000 }, () => {
  let cluster: TestCluster;
  let client: Client;
  let ns = "";
  let subject: Stored<ConfigMap>;
  const recorders: EventRecorder[] = [];
  const newRecorder = (options: Partial<ConstructorParameters<typeof EventRecorder>[1]> = {}) => {
    const r = new EventRecorder(client, { reportingController: "operant.example.com/events-test", ...options });
    recorders.push(r);
    return r;
  };
  const eventsAbout = async (name: string, namespace = ns) => (await client.list(Event, { namespace })).items.filter((e) => e.regarding?.name === name);

  before(async () => {
    cluster = await testCluster();
    client = cluster.client;
    ns = await cluster.namespace("events");
    subject = await client.create(ConfigMap, { metadata: { name: "subject", namespace: ns } });
  });

  after(async () => {
    for (const r of recorders) await r.close();
    for (const e of await eventsAbout(ns, "default")) await client.delete(Event, { namespace: "default", name: e.metadata.name }).catch(() => undefined);
    await client.delete(Namespace, { name: ns }).catch(() => undefined);
    await cluster.close();
  });

  test("50 identical events in a tight loop are one Event with series.count 50; another reason is a second Event", async () => {
    const recorder = newRecorder();
    for (let i = 0; i < 50; i++) assert.equal(recorder.event(subject, { type: "Warning", reason: "SyncFailed", action: "Reconcile", note: "upstream unreachable" }), undefined, "event() returns synchronously (no promise)");
    // event() never waits for the API server: when the loop ends, all 50 are recorded and nothing is written yet.
    assert.deepEqual(recorder.stats(), { recorded: 50, writes: 0, failures: 0, dropped: 0, pending: 1 });
    await recorder.flush();

    const events = await eventsAbout("subject");
    assert.equal(events.length, 1);
    const ev = events[0]!;
    assert.equal(ev.series?.count, 50);
    assert.match(ev.series?.lastObservedTime ?? "", MICRO_TIME);
    assert.match(ev.eventTime, MICRO_TIME);
    assert.deepEqual(ev.regarding, { apiVersion: "v1", kind: "ConfigMap", name: "subject", namespace: ns, uid: subject.metadata.uid });
    assert.deepEqual([ev.type, ev.reason, ev.action, ev.note, ev.reportingController], ["Warning", "SyncFailed", "Reconcile", "upstream unreachable", "operant.example.com/events-test"]);
    assert.ok(ev.reportingInstance?.startsWith("operant.example.com/events-test-"));
    assert.ok(recorder.stats().writes <= 2, `writes bounded: ${JSON.stringify(recorder.stats())}`);

    recorder.event(subject, { type: "Normal", reason: "Synced", action: "Reconcile", note: "ok" });
    await recorder.flush();
    const after = await eventsAbout("subject");
    assert.equal(after.length, 2);
    assert.deepEqual(after.map((e) => e.reason).sort(), ["SyncFailed", "Synced"]);
    assert.equal(after.find((e) => e.reason === "Synced")?.series, undefined, "a single occurrence has no series");
  });

  test("later occurrences PATCH the series of the existing Event; a deleted Event is created again with its count", async () => {
    const recorder = newRecorder({ seriesInterval: "50ms" });
    const cm = await client.create(ConfigMap, { metadata: { name: "series", namespace: ns } });
    const e = { type: "Normal", reason: "Resynced", action: "Resync" } as const;
    recorder.event(cm, e);
    await recorder.flush();
    const [first] = await eventsAbout("series");
    assert.equal(first?.series, undefined);

    recorder.event(cm, e);
    recorder.event(cm, e);
    await recorder.flush();
    const [patched] = await eventsAbout("series");
    assert.equal(patched?.metadata.name, first?.metadata.name, "the same Event");
    assert.equal(patched?.series?.count, 3);
    assert.equal(patched?.eventTime, first?.eventTime, "eventTime is the first occurrence");

    await client.delete(Event, { namespace: ns, name: first!.metadata.name });
    recorder.event(cm, e);
    await recorder.flush();
    const [recreated] = await eventsAbout("series");
    assert.equal(recreated?.metadata.name, first?.metadata.name);
    assert.equal(recreated?.series?.count, 4);
    assert.equal(recorder.stats().dropped, 0);
  });

  test("events about a cluster-scoped object land in the default namespace", async () => {
    const recorder = newRecorder();
    const namespaceObject = await client.get(Namespace, { name: ns });
    recorder.event(namespaceObject, { type: "Normal", reason: "Labelled", action: "Reconcile", note: "cluster-scoped subject" });
    await recorder.flush();
    const events = await eventsAbout(ns, "default");
    assert.equal(events.length, 1);
    assert.equal(events[0]?.regarding?.kind, "Namespace");
    assert.equal(events[0]?.regarding?.namespace, undefined);
    assert.equal(recorder.stats().dropped, 0);
  });

  test("a long note is cut to the API's 1024-byte limit instead of being refused", async () => {
    const recorder = newRecorder();
    const cm = await client.create(ConfigMap, { metadata: { name: "long-note", namespace: ns } });
    recorder.event(cm, { type: "Warning", reason: "Verbose", action: "Reconcile", note: "ü".repeat(2000) });
    await recorder.flush();
    const [ev] = await eventsAbout("long-note");
    assert.ok(ev, `the Event was written (${JSON.stringify(recorder.stats())})`);
    assert.ok(Buffer.byteLength(ev.note ?? "") <= 1024);
    assert.ok(ev.note?.endsWith("…"));
  });
});
