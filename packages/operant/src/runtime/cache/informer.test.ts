// Unit tier of the informer: a fake `WatchClient` whose watch answers 410
// Gone once, forcing a relist that no longer holds an object. No cluster.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OperantError } from "../../core/errors.ts";
import { deepFreeze, type Stored } from "../../core/object.ts";
import { ConfigMap } from "../../kinds/index.ts";
import type { WatchClient } from "../watcher/watcher.ts";
import { Informer, stripServerNoise } from "./informer.ts";

const cm = (name: string, rv: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns", uid: `uid-${name}`, resourceVersion: rv, managedFields: [{ manager: "kubectl" }] } }) as Stored<ConfigMap>;

test("informer: a relist drops the objects that vanished meanwhile (deleted, relist: true) and leaves unchanged ones silent", async () => {
  const lists = [
    [cm("a", "5"), cm("b", "6")],
    [cm("b", "6"), cm("c", "15")],
  ];
  let watches = 0;
  const client = {
    listPages: async function* () {
      const items = lists.shift()!;
      await Promise.resolve();
      yield { items, metadata: { resourceVersion: String(10 * (2 - lists.length)) }, restarted: false };
    },
    watch: async function* (_kind: unknown, options: { signal?: AbortSignal }) {
      if (watches++ === 0) throw new OperantError("Gone", "too old resource version");
      await new Promise((resolve) => options.signal!.addEventListener("abort", resolve, { once: true }));
      yield* [];
    },
  } as unknown as WatchClient;

  const informer = new Informer(client, ConfigMap, { namespaces: ["ns"], watch: { streamInitialList: false } });
  const events: string[] = [];
  informer.addHandler({
    added: (o, { relist }) => void events.push(`added ${o.metadata.name}${relist ? " (relist)" : ""}`),
    updated: (_p, o) => void events.push(`updated ${o.metadata.name}`),
    deleted: (o, { relist }) => void events.push(`deleted ${o.metadata.name}${relist ? " (relist)" : ""}`),
  });
  const stop = new AbortController();
  informer.start(stop.signal);
  await informer.waitForSync(stop.signal);
  for (let i = 0; i < 1000 && watches < 2; i++) await new Promise((r) => setImmediate(r));
  assert.equal(watches, 2, "the second watch opened after the relist");
  stop.abort();
  await informer.stopped();

  assert.deepEqual(events, ["added a (relist)", "added b (relist)", "added c (relist)", "deleted a (relist)"]);
  assert.deepEqual([...informer.keys()].sort(), ["ns/b", "ns/c"]);
  assert.equal(informer.get("ns/a"), undefined);
  const b = informer.get("ns/b")!;
  assert.equal(b.metadata.managedFields, undefined, "the default transform strips managedFields");
  assert.ok(Object.isFrozen(b), "cached objects are frozen");
});

// ---- hostile objects: each one's trouble stays with it ----

type Event = { type: "ADDED" | "MODIFIED" | "DELETED"; object: Stored<ConfigMap> };

/** A client whose list is `items` (rv 10) and whose one watch delivers `events`, then stays open until aborted. */
function scriptedClient(items: Stored<ConfigMap>[], events: Event[]): WatchClient {
  return {
    listPages: async function* () {
      await Promise.resolve();
      yield { items, metadata: { resourceVersion: "10" }, restarted: false };
    },
    watch: async function* (_kind: unknown, options: { signal?: AbortSignal }) {
      for (const ev of events) {
        await Promise.resolve();
        yield ev;
      }
      await new Promise((resolve) => options.signal!.addEventListener("abort", resolve, { once: true }));
    },
  } as unknown as WatchClient;
}

/** Fails the test if anything rejects or throws unhandled while `body` runs. */
async function noUnhandled(body: () => Promise<void>): Promise<void> {
  const escaped: unknown[] = [];
  const onEscape = (err: unknown) => void escaped.push(err);
  process.on("unhandledRejection", onEscape);
  process.on("uncaughtException", onEscape);
  try {
    await body();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off("unhandledRejection", onEscape);
    process.off("uncaughtException", onEscape);
  }
  assert.deepEqual(escaped.map((e) => (e instanceof Error ? e.message : String(e))), [], "nothing escaped unhandled");
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !ok(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(ok(), `still waiting for: ${what}`);
}

test("informer: a 9,000-level-deep object, ownerReferences that is not an array, and a throwing indexer do not stop the watch; the indexer's victim is reported in health and to onRejected", async () => {
  await noUnhandled(async () => {
    const deepText = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep","namespace":"ns","uid":"uid-deep","resourceVersion":"11"},"spec":${'{"a":'.repeat(9000)}1${"}".repeat(9000)}}`;
    const deep = JSON.parse(deepText) as Stored<ConfigMap>;
    const weird = { ...cm("weird-owners", "12"), metadata: { ...cm("weird-owners", "12").metadata, ownerReferences: "not-a-list" } } as unknown as Stored<ConfigMap>;
    const client = scriptedClient([cm("a", "5")], [
      { type: "ADDED", object: deep },
      { type: "ADDED", object: weird },
      { type: "ADDED", object: cm("boom", "13") },
      { type: "ADDED", object: cm("b", "14") },
    ]);
    const rejections: string[] = [];
    const informer = new Informer(client, ConfigMap, {
      namespaces: ["ns"],
      watch: { streamInitialList: false }, // the fakes answer paged lists
      indexers: {
        byName: (o) => {
          if (o.metadata.name === "boom") throw new Error("indexer bug");
          return [o.metadata.name];
        },
      },
      onRejected: (r) => void rejections.push(`${r.key} ${r.stage} ${r.object.metadata.uid}`),
    });
    const added: string[] = [];
    informer.addHandler({ added: (o) => void added.push(o.metadata.name) });
    const stop = new AbortController();
    informer.start(stop.signal);
    await until("b arrives after the hostile objects", () => added.includes("b"));
    stop.abort();
    await informer.stopped();

    assert.deepEqual(added, ["a", "deep", "weird-owners", "boom", "b"]);
    const cachedDeep = informer.get("ns/deep")!;
    assert.ok(Object.isFrozen(cachedDeep) && Object.isFrozen((cachedDeep as unknown as { spec: object }).spec), "the deep object is cached and frozen");
    assert.deepEqual(informer.byIndex("owner", "anything"), [], "the owner index ignores a non-array ownerReferences");
    assert.deepEqual(informer.byIndex("byName", "b").map((o) => o.metadata.name), ["b"]);
    assert.deepEqual(informer.byIndex("byName", "boom"), [], "the object the indexer threw on is missing from that index only");
    assert.ok(informer.get("ns/boom"), "…and is cached");
    assert.deepEqual(rejections, ["ns/boom index uid-boom"]);
    const health = informer.health();
    assert.equal(health.rejectedTotal, 1);
    assert.deepEqual(health.rejected.map((r) => [r.key, r.stage]), [["ns/boom", "index"]]);
    assert.match(health.rejected[0]!.message, /indexer "byName" threw \(indexer bug\)/);
  });
});

test("informer: a version that cannot be prepared leaves the last good version cached and is reported; a later good version clears the report; a throwing transform stores the object untransformed", async () => {
  await noUnhandled(async () => {
    const poisoned = cm("x", "12");
    (poisoned as unknown as { data: unknown }).data = { poison: true };
    const client = scriptedClient([cm("x", "5")], [
      { type: "MODIFIED", object: poisoned },
      { type: "ADDED", object: cm("y", "13") },
    ]);
    let transforms = 0;
    const informer = new Informer(client, ConfigMap, {
      namespaces: ["ns"],
      watch: { streamInitialList: false }, // the fakes answer paged lists
      transform: (o) => {
        transforms++;
        if (o.metadata.name === "y") throw new Error("transform bug");
        // A transform that leaves something the freeze walk cannot read.
        if ((o as { data?: { poison?: boolean } }).data?.poison) Object.defineProperty(o, "data", { get: () => { throw new Error("unreadable"); }, enumerable: true });
        return o;
      },
    });
    const seen: string[] = [];
    informer.addHandler({ added: (o) => void seen.push(`added ${o.metadata.name}`), updated: (_p, o) => void seen.push(`updated ${o.metadata.name} ${o.metadata.resourceVersion}`) });
    const stop = new AbortController();
    informer.start(stop.signal);
    await until("y", () => seen.includes("added y"));
    assert.equal(informer.get("ns/x")?.metadata.resourceVersion, "5", "the last good version of x stays cached");
    assert.deepEqual(informer.health().rejected.map((r) => [r.key, r.stage]), [["ns/x", "cache"], ["ns/y", "transform"]]);
    assert.match(informer.health().rejected[0]!.message, /unreadable.*keeps resourceVersion 5/);
    assert.ok(informer.get("ns/y"), "y is stored untransformed");
    stop.abort();
    await informer.stopped();
    assert.deepEqual(seen, ["added x", "added y"]);
    assert.ok(transforms >= 3);
  });
});

test("informer: observeWrite keeps the newer of two write responses that arrive out of order", async () => {
  const client = scriptedClient([cm("a", "5")], []);
  const informer = new Informer(client, ConfigMap, { namespaces: ["ns"], watch: { streamInitialList: false } });
  const stop = new AbortController();
  informer.start(stop.signal);
  await informer.waitForSync(stop.signal);
  informer.observeWrite(cm("a", "8"));
  informer.observeWrite(cm("a", "7")); // the older response, arriving second
  assert.equal(informer.get("ns/a")?.metadata.resourceVersion, "8");
  assert.deepEqual(informer.list().map((o) => o.metadata.resourceVersion), ["8"]);
  informer.observeWrite(cm("a", "9"));
  assert.equal(informer.get("ns/a")?.metadata.resourceVersion, "9", "a newer write still replaces it");
  // A write response nested too deep to copy is not remembered, and does not throw into the writer.
  const deep = JSON.parse(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"ns","uid":"uid-a","resourceVersion":"10"},"spec":${'{"a":'.repeat(9000)}1${"}".repeat(9000)}}`) as Stored<ConfigMap>;
  assert.doesNotThrow(() => informer.observeWrite(deep));
  stop.abort();
  await informer.stopped();
});

test("stripServerNoise: an object decoded frozen (protobuf in the cache's form) comes back as a copy without kubectl's last-applied annotation, the unchanged parts shared", () => {
  const last = "kubectl.kubernetes.io/last-applied-configuration";
  const data = Object.freeze({ a: "1" });
  const cm = deepFreeze({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "d", uid: "u", resourceVersion: "1", creationTimestamp: "2026-01-02T03:04:05Z", annotations: { [last]: "{}", keep: "x" } }, data }) as Stored<ConfigMap>;
  const out = stripServerNoise(cm);
  assert.notEqual(out, cm);
  assert.deepEqual(out.metadata.annotations, { keep: "x" });
  assert.deepEqual(Object.keys(out.metadata), ["name", "namespace", "uid", "resourceVersion", "creationTimestamp", "annotations"]);
  assert.equal(out.data, data, "what did not change is shared");
  assert.equal(cm.metadata.annotations?.[last], "{}", "the frozen input is left as it was");
  // Only that annotation: the annotations go with it.
  const only = stripServerNoise(deepFreeze({ ...cm, metadata: { ...cm.metadata, annotations: { [last]: "{}" } } }) as Stored<ConfigMap>);
  assert.equal(only.metadata.annotations, undefined);
  assert.ok(!("annotations" in only.metadata));
  // Nothing to strip: the same object.
  const clean = deepFreeze({ ...cm, metadata: { ...cm.metadata, annotations: { keep: "x" } } }) as Stored<ConfigMap>;
  assert.equal(stripServerNoise(clean), clean);
  // Not frozen (JSON): stripped in place, as before.
  const mutable = { ...cm, metadata: { ...cm.metadata, annotations: { [last]: "{}" }, managedFields: [] } } as Stored<ConfigMap>;
  assert.equal(stripServerNoise(mutable), mutable);
  assert.ok(!("annotations" in mutable.metadata) && !("managedFields" in mutable.metadata));
});
