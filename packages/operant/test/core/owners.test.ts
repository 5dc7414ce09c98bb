// Owner references set by setControllerReference/setOwnerReference, judged by
// the real API server and its garbage collector (the shared control plane is
// the `full` profile, so kube-controller-manager runs the garbage collector).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Client } from "../../src/client/client.ts";
import { createOrUpdate } from "../../src/client/mutate/index.ts";
import { isOperantError } from "../../src/core/errors.ts";
import { controllerOf, isOwnedBy, setControllerReference, setOwnerReference } from "../../src/core/owners/owner-references.ts";
import { ConfigMap, Deployment, Namespace } from "../../src/kinds/index.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";

const deployment = (ns: string, name: string): Deployment => ({
  metadata: { name, namespace: ns },
  spec: {
    replicas: 0,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } },
  },
});

describe("owner references on a real cluster", { timeout: 90_000 }, () => {
  let cluster: TestCluster;
  let client: Client;
  let ns = "";

  before(async () => {
    cluster = await testCluster();
    client = cluster.client;
    ns = await cluster.namespace("owners");
  });

  after(async () => {
    await client.delete(Namespace, { name: ns }).catch(() => undefined);
    await cluster.close();
  });

  test("deleting the owner makes the garbage collector delete the Deployment and ConfigMap it controls", async () => {
    const owner = await client.create(ConfigMap, { metadata: { name: "owner", namespace: ns }, data: { role: "owner" } });
    const dep = await client.create(Deployment, setControllerReference(owner, deployment(ns, "owned-dep"), ConfigMap));
    const cm = await client.create(ConfigMap, setControllerReference(owner, { metadata: { name: "owned-cm", namespace: ns } }, ConfigMap));
    const bystander = await client.create(ConfigMap, { metadata: { name: "bystander", namespace: ns } });

    for (const o of [dep, cm]) {
      assert.deepEqual(controllerOf(o), { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true });
      assert.equal(isOwnedBy(o, owner), true);
    }
    assert.equal(isOwnedBy(bystander, owner), false);

    await client.delete(ConfigMap, { namespace: ns, name: "owner" });
    await eventually(
      async () => {
        assert.equal(await client.tryGet(Deployment, { namespace: ns, name: "owned-dep" }), undefined, "Deployment still there");
        assert.equal(await client.tryGet(ConfigMap, { namespace: ns, name: "owned-cm" }), undefined, "ConfigMap still there");
      },
      { timeoutMs: 30_000, description: "dependents garbage-collected" },
    );
    assert.ok(await client.tryGet(ConfigMap, { namespace: ns, name: "bystander" }), "an object without the reference stays");
  });

  test("a dependent with two owners lives until both are gone", async () => {
    const a = await client.create(ConfigMap, { metadata: { name: "owner-a", namespace: ns } });
    const b = await client.create(ConfigMap, { metadata: { name: "owner-b", namespace: ns } });
    await client.create(ConfigMap, setOwnerReference(b, setControllerReference(a, { metadata: { name: "shared-dep", namespace: ns } }, ConfigMap), ConfigMap));
    await client.delete(ConfigMap, { namespace: ns, name: "owner-a" });
    await eventually(async () => {
      const dep = await client.get(ConfigMap, { namespace: ns, name: "shared-dep" });
      // The garbage collector removes the reference to the deleted owner, and keeps the object.
      assert.deepEqual(dep.metadata.ownerReferences?.map((r) => r.name), ["owner-b"]);
    }, { timeoutMs: 30_000, description: "reference to the deleted owner removed" });
    await client.delete(ConfigMap, { namespace: ns, name: "owner-b" });
    await eventually(async () => assert.equal(await client.tryGet(ConfigMap, { namespace: ns, name: "shared-dep" }), undefined), { timeoutMs: 30_000, description: "shared dependent collected" });
  });

  test("setControllerReference inside createOrUpdate: idempotent on the server, and a second controller is refused", async () => {
    const owner = await client.create(ConfigMap, { metadata: { name: "ctl", namespace: ns } });
    const other = await client.create(ConfigMap, { metadata: { name: "not-ctl", namespace: ns } });
    const ref = { namespace: ns, name: "managed" };
    const first = await createOrUpdate(client, ConfigMap, ref, (cm) => setControllerReference(owner, { ...cm, data: { v: "1" } }, ConfigMap));
    assert.equal(first.result, "created");
    const again = await createOrUpdate(client, ConfigMap, ref, (cm) => setControllerReference(owner, { ...cm, data: { v: "1" } }, ConfigMap));
    assert.equal(again.result, "unchanged", "same reference: nothing to write");
    assert.equal(again.object.metadata.ownerReferences?.length, 1);
    await assert.rejects(
      createOrUpdate(client, ConfigMap, ref, (cm) => setControllerReference(other, cm, ConfigMap)),
      (err: unknown) => isOperantError(err, "AlreadyOwned") && /already controlled by ConfigMap ctl/.test(err.message),
    );
  });
});
