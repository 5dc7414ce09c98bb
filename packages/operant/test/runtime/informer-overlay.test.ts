// Read-your-writes against the real API server: a write response that arrives
// after the watch already delivered the object's deletion must not bring the
// object back (a ghost that hid a deleted Pod from its controller for a minute),
// whatever resourceVersion the response carries.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Client } from "../../src/client/client.ts";
import { ConfigMap } from "../../src/kinds/index.ts";
import { Informer } from "../../src/runtime/cache/informer.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";

describe("informer read-your-writes after a deletion", { timeout: 60_000 }, () => {
  let cluster: TestCluster;
  let client: Client;
  let ns: string;
  const ac = new AbortController();
  before(async () => {
    cluster = await testCluster();
    client = cluster.client;
    ns = await cluster.namespace("overlay");
  });
  after(async () => {
    ac.abort();
    await cluster.close();
  });

  test("a write of the deleted object (same uid) observed after the watch saw the deletion is ignored; the name recreated is not", async () => {
    const informer = new Informer(client, ConfigMap, { namespaces: [ns] });
    informer.start(ac.signal);
    await informer.waitForSync(ac.signal);

    const created = await client.create(ConfigMap, { metadata: { name: "c", namespace: ns }, data: { v: "1" } });
    const updated = await client.patch(ConfigMap, { namespace: ns, name: "c" }, { data: { v: "2" } });
    await eventually(() => assert.equal(informer.get({ namespace: ns, name: "c" })?.data?.v, "2"));
    await client.delete(ConfigMap, { namespace: ns, name: "c" });
    await eventually(() => assert.equal(informer.get({ namespace: ns, name: "c" }), undefined), { description: "the watch delivered the deletion" });

    // Responses of writes made before the deletion, arriving late.
    informer.observeWrite(updated);
    informer.observeWrite(created);
    // A delete response can carry a newer resourceVersion than the DELETED event (seen with Pods deleted at once):
    // the uid, not the version, says it is the deleted object.
    informer.observeWrite({ ...updated, metadata: { ...updated.metadata, resourceVersion: String(Number(updated.metadata.resourceVersion) + 1000), deletionTimestamp: new Date().toISOString() } });
    assert.equal(informer.get({ namespace: ns, name: "c" }), undefined, "no ghost from a write older than the deletion");
    assert.deepEqual(informer.list({ namespace: ns }).filter((c) => c.metadata.name === "c"), [], "nor in lists");

    // The same name created again: a newer version, shown at once.
    const again = await client.create(ConfigMap, { metadata: { name: "c", namespace: ns }, data: { v: "3" } });
    informer.observeWrite(again);
    assert.equal(informer.get({ namespace: ns, name: "c" })?.data?.v, "3");
    await eventually(() => assert.equal(informer.get({ namespace: ns, name: "c" })?.metadata.uid, again.metadata.uid));
  });
});
