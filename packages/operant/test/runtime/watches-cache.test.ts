// `.watches(kind, { toRequests(obj, cache) })`: a map function finds the
// primary objects that refer to a watched one by reading the shared cache.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import Type from "typebox";
import type { Client } from "../../src/client/client.ts";
import { sleep } from "../../src/core/time.ts";
import { defineResource } from "../../src/crd/index.ts";
import { ConfigMap, Namespace, Secret } from "../../src/kinds/index.ts";
import { Action } from "../../src/runtime/controller/action.ts";
import { Controller } from "../../src/runtime/controller/builder.ts";
import { Manager } from "../../src/runtime/manager/manager.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";

const group = `wcache${randomBytes(3).toString("hex")}.example.com`;
const Reader = defineResource({ group, version: "v1", kind: "Reader", scope: "Namespaced", spec: Type.Object({ configMap: Type.String() }) });

let cluster: TestCluster;
let client: Client;

before(async () => {
  cluster = await testCluster({ resources: [Reader] });
  client = cluster.client;
});
after(() => cluster.close());

describe("watches with a cache reader", { timeout: 60_000 }, () => {
  test("toRequests scans the cache for the primaries that refer to the changed object; a map function that throws drops only its event", async (t) => {
    const ns = await cluster.namespace("wcache");
    const reconciled: string[] = [];
    const def = Controller.for(Reader)
      .named(`reader-${ns}`)
      .watches(ConfigMap, {
        toRequests: (cm, cache) =>
          cache
            .list(Reader, { namespace: cm.metadata.namespace })
            .filter((r) => r.spec.configMap === cm.metadata.name)
            .map((r) => ({ namespace: r.metadata.namespace, name: r.metadata.name })),
      })
      // Secrets are not watched by this manager: reading them from the cache throws NotCached.
      .watches(Namespace, { toRequests: (_n, cache) => cache.list(Secret).map((s) => ({ name: s.metadata.name })) })
      .reconcile((r) => {
        reconciled.push(r.metadata.name);
        return Action.awaitChange();
      });
    const manager = new Manager({ client, namespaces: [ns], metricsBindAddress: false, healthBindAddress: false, handleSignals: false });
    manager.add(def);
    const done = manager.start();
    t.after(async () => {
      manager.stop();
      await done;
    });
    await client.create(Reader, { metadata: { name: "a", namespace: ns }, spec: { configMap: "one" } });
    await client.create(Reader, { metadata: { name: "b", namespace: ns }, spec: { configMap: "two" } });
    await eventually(() => assert.deepEqual([...reconciled].sort(), ["a", "b"]));
    await sleep(200);
    reconciled.length = 0;

    await client.create(ConfigMap, { metadata: { name: "one", namespace: ns }, data: { k: "v" } });
    await eventually(() => assert.deepEqual(reconciled, ["a"]));
    await client.patch(ConfigMap, { namespace: ns, name: "one" }, { data: { k: "w" } });
    await eventually(() => assert.deepEqual(reconciled, ["a", "a"]));
    await client.create(ConfigMap, { metadata: { name: "unrelated", namespace: ns } });
    await sleep(300);
    assert.deepEqual(reconciled, ["a", "a"], "a ConfigMap no Reader refers to enqueues nothing");
    assert.equal(manager.stopping, false, "the throwing map function (Namespace → Secrets) did not stop the manager");
  });
});
