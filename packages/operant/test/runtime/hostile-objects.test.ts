// Hostile objects against the real control plane (issue 12, finding 1): a
// custom resource nested 9,000 levels deep (accepted by the API server, whose
// limit is 10,000, through a free-form field) and a 1.4 MB one must not
// disturb the operator, and an object the cache cannot take as it is (here: a
// user indexer throws on it) is reported — a log line naming it, a Warning
// event about it, the informer's health — while every other object keeps
// being reconciled. Nothing may reject or throw unhandled meanwhile.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import Type from "typebox";
import type { Client } from "../../src/client/client.ts";
import { CapturingLogger } from "../../src/core/logger.ts";
import { defineResource, FreeForm } from "../../src/crd/index.ts";
import { Event } from "../../src/kinds/index.ts";
import { Action } from "../../src/runtime/controller/action.ts";
import { Controller } from "../../src/runtime/controller/builder.ts";
import { Manager } from "../../src/runtime/manager/manager.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";

const group = `hostile${randomBytes(3).toString("hex")}.example.com`;
const Blob = defineResource({
  group,
  version: "v1",
  kind: "Blob",
  scope: "Namespaced",
  spec: Type.Object({ values: Type.Optional(FreeForm()), filler: Type.Optional(Type.String()) }),
});

let cluster: TestCluster;
let client: Client;
const escaped: unknown[] = [];
const onEscape = (err: unknown) => void escaped.push(err);

before(async () => {
  process.on("unhandledRejection", onEscape);
  process.on("uncaughtException", onEscape);
  cluster = await testCluster({ resources: [Blob] });
  client = cluster.client;
});
after(async () => {
  process.off("unhandledRejection", onEscape);
  process.off("uncaughtException", onEscape);
  await cluster.close();
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("hostile objects", { timeout: 300_000 }, () => {
  test("a 9,000-level-deep and a 1.4 MB custom resource are cached and reconciled; an object an indexer throws on is reported; other objects keep being reconciled; nothing escapes unhandled", async (t) => {
    const ns = await cluster.namespace("hostile");
    const seen = new Map<string, number>(); // name → when first reconciled (ms since epoch)
    const def = Controller.for(Blob)
      .named(`blob-${ns}`)
      .reconcile((b) => {
        if (!seen.has(b.metadata.name)) seen.set(b.metadata.name, Date.now());
        return Promise.resolve(Action.awaitChange());
      });
    const lines: string[] = [];
    const manager = new Manager({ client, namespaces: [ns], metricsBindAddress: "127.0.0.1:0", healthBindAddress: "127.0.0.1:0", handleSignals: false, gracefulShutdownTimeout: "5s", logger: new CapturingLogger(lines) });
    manager.add(def);
    let ended: unknown = "still running";
    const done = manager.start().then(
      () => (ended = "returned"),
      (err: unknown) => (ended = err),
    );
    t.after(async () => {
      manager.stop();
      await done;
    });
    await eventually(() => assert.ok(manager.addresses.health && manager.cache.synced));
    // A second informer of the kind with an indexer that throws on one object (the operator author's bug).
    const lease = manager.cache.acquire(Blob, { namespaces: [ns], indexers: { bySize: (b) => { if (b.metadata.name === "boom") throw new Error("indexer bug"); return [String(b.spec.filler?.length ?? 0)]; } } });
    t.after(() => lease.release());
    await eventually(() => assert.ok(lease.informer.synced));

    /** Creates `count` small objects one after the other and returns how long each took to be reconciled (ms). */
    const latencies = async (prefix: string, count: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < count; i++) {
        const name = `${prefix}-${i}`;
        const created = Date.now();
        await client.create(Blob, { metadata: { name, namespace: ns }, spec: {} });
        await eventually(() => assert.ok(seen.has(name)), { timeoutMs: 60_000, description: `${name} reconciled` });
        out.push(seen.get(name)! - created);
      }
      return out;
    };

    const before = await latencies("before", 8);

    // The attack: a 9,000-level-deep object (sent as text: JSON.stringify itself overflows at this depth) and a 1.4 MB one.
    const depth = 9000;
    const deepBody = `{"apiVersion":"${group}/v1","kind":"Blob","metadata":{"name":"deep","namespace":"${ns}"},"spec":{"values":${'{"a":'.repeat(depth - 1)}1${"}".repeat(depth - 1)}}}`;
    await client.transport.request({ method: "POST", path: `/apis/${group}/v1/namespaces/${ns}/blobs`, body: deepBody });
    await client.create(Blob, { metadata: { name: "large", namespace: ns }, spec: { filler: "x".repeat(1_400_000) } });
    await client.create(Blob, { metadata: { name: "boom", namespace: ns }, spec: {} });
    const during = await latencies("during", 8);

    await eventually(() => assert.ok(seen.has("deep") && seen.has("large") && seen.has("boom")), { timeoutMs: 60_000, description: "the hostile objects reconciled too" });
    const cachedDeep = manager.cache.get(Blob, { namespace: ns, name: "deep" });
    assert.ok(cachedDeep && Object.isFrozen(cachedDeep.spec.values), "the deep object is cached, frozen");

    // The object the indexer threw on: in the informer's health, in a log line naming it, in a Warning event about it.
    const rejected = lease.informer.health().rejected;
    assert.deepEqual(rejected.map((r) => [r.key, r.stage]), [[`${ns}/boom`, "index"]]);
    assert.ok(lines.some((l) => l.includes(`${ns}/boom`) && l.includes("object rejected by the cache")), "a log line names the object");
    const warning = await eventually(async () => {
      const e = (await client.list(Event, { namespace: ns })).items.find((ev) => ev.regarding?.name === "boom" && ev.reason === "CacheRejected");
      assert.ok(e, "a CacheRejected event about boom");
      return e;
    });
    assert.equal(warning.type, "Warning");
    assert.match(warning.note ?? "", /indexer "bySize" threw \(indexer bug\)/);

    assert.equal(ended, "still running", "the manager is still running (operator restarts: 0)");
    assert.deepEqual(escaped.map((e) => (e instanceof Error ? e.message : String(e))), [], "nothing rejected or threw unhandled");
    t.diagnostic(`reconcile latency of other objects, median (max) ms: before ${median(before)} (${Math.max(...before)}), during the attack ${median(during)} (${Math.max(...during)}); restarts 0`);
  });
});
