// Readiness that tells the truth (issue 12, finding 6), against the real
// control plane: /readyz fails once an informer has been failing for longer
// than the grace — measured from the first failure since the last success,
// not from the latest retry — and recovers after; caches that never sync
// (a missing RBAC rule) fail the start with CacheSyncTimeout naming the kind
// and the cause.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "../../src/client/client.ts";
import { isOperantError } from "../../src/core/errors.ts";
import { ConfigMap } from "../../src/kinds/index.ts";
import { Action } from "../../src/runtime/controller/action.ts";
import { Controller } from "../../src/runtime/controller/builder.ts";
import { Manager, type ManagerOptions } from "../../src/runtime/manager/manager.ts";
import { eventually, FaultProxy, testCluster, type TestCluster } from "../../src/testing/index.ts";

let cluster: TestCluster;
before(async () => {
  cluster = await testCluster();
});
after(() => cluster.close());

async function readyz(manager: Manager): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${manager.addresses.health}/readyz?verbose`);
  return { status: res.status, body: await res.text() };
}

function start(t: { after: (fn: () => Promise<void>) => void }, options: ManagerOptions, ns: string): { manager: Manager; done: Promise<unknown> } {
  const manager = new Manager({ metricsBindAddress: false, healthBindAddress: "127.0.0.1:0", handleSignals: false, gracefulShutdownTimeout: "2s", namespaces: [ns], ...options });
  manager.add(Controller.for(ConfigMap).named(`cm-${ns}`).reconcile(() => Promise.resolve(Action.awaitChange())));
  const done = manager.start().then(
    () => "returned",
    (err: unknown) => err,
  );
  t.after(async () => {
    manager.stop();
    await done;
  });
  return { manager, done };
}

describe("readiness", { timeout: 180_000 }, () => {
  test("/readyz fails while an informer has been failing for longer than the grace, though retries are closer together than the grace, and recovers", async (t) => {
    const ns = await cluster.namespace("ready");
    const proxy = await FaultProxy.start(cluster.controlPlane.server);
    t.after(() => proxy.stop());
    const client = await Client.connect({ kubeconfig: await proxy.kubeconfig(cluster.kubeconfigPath), qps: Infinity });
    t.after(() => client.close());
    // Retries at most 400 ms apart, grace 2 s: measured from the latest retry, the grace would never run out.
    const { manager } = start(t, { client, informerFailureGrace: "2s", watch: { backoff: { initialMs: 100, maxMs: 400 } } }, ns);
    await eventually(async () => assert.equal((await readyz(manager)).status, 200), { timeoutMs: 60_000, description: "ready once synced" });

    proxy.refuse(true);
    proxy.cutAll();
    const down = await eventually(
      async () => {
        const r = await readyz(manager);
        assert.equal(r.status, 500, r.body);
        return r;
      },
      { timeoutMs: 60_000, description: "unready while the API server is unreachable" },
    );
    assert.match(down.body, /ConfigMap in .*: failing for \d+s/);
    const w = manager.cache.health()[0]!.watchers[0]!;
    assert.ok(w.errors >= 2 && w.failingSince !== undefined && w.lastError !== undefined && w.lastError.at > w.failingSince, "several failures; failingSince is the first of them");

    proxy.refuse(false);
    // A watch counts as working again once something arrives on it (an event; else the next bookmark, about a minute later): make a change.
    let n = 0;
    await eventually(
      async () => {
        await client.create(ConfigMap, { metadata: { name: `after-${n++}`, namespace: ns } }).catch(() => undefined);
        assert.equal((await readyz(manager)).status, 200);
      },
      { timeoutMs: 60_000, description: "ready again once the watch works" },
    );
    assert.equal(manager.cache.health()[0]!.watchers[0]!.failingSince, undefined);
  });

  test("caches that cannot sync (RBAC: forbidden to list) fail the start after cacheSyncTimeout with CacheSyncTimeout naming the kind and the cause", async (t) => {
    const ns = await cluster.namespace("ready");
    const limited = await Client.connect({ kubeconfig: await cluster.controlPlane.userKubeconfig({ user: `nobody-${ns}` }) });
    t.after(() => limited.close());
    const { done } = start(t, { client: limited, cacheSyncTimeout: "3s", watch: { backoff: { initialMs: 100, maxMs: 400 } } }, ns);
    const outcome = await done;
    assert.ok(isOperantError(outcome, "CacheSyncTimeout"), `start() rejects with CacheSyncTimeout (got ${String(outcome)})`);
    assert.match(outcome.message, /ConfigMap in ready-\S+: RBAC: forbidden to list\/watch ConfigMap/);
    assert.match(outcome.message, /cannot list resource "configmaps"/);
  });
});
