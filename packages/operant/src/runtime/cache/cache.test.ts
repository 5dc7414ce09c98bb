// Unit tier of the shared cache: informers shared by request and released
// by reference count, reads that refuse unwatched kinds, and read-your-writes
// through observeWrite/observeDelete before the watch catches up. A fake
// list/watch client whose watch stays quiet; no cluster.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Client } from "../../client/client.ts";
import type { Cached, Stored } from "../../core/object.ts";
import { ConfigMap, Secret } from "../../kinds/index.ts";
import { Cache } from "./cache.ts";

const cm = (name: string, rv: string, data: Record<string, string> = {}) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns", uid: `uid-${name}`, resourceVersion: rv }, data }) as Stored<ConfigMap>;

function quietClient(items: () => Stored<ConfigMap>[]) {
  let watches = 0;
  const client = {
    listPages: async function* () {
      await Promise.resolve();
      yield { items: items(), metadata: { resourceVersion: "10" }, restarted: false };
    },
    watch: async function* (_kind: unknown, options: { signal?: AbortSignal }) {
      watches++;
      await new Promise((resolve) => options.signal!.addEventListener("abort", resolve, { once: true }));
      yield* [];
    },
  };
  return { client: client as unknown as Client, watches: () => watches };
}

test("cache: one informer per request, shared and reference-counted; reads of an unwatched kind are refused", async () => {
  const fake = quietClient(() => [cm("a", "5", { v: "1" })]);
  const cache = new Cache(fake.client, { namespaces: ["ns"], watch: { streamInitialList: false } });
  const one = cache.acquire(ConfigMap);
  const two = cache.acquire(ConfigMap);
  const labelled = cache.acquire(ConfigMap, { labelSelector: { app: "x" } });
  assert.equal(one.informer, two.informer, "the same request shares one informer");
  assert.notEqual(one.informer, labelled.informer);
  const stop = new AbortController();
  cache.start(stop.signal);
  await cache.waitForSync(stop.signal);
  assert.equal(cache.get(ConfigMap, { namespace: "ns", name: "a" })?.data?.v, "1");
  assert.throws(() => cache.get(Secret, { namespace: "ns", name: "s" }), { code: "NotCached" });
  assert.throws(() => cache.list(ConfigMap, { namespace: "elsewhere" }), { code: "NotCached" });
  one.release();
  one.release(); // twice is once
  assert.equal(cache.informersOf(ConfigMap).length, 2, "still held by the second lease");
  two.release();
  labelled.release();
  assert.equal(cache.informersOf(ConfigMap).length, 0, "stopped when the last lease lets go");
  stop.abort();
});

test("cache: read-your-writes — a write or delete this process made is visible before the watch delivers it", async () => {
  const fake = quietClient(() => [cm("a", "5", { v: "1" }), cm("gone", "6")]);
  const cache = new Cache(fake.client, { namespaces: ["ns"], watch: { streamInitialList: false } });
  const lease = cache.acquire(ConfigMap);
  const stop = new AbortController();
  cache.start(stop.signal);
  await cache.waitForSync(stop.signal);
  cache.observeWrite(ConfigMap, cm("a", "20", { v: "2" }));
  cache.observeWrite(ConfigMap, cm("new", "21"));
  cache.observeDelete(ConfigMap, { namespace: "ns", name: "gone" });
  assert.equal(cache.get(ConfigMap, { namespace: "ns", name: "a" })?.data?.v, "2", "the newer write wins over the cached version");
  assert.ok(cache.get(ConfigMap, { namespace: "ns", name: "new" }), "a created object is readable at once");
  assert.equal(cache.get(ConfigMap, { namespace: "ns", name: "gone" }), undefined, "a deleted object is gone at once");
  // A response older than what the cache holds is ignored.
  cache.observeWrite(ConfigMap, cm("a", "4", { v: "old" }));
  assert.equal(cache.get(ConfigMap, { namespace: "ns", name: "a" })?.data?.v, "2");
  lease.release();
  stop.abort();
});

test("cache.index: declared before or after an informer exists, objects indexed at once; conflicts and unknown names refused", async () => {
  const fake = quietClient(() => [cm("a", "5", { app: "web" }), cm("b", "6", { app: "db" }), cm("c", "7", { app: "web" })]);
  const cache = new Cache(fake.client, { namespaces: ["ns"], watch: { streamInitialList: false } });
  const byApp = (o: Cached<ConfigMap>) => (o.data?.app ? [o.data.app] : []);
  cache.index(ConfigMap, "app", byApp);
  const lease = cache.acquire(ConfigMap);
  const stop = new AbortController();
  cache.start(stop.signal);
  await cache.waitForSync(stop.signal);
  const names = (objs: readonly Cached<ConfigMap>[]) => objs.map((o) => o.metadata.name).sort();
  assert.deepEqual(names(cache.byIndex(ConfigMap, "app", "web")), ["a", "c"]);
  // Declared after the informer synced: what it holds is indexed at once.
  const byData = (o: Cached<ConfigMap>) => Object.keys(o.data ?? {});
  cache.index(ConfigMap, "keys", byData);
  assert.deepEqual(names(cache.byIndex(ConfigMap, "keys", "app")), ["a", "b", "c"]);
  cache.index(ConfigMap, "app", byApp); // the same function again: nothing happens
  // Read-your-writes reaches the declared index too.
  cache.observeWrite(ConfigMap, cm("b", "8", { app: "web" }));
  assert.deepEqual(names(cache.byIndex(ConfigMap, "app", "web")), ["a", "b", "c"]);
  assert.deepEqual(names(cache.byIndex(ConfigMap, "namespace", "ns")), ["a", "b", "c"], "built-in indexes need no declaring");
  const code = (c: string, pattern: RegExp) => (e: Error & { code?: string }) => e.code === c && pattern.test(e.message);
  assert.throws(() => cache.index(ConfigMap, "app", (o) => [o.metadata.name]), code("IndexConflict", /v1, Kind=ConfigMap already has an index named "app" with another function/));
  assert.throws(() => cache.index(ConfigMap, "owner", byApp), code("IndexConflict", /a built-in index/));
  assert.throws(() => cache.byIndex(ConfigMap, "nope", "x"), code("UnknownIndex", /no index named "nope" \(have: namespace, owner, controller, app, keys\).*\.index\(ConfigMap, "nope", fn\)/));
  assert.throws(() => cache.byIndex(Secret, "app", "x"), code("NotCached", /no informer watches v1, Kind=Secret/));
  // A later informer of the kind (another request) gets the declared indexes.
  const labelled = cache.acquire(ConfigMap, { labelSelector: { tier: "x" } });
  assert.ok(labelled.informer.hasIndex("app") && labelled.informer.hasIndex("keys"));
  labelled.release();
  lease.release();
  stop.abort();
});
