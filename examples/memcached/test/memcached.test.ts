// The Memcached operator against a real local control plane, in-process: the
// quickstart's walkthrough — size 3 gives 3 running Pods listed in
// status.nodes, size 4 gives 4, invalid sizes are refused by the API server,
// and deleting the Memcached runs the finalizer and removes what it owned.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { findCondition, isOperantError, type Client, type Manager } from "operant";
import { Deployment, Event, Namespace, Pod } from "operant/kinds";
import { eventually, testCluster, type TestCluster } from "operant/testing";
import { Memcached } from "../src/api/memcached.ts";
import { FINALIZER, labelsFor } from "../src/controllers/memcached.ts";
import operator from "../src/operator.ts";

let cluster: TestCluster;
let client: Client;
let manager: Manager;
let namespace: string;
const name = "example-memcached";

before(async () => {
  cluster = await testCluster({ resources: operator.resources });
  client = cluster.client;
  namespace = await cluster.namespace("memcached");
  ({ manager } = cluster.startOperator(operator, { namespace, serve: true }));
  await eventually(async () => assert.equal((await fetch(`http://${manager.addresses.health}/readyz`)).status, 200), { description: "the manager is ready" });
});

after(async () => {
  await client.delete(Namespace, { name: namespace }).catch(() => undefined);
  await cluster.close();
});

/** The Memcached's Pods that are Running (not being deleted), by name. */
async function runningPods(): Promise<string[]> {
  const pods = await client.list(Pod, { namespace, labelSelector: labelsFor(name) });
  return pods.items
    .filter((p) => p.status?.phase === "Running" && !p.metadata.deletionTimestamp)
    .map((p) => p.metadata.name)
    .sort();
}

/** Waits until `size` Pods run and status.nodes lists exactly them, with Available True. */
async function converged(size: number): Promise<string[]> {
  return eventually(
    async () => {
      const pods = await runningPods();
      assert.equal(pods.length, size, `${pods.length}/${size} Pods running`);
      const mc = await client.get(Memcached, { namespace, name });
      assert.deepEqual(mc.status?.nodes, pods, "status.nodes lists the Pods");
      const available = findCondition(mc.status?.conditions ?? [], "Available");
      assert.equal(available?.status, "True");
      assert.equal(available?.observedGeneration, mc.metadata.generation);
      return pods;
    },
    { timeoutMs: 60_000, description: `${size} Pods running and listed in status.nodes` },
  );
}

describe("the memcached operator", { timeout: 180_000 }, () => {
  test("size 3: a Deployment owned by the Memcached runs 3 Pods; status.nodes lists them; the Memcached carries the finalizer; an Event says so", async () => {
    await client.create(Memcached, { metadata: { name, namespace }, spec: { size: 3 } });
    await converged(3);
    const dep = await client.get(Deployment, { namespace, name });
    assert.equal(dep.spec?.replicas, 3);
    const owner = dep.metadata.ownerReferences?.[0];
    assert.equal(owner?.kind, "Memcached");
    assert.equal(owner?.controller, true);
    const mc = await client.get(Memcached, { namespace, name });
    assert.deepEqual(mc.metadata.finalizers, [FINALIZER]);
    await eventually(async () => {
      const events = await client.list(Event, { namespace });
      assert.ok(events.items.some((e) => e.regarding?.name === name && e.reason === "Created"), "a Created event about the Memcached");
    });
  });

  test("size 4: the Deployment scales to 4 Pods and status.nodes follows", async () => {
    await client.patch(Memcached, { namespace, name }, { spec: { size: 4 } });
    await converged(4);
    assert.equal((await client.get(Deployment, { namespace, name })).spec?.replicas, 4);
  });

  test("the API server refuses a size of 0 and a size that is a string, with the schema's message", async () => {
    const refused = async (size: unknown, message: RegExp) => {
      await assert.rejects(
        client.patch(Memcached, { namespace, name }, { spec: { size } }),
        (err) => isOperantError(err, "Invalid") && message.test(err.message),
      );
    };
    await refused(0, /spec\.size: Invalid value: 0: spec\.size in body should be greater than or equal to 1/);
    await refused("three", /spec\.size: Invalid value: "string": spec\.size in body must be of type integer: "string"/);
    assert.equal((await client.get(Memcached, { namespace, name })).spec.size, 4, "unchanged");
  });

  test("deleting the Memcached runs the finalizer: its Deployment and Pods are gone, then the Memcached itself", async () => {
    await client.delete(Memcached, { namespace, name });
    await eventually(async () => assert.equal(await client.tryGet(Memcached, { namespace, name }), undefined), { timeoutMs: 30_000, description: "the Memcached is gone" });
    assert.equal(await client.tryGet(Deployment, { namespace, name }), undefined, "the finalizer deleted the Deployment");
    await eventually(async () => assert.deepEqual((await client.list(Pod, { namespace, labelSelector: labelsFor(name) })).items.map((p) => p.metadata.name), []), { timeoutMs: 60_000, description: "its Pods are gone" });
  });
});
