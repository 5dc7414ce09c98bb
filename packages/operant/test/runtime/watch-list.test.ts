// The watcher's two ways to read the initial state, against the real API
// server: streamed in a watch (WatchList: sendInitialEvents, ended by the
// bookmark annotated k8s.io/initial-events-end), and listed in pages — and
// the fall back from the first to the second when the stream breaks or stalls
// before its end bookmark, or when the server turns the request down.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "../../src/client/client.ts";
import { ConfigMap } from "../../src/kinds/index.ts";
import { sleep } from "../../src/core/time.ts";
import { watcher, type Watcher, type WatcherEvent, type WatcherOptions } from "../../src/runtime/watcher/watcher.ts";
import { ControlPlane, eventually, FaultProxy, testCluster, type TestCluster } from "../../src/testing/index.ts";

/** Records which requests a client makes for watchers: `stream` (a WatchList watch), `watch` (from a resourceVersion), `list` (paged). */
function recordRequests(client: Client): string[] {
  const calls: string[] = [];
  const watch = client.watch.bind(client);
  const listPages = client.listPages.bind(client);
  client.watch = ((kind, options) => {
    calls.push(options?.sendInitialEvents ? "stream" : "watch");
    return watch(kind, options);
  }) as typeof client.watch;
  client.listPages = ((kind, options) => {
    calls.push("list");
    return listPages(kind, options);
  }) as typeof client.listPages;
  return calls;
}

/** Consumes a watcher in the background; its events land in the returned array. */
function consume(w: Watcher<ConfigMap>): WatcherEvent<ConfigMap>[] {
  const events: WatcherEvent<ConfigMap>[] = [];
  void (async () => {
    for await (const ev of w) events.push(ev);
  })();
  return events;
}

