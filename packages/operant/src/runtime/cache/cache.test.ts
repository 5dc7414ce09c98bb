// Unit tier of the shared cache: informers shared by request and released
// by reference count, reads that refuse unwatched kinds, and read-your-writes
// through observeWrite/observeDelete before the watch catches up. A fake
// list/watch client whose watch stays quiet; no cluster.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Client } from "../../client/client.ts";
import type { Stored } from "../../core/object.ts";
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
