// The watch cache against a real API server, including the failures that make
// other clients' informers stop silently.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "../../src/client/client.ts";
import { ConfigMap } from "../../src/kinds/index.ts";
import { Informer } from "../../src/runtime/cache/informer.ts";
import { sleep } from "../../src/core/time.ts";
import { ControlPlane, eventually, FaultProxy, testCluster, type TestCluster } from "../../src/testing/index.ts";

const cm = (ns: string, name: string, data: Record<string, string> = { v: "0" }, labels?: Record<string, string>): ConfigMap => ({
  metadata: { name, namespace: ns, ...(labels && { labels }) },
  data,
});

/** The informer's view equals the server's, by name → data.v. */
async function assertConverged(client: Client, informer: Informer<ConfigMap>, ns: string): Promise<void> {
  await eventually(
    async () => {
      const server = (await client.list(ConfigMap, { namespace: ns })).items.map((c) => `${c.metadata.name}=${c.data?.v ?? ""}`).sort();
      const cached = informer.list({ namespace: ns }).map((c) => `${c.metadata.name}=${c.data?.v ?? ""}`).sort();
      assert.deepEqual(cached, server);
    },
    { timeoutMs: 30_000, description: "cache converged with the server" },
  );
}

describe("informer (shared control plane)", { timeout: 60_000 }, () => {
  let cluster: TestCluster;
  let client: Client;
  const ac = new AbortController();
  before(async () => {
    cluster = await testCluster();
    client = cluster.client;
  });
  after(async () => {
    ac.abort();
    await cluster.close();
  });

  test("initial sync, then add/update/delete events reach the store and the handlers", async () => {
    const ns = await cluster.namespace("inf");
    for (let i = 0; i < 30; i++) await client.create(ConfigMap, cm(ns, `pre-${i}`));
    const inf = new Informer(client, ConfigMap, { namespaces: [ns] });
    const seen: string[] = [];
    inf.addHandler({
      added: (o, { relist }) => seen.push(`${relist ? "list" : "watch"}:add:${o.metadata.name}`),
      updated: (_, o) => seen.push(`update:${o.metadata.name}:${o.data?.v}`),
      deleted: (o) => seen.push(`delete:${o.metadata.name}`),
    });
    inf.start(ac.signal);
    await inf.waitForSync(ac.signal);
    assert.equal(inf.list({ namespace: ns }).filter((c) => c.metadata.name.startsWith("pre-")).length, 30);
    assert.equal(seen.filter((s) => s.startsWith("list:add:pre-")).length, 30);

    const created = await client.create(ConfigMap, cm(ns, "live"));
    await client.update(ConfigMap, { ...created, data: { v: "1" } });
    await client.delete(ConfigMap, { namespace: ns, name: "pre-0" });
    await eventually(() => {
      assert.ok(seen.includes("watch:add:live"));
      assert.ok(seen.includes("update:live:1"));
      assert.ok(seen.includes("delete:pre-0"));
    });
    assert.equal(inf.get({ namespace: ns, name: "live" })?.data?.v, "1");
    assert.equal(inf.get({ namespace: ns, name: "pre-0" }), undefined);
    const h = inf.health();
    assert.equal(h.synced, true);
    assert.equal(h.watchers[0]!.relists, 1);
    assert.equal(h.watchers[0]!.errors, 0);
  });

  test("cached objects are frozen and have no managedFields; a custom transform applies", async () => {
    const ns = await cluster.namespace("inf");
    await client.create(ConfigMap, { metadata: { name: "big", namespace: ns, annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", keep: "me" } }, data: { secret: "x", v: "1" } });
    const fromServer = await client.get(ConfigMap, { namespace: ns, name: "big" });
    assert.ok(fromServer.metadata.managedFields && fromServer.metadata.managedFields.length > 0, "the server does send managedFields");

    const plain = new Informer(client, ConfigMap, { namespaces: [ns] });
    const custom = new Informer(client, ConfigMap, {
      namespaces: [ns],
      transform: (o) => {
        delete o.data?.secret;
        return o;
      },
    });
    plain.start(ac.signal);
    custom.start(ac.signal);
    await Promise.all([plain.waitForSync(), custom.waitForSync()]);
    const obj = plain.get({ namespace: ns, name: "big" })!;
    assert.equal(obj.metadata.managedFields, undefined);
    assert.deepEqual(obj.metadata.annotations, { keep: "me" });
    assert.throws(() => {
      (obj.data as Record<string, string>).v = "changed";
    }, TypeError);
    assert.throws(() => {
      (obj.metadata.annotations as Record<string, string>).x = "y";
    }, TypeError);
    const c = custom.get({ namespace: ns, name: "big" })!;
    assert.equal(c.data?.secret, undefined);
    assert.ok(c.metadata.managedFields, "a custom transform replaces the default");
  });

  test("several namespaces, a label selector, and metadata-only", async () => {
    const [a, b, other] = [await cluster.namespace("inf"), await cluster.namespace("inf"), await cluster.namespace("inf")];
    for (const ns of [a, b, other]) {
      await client.create(ConfigMap, cm(ns, "web", { v: "1" }, { app: "web" }));
      await client.create(ConfigMap, cm(ns, "db", { v: "1" }, { app: "db" }));
    }
    const inf = new Informer(client, ConfigMap, { namespaces: [a, b], labelSelector: { app: "web" } });
    const meta = new Informer(client, ConfigMap, { namespaces: [a], metadataOnly: true });
    inf.start(ac.signal);
    meta.start(ac.signal);
    await Promise.all([inf.waitForSync(), meta.waitForSync()]);
    assert.deepEqual(inf.list().map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort(), [`${a}/web`, `${b}/web`].sort());
    assert.equal(inf.health().watchers.length, 2);
    const m = meta.get({ namespace: a, name: "db" })!;
    assert.equal(m.kind, "PartialObjectMetadata");
    assert.equal((m as { data?: unknown }).data, undefined);
    assert.deepEqual(m.metadata.labels, { app: "db" });
  });

  test("indexes: by owner uid and custom", async () => {
    const ns = await cluster.namespace("inf");
    const owner = await client.create(ConfigMap, cm(ns, "owner"));
    const ref = { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata.uid, controller: true };
    await client.create(ConfigMap, { metadata: { name: "child-1", namespace: ns, ownerReferences: [ref] }, data: { v: "a" } });
    await client.create(ConfigMap, { metadata: { name: "child-2", namespace: ns, ownerReferences: [ref] }, data: { v: "b" } });
    const inf = new Informer(client, ConfigMap, { namespaces: [ns], indexers: { byValue: (o) => [o.data?.v ?? ""] } });
    inf.start(ac.signal);
    await inf.waitForSync();
    assert.deepEqual(inf.byIndex("controller", owner.metadata.uid).map((o) => o.metadata.name).sort(), ["child-1", "child-2"]);
    assert.deepEqual(inf.byIndex("byValue", "b").map((o) => o.metadata.name), ["child-2"]);
    assert.throws(() => inf.byIndex("nope", "x"), (e: Error & { code?: string }) => e.code === "UnknownIndex" && /no index named "nope"/.test(e.message));
  });

  test("read-your-writes: after a write, the cache never returns an older version", async () => {
    const ns = await cluster.namespace("inf");
    const inf = new Informer(client, ConfigMap, { namespaces: [ns] });
    inf.start(ac.signal);
    await inf.waitForSync();
    let current = await client.create(ConfigMap, cm(ns, "counter"));
    inf.observeWrite(current);
    for (let i = 1; i <= 40; i++) {
      current = await client.update(ConfigMap, { ...current, data: { v: String(i) } });
      inf.observeWrite(current);
      const cached = inf.get({ namespace: ns, name: "counter" });
      assert.equal(cached?.data?.v, String(i), `stale read after write ${i}`);
      assert.equal(inf.list({ namespace: ns }).find((c) => c.metadata.name === "counter")?.data?.v, String(i));
    }
    await client.delete(ConfigMap, { namespace: ns, name: "counter" });
    inf.observeDelete({ namespace: ns, name: "counter" });
    assert.equal(inf.get({ namespace: ns, name: "counter" }), undefined);
  });

  test("a Forbidden list is reported in health, retried, and recovers once RBAC allows it", async () => {
    const ns = await cluster.namespace("inf");
    await client.create(ConfigMap, cm(ns, "visible"));
    const user = `reader-${ns}`;
    const limited = await Client.connect({ kubeconfig: await cluster.controlPlane.userKubeconfig({ user }) });
    const inf = new Informer(limited, ConfigMap, { namespaces: [ns], watch: { backoff: { initialMs: 100, maxMs: 500 } } });
    inf.start(ac.signal);
    await eventually(() => {
      const w = inf.health().watchers[0]!;
      assert.equal(w.lastError?.code, "Forbidden");
      assert.match(w.lastError.message, /cannot list resource "configmaps"/);
      assert.ok(w.errors >= 2, "keeps retrying");
    });
    assert.equal(inf.synced, false);
    await cluster.kubectl("-n", ns, "create", "role", "cm", "--verb=get,list,watch", "--resource=configmaps");
    await cluster.kubectl("-n", ns, "create", "rolebinding", "cm", "--role=cm", `--user=${user}`);
    await inf.waitForSync(AbortSignal.timeout(20_000));
    assert.ok(inf.get({ namespace: ns, name: "visible" }));
    assert.equal(inf.health().watchers[0]!.lastError, undefined);
    await limited.close();
  });
});

// Every fault, with the initial list streamed in a watch (WatchList) and read in pages.
for (const [mode, streamInitialList] of [["streamed", true], ["paged", false]] as const) {
  describe(`informer under network faults (proxy in front of the shared API server; initial list ${mode})`, { timeout: 120_000 }, () => {
    let cluster: TestCluster;
    let admin: Client;
    let proxy: FaultProxy;
    let viaProxy: Client;
    // The same proxy, read as JSON (the default reads built-in kinds as protobuf): frames and lines are cut alike.
    let viaProxyJson: Client;
    const ac = new AbortController();
    before(async () => {
      cluster = await testCluster();
      admin = cluster.client;
      proxy = await FaultProxy.start(cluster.controlPlane.server);
      viaProxy = await Client.connect({ kubeconfig: await proxy.kubeconfig(cluster.kubeconfigPath), qps: Infinity });
      viaProxyJson = await Client.connect({ kubeconfig: await proxy.kubeconfig(cluster.kubeconfigPath), qps: Infinity, wire: "json" });
    });
    after(async () => {
      ac.abort();
      await proxy.stop();
      await Promise.all([cluster.close(), viaProxy.close(), viaProxyJson.close()]);
    });

    for (const wire of ["protobuf", "json"] as const) test(`streams cut mid-event while objects change: nothing is lost (${wire})`, async () => {
      const ns = await cluster.namespace("inf");
      const inf = new Informer(wire === "json" ? viaProxyJson : viaProxy, ConfigMap, { namespaces: [ns], watch: { streamInitialList, backoff: { initialMs: 50, maxMs: 200 } } });
      inf.start(ac.signal);
      await inf.waitForSync();
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 60; i++) {
        writes.push(admin.create(ConfigMap, cm(ns, `c-${i}`, { v: String(i), pad: "x".repeat(2000) })));
        if (i % 10 === 5) proxy.cutAll();
      }
      await Promise.all(writes);
      proxy.cutAll();
      for (let i = 0; i < 60; i += 3) await admin.delete(ConfigMap, { namespace: ns, name: `c-${i}` });
      await assertConverged(admin, inf, ns);
      assert.ok(inf.health().watchers[0]!.restarts >= 1, "the stream was reopened");
    });

    test("a stalled stream is detected by the inactivity timeout and reopened", async () => {
      const ns = await cluster.namespace("inf");
      const inf = new Informer(viaProxy, ConfigMap, { namespaces: [ns], watch: { streamInitialList, inactivityTimeoutMs: 1000, backoff: { initialMs: 50, maxMs: 200 } } });
      inf.start(ac.signal);
      await inf.waitForSync();
      proxy.stall();
      try {
        await admin.create(ConfigMap, cm(ns, "during-stall"));
        await eventually(() => assert.ok(inf.health().watchers[0]!.stalls >= 1, "stall detected"), { timeoutMs: 10_000 });
        assert.equal(inf.get({ namespace: ns, name: "during-stall" }), undefined, "bytes really stopped");
      } finally {
        proxy.resume();
      }
      await assertConverged(admin, inf, ns);
      assert.ok(inf.get({ namespace: ns, name: "during-stall" }));
    });

    test("disconnected while objects change and are deleted: resume or relist catches up, deletions included", async (t) => {
      const ns = await cluster.namespace("inf");
      for (let i = 0; i < 10; i++) await admin.create(ConfigMap, cm(ns, `k-${i}`));
      const inf = new Informer(viaProxy, ConfigMap, { namespaces: [ns], watch: { streamInitialList, backoff: { initialMs: 50, maxMs: 300 } } });
      const deletedByRelist: string[] = [];
      inf.addHandler({ deleted: (o, { relist }) => relist && deletedByRelist.push(o.metadata.name) });
      inf.start(ac.signal);
      await inf.waitForSync();
      proxy.refuse(true);
      proxy.cutAll();
      t.after(() => proxy.refuse(false));
      await eventually(() => assert.ok(inf.health().watchers[0]!.errors >= 1));
      // Many changes while away: enough to push our resourceVersion out of the API server's watch cache window.
      for (let i = 0; i < 10; i++) await admin.delete(ConfigMap, { namespace: ns, name: `k-${i}` });
      for (let round = 0; round < 3; round++) {
        const noise = `noise-${round}`;
        await admin.create(ConfigMap, cm(ns, noise));
        for (let j = 0; j < 120; j++) await admin.patch(ConfigMap, { namespace: ns, name: noise }, { data: { v: String(j) } });
      }
      proxy.refuse(false);
      await assertConverged(admin, inf, ns);
      const w = inf.health().watchers[0]!;
      assert.ok(w.relists >= 2 || deletedByRelist.length === 0, "either resumed from its resourceVersion or relisted");
      assert.equal(inf.list({ namespace: ns }).filter((c) => c.metadata.name.startsWith("k-")).length, 0);
      assert.equal(w.lastError, undefined, "health clears once the watch works again");
    });
  });

  describe(`informer across an API server restart (own control plane; initial list ${mode})`, { timeout: 120_000 }, () => {
    test("watches survive the API server going away and coming back; changes after it returns arrive", async (t) => {
      const cp = await ControlPlane.start({ profile: "minimal" });
      t.after(() => cp.stop());
      const client = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity });
      t.after(() => client.close());
      const ac = new AbortController();
      t.after(() => ac.abort());
      await client.create(ConfigMap, cm("default", "before", { v: "1" }));
      const inf = new Informer(client, ConfigMap, { namespaces: ["default"], watch: { streamInitialList, backoff: { initialMs: 100, maxMs: 1000 } } });
      inf.start(ac.signal);
      await inf.waitForSync();
      await cp.stopApiServer();
      await eventually(() => assert.ok(inf.health().watchers[0]!.errors >= 1, "the outage is visible in health"), { timeoutMs: 15_000 });
      const err = inf.health().watchers[0]!.lastError!;
      assert.ok(["ConnectionFailed", "Timeout", "WatchFailed"].includes(err.code), err.code);
      await cp.startApiServer();
      await client.patch(ConfigMap, { namespace: "default", name: "before" }, { data: { v: "2" } });
      await client.create(ConfigMap, cm("default", "after", { v: "1" }));
      await assertConverged(client, inf, "default");
      assert.equal(inf.get({ namespace: "default", name: "before" })?.data?.v, "2");
      assert.equal(inf.health().watchers[0]!.lastError, undefined);
    });
  });

  describe(`informer and 410 Gone (own control plane: no watch cache for ConfigMaps, etcd compacted every second; initial list ${mode})`, { timeout: 120_000 }, () => {
    test("a watch whose resourceVersion was compacted away gets 410; the informer relists and reports what was deleted meanwhile", async (t) => {
      const cp = await ControlPlane.start({ profile: "minimal", apiServerFlags: ["--watch-cache-sizes=configmaps#0", "--etcd-compaction-interval=1s"] });
      t.after(() => cp.stop());
      const admin = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity });
      t.after(() => admin.close());
      const proxy = await FaultProxy.start(cp.server);
      t.after(() => proxy.stop());
      const viaProxy = await Client.connect({ kubeconfig: await proxy.kubeconfig(cp.kubeconfigPath), qps: Infinity });
      t.after(() => viaProxy.close());
      const ac = new AbortController();
      t.after(() => ac.abort());

      for (let i = 0; i < 5; i++) await admin.create(ConfigMap, cm("default", `gone-${i}`));
      const inf = new Informer(viaProxy, ConfigMap, { namespaces: ["default"], watch: { streamInitialList, backoff: { initialMs: 50, maxMs: 200 } } });
      const deletedByRelist: string[] = [];
      inf.addHandler({ deleted: (o, { relist }) => relist && deletedByRelist.push(o.metadata.name) });
      inf.start(ac.signal);
      await inf.waitForSync();

      proxy.refuse(true);
      proxy.cutAll();
      await eventually(() => assert.ok(inf.health().watchers[0]!.errors >= 1));
      await admin.delete(ConfigMap, { namespace: "default", name: "gone-0" });
      await admin.delete(ConfigMap, { namespace: "default", name: "gone-1" });
      await admin.create(ConfigMap, cm("default", "new-one"));
      // Let the compactor pass the informer's resourceVersion (several writes, a few compaction periods).
      for (let i = 0; i < 5; i++) {
        await admin.patch(ConfigMap, { namespace: "default", name: "new-one" }, { data: { v: String(i) } });
        await sleep(600);
      }
      proxy.refuse(false);
      await assertConverged(admin, inf, "default");
      const w = inf.health().watchers[0]!;
      assert.equal(w.relists, 2, "the 410 made it list again");
      assert.deepEqual(deletedByRelist.sort(), ["gone-0", "gone-1"], "deletions that happened while away are reported by the relist");
    });
  });
}