/** The names (starting with `prefix`) in the last complete relist frame (relist-start … relist-done), or undefined if none is complete. */
function lastFrame(events: readonly WatcherEvent<ConfigMap>[], prefix: string): string[] | undefined {
  const done = events.findLastIndex((e) => e.type === "relist-done");
  if (done < 0) return undefined;
  const start = events.slice(0, done).findLastIndex((e) => e.type === "relist-start");
  return events
    .slice(start + 1, done)
    .flatMap((e) => (e.type === "relist-item" && e.object.metadata.name.startsWith(prefix) ? [e.object.metadata.name] : []))
    .sort();
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`).sort();

describe("watcher: streamed and paged initial lists (shared control plane)", { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let ns: string;
  const ac = new AbortController();
  const clients: Client[] = [];
  const newClient = async (kubeconfig = cluster.kubeconfigPath) => {
    const c = await Client.connect({ kubeconfig, qps: Infinity });
    clients.push(c);
    return c;
  };
  const start = (client: Client, options: Partial<WatcherOptions> = {}) => watcher(client, ConfigMap, { namespace: ns, backoff: { initialMs: 50, maxMs: 200 }, ...options, signal: ac.signal });

  before(async () => {
    cluster = await testCluster();
    ns = await cluster.namespace("wl");
    for (const name of names("pre", 25)) await cluster.client.create(ConfigMap, { metadata: { name, namespace: ns }, data: { v: "0" } });
  });
  after(async () => {
    ac.abort();
    await Promise.all(clients.map((c) => c.close()));
    await cluster.close();
  });

  test("the initial list is streamed in one watch, framed as a relist, and the same stream then carries changes", async () => {
    const client = await newClient();
    const calls = recordRequests(client);
    const w = start(client);
    const events = consume(w);
    await eventually(() => assert.ok(w.health.synced));
    assert.equal(events[0]?.type, "relist-start");
    assert.deepEqual(lastFrame(events, "pre-"), names("pre", 25));
    const done = events.find((e) => e.type === "relist-done");
    assert.ok(done && done.type === "relist-done" && /^\d+$/.test(done.resourceVersion), "relist-done carries the end bookmark's resourceVersion");
    assert.deepEqual(calls, ["stream"], "no list request: the server streamed the state");
    assert.equal(w.health.initialList, "stream");
    assert.equal(w.health.relists, 1);

    await cluster.client.create(ConfigMap, { metadata: { name: "live-1", namespace: ns }, data: { v: "1" } });
    await eventually(() => assert.ok(events.some((e) => e.type === "applied" && e.object.metadata.name === "live-1")));
    await cluster.client.delete(ConfigMap, { namespace: ns, name: "live-1" });
    await eventually(() => assert.ok(events.some((e) => e.type === "deleted" && e.object.metadata.name === "live-1")));
    assert.deepEqual(calls, ["stream"], "changes arrive on the stream that delivered the list");
    assert.equal(w.health.errors, 0);
  });

  test("streamInitialList: false lists in pages, then watches from the list's resourceVersion", async () => {
    const client = await newClient();
    const calls = recordRequests(client);
    const w = start(client, { streamInitialList: false, pageSize: 10 });
    const events = consume(w);
    await eventually(() => assert.ok(w.health.synced));
    assert.deepEqual(lastFrame(events, "pre-"), names("pre", 25));
    await eventually(() => assert.deepEqual(calls, ["list", "watch"]));
    assert.equal(w.health.initialList, "pages");
  });

  test("a stream cut before its end bookmark: the failure is reported, the list is read in pages once, and later lists are still streamed", async (t) => {
    const proxy = await FaultProxy.start(cluster.controlPlane.server);
    t.after(() => proxy.stop());
    const client = await newClient(await proxy.kubeconfig(cluster.kubeconfigPath));
    const calls = recordRequests(client);
    proxy.stall();
    const w = start(client);
    const events = consume(w);
    await eventually(() => assert.ok(calls.includes("stream") && proxy.connections >= 1, "the streamed list was requested"));
    await sleep(300); // let the request reach the (stalled) proxy
    proxy.cutAll();
    proxy.resume();
    await eventually(() => assert.ok(w.health.synced));
    const failure = events.find((e) => e.type === "error");
    assert.ok(failure && failure.type === "error", "the broken stream is reported");
    assert.equal(failure.error.code, "ConnectionFailed");
    assert.deepEqual(lastFrame(events, "pre-"), names("pre", 25));
    await eventually(() => assert.deepEqual(calls, ["stream", "list", "watch"]));
    assert.equal(w.health.initialList, "stream", "a broken stream is no reason to stop streaming lists");
    assert.equal(w.health.lastError, undefined, "health clears once the list succeeds");
  });

  test("a streamed list that stalls before its end bookmark is abandoned after the inactivity timeout and read in pages", async (t) => {
    const proxy = await FaultProxy.start(cluster.controlPlane.server);
    t.after(() => proxy.stop());
    const client = await newClient(await proxy.kubeconfig(cluster.kubeconfigPath));
    const calls = recordRequests(client);
    proxy.stall();
    const w = start(client, { inactivityTimeoutMs: 1000 });
    const events = consume(w);
    try {
      await eventually(() => assert.ok(events.some((e) => e.type === "error" && e.error.code === "WatchStalled"), "the stall is detected"), { timeoutMs: 15_000 });
    } finally {
      proxy.resume();
    }
    await eventually(() => assert.ok(w.health.synced));
    assert.deepEqual(lastFrame(events, "pre-"), names("pre", 25));
    assert.equal(calls[0], "stream");
    assert.equal(calls[1], "list");
    assert.equal(w.health.stalls, 1);
  });
});

describe("watcher against a server without WatchList (own control plane, --feature-gates=WatchList=false)", { timeout: 120_000 }, () => {
  let cp: ControlPlane;
  let client: Client;
  const ac = new AbortController();
  before(async () => {
    cp = await ControlPlane.start({ profile: "minimal", apiServerFlags: ["--feature-gates=WatchList=false"] });
    client = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity });
  });
  after(async () => {
    ac.abort();
    await client.close();
    await cp.stop();
  });

  test("the server turns the streamed list down; the watcher lists in pages from then on, without reporting an error", async () => {
    for (const name of names("old", 7)) await client.create(ConfigMap, { metadata: { name, namespace: "default" }, data: { v: "0" } });
    const calls = recordRequests(client);
    const w = watcher(client, ConfigMap, { namespace: "default", signal: ac.signal });
    const events = consume(w);
    await eventually(() => assert.ok(w.health.synced));
    assert.deepEqual(lastFrame(events, "old-"), names("old", 7));
    assert.equal(w.health.initialList, "pages");
    assert.equal(w.health.errors, 0, "a server without the feature is not a failure");
    await eventually(() => assert.deepEqual(calls, ["stream", "list", "watch"]));
    await client.create(ConfigMap, { metadata: { name: "later", namespace: "default" }, data: { v: "1" } });
    await eventually(() => assert.ok(events.some((e) => e.type === "applied" && e.object.metadata.name === "later")));
  });
});
