// ctx.finalize after a stale cache (issue 12, finding 7), against the real
// control plane: a reconcile that sees an object from before its finalizer
// was removed must not run cleanup again, and a NotFound when removing the
// finalizer means the object is gone (done), not a failure.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import Type from "typebox";
import type { Client } from "../../src/client/client.ts";
import type { ObjectOf } from "../../src/core/kind.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { deepFreeze, type Stored } from "../../src/core/object.ts";
import { defineResource } from "../../src/crd/index.ts";
import { ReconcileContext } from "../../src/runtime/controller/context.ts";
import { testCluster, type TestCluster } from "../../src/testing/index.ts";

const group = `fin${randomBytes(3).toString("hex")}.example.com`;
const Gadget = defineResource({ group, version: "v1", kind: "Gadget", scope: "Namespaced", spec: Type.Object({ size: Type.Integer() }) });
type Gadget = ObjectOf<typeof Gadget>;
const finalizer = `${group}/cleanup`;

let cluster: TestCluster;
let client: Client;
before(async () => {
  cluster = await testCluster({ resources: [Gadget] });
  client = cluster.client;
});
after(() => cluster.close());

/** A context for `obj` as a reconcile would get it (real client; the cache is not read by finalize). */
function contextFor(obj: Stored<Gadget>): ReconcileContext<Gadget> {
  const cache = { get: () => undefined, list: () => [], byIndex: () => [], observeWrite: () => undefined, observeDelete: () => undefined };
  return new ReconcileContext(Gadget, deepFreeze(structuredClone(obj)), new AbortController().signal, { client, cache, recorder: { event: () => undefined }, fieldManager: "finalize-test", log: silentLogger });
}

/** Creates a Gadget with the finalizer, deletes it, and returns it as read while being deleted. */
async function beingDeleted(ns: string, name: string): Promise<Stored<Gadget>> {
  await client.create(Gadget, { metadata: { name, namespace: ns, finalizers: [finalizer] }, spec: { size: 1 } });
  await client.delete(Gadget, { namespace: ns, name });
  const obj = await client.get(Gadget, { namespace: ns, name });
  assert.ok(obj.metadata.deletionTimestamp);
  return obj;
}

describe("ctx.finalize", { timeout: 120_000 }, () => {
  test("a stale copy (finalizer already removed, object gone) does not run cleanup again and is done", async () => {
    const ns = await cluster.namespace("fin");
    const stale = await beingDeleted(ns, "g");
    const cleaned: string[] = [];
    assert.equal(await contextFor(stale).finalize(finalizer, () => void cleaned.push("first")), true);
    assert.deepEqual(cleaned, ["first"]);
    assert.equal(await client.tryGet(Gadget, { namespace: ns, name: "g" }), undefined, "the finalizer was removed, the object is gone");
    // The cache was behind (e.g. after an outage): the same reconcile comes again with the old copy.
    assert.equal(await contextFor(stale).finalize(finalizer, () => void cleaned.push("again")), true);
    assert.deepEqual(cleaned, ["first"], "cleanup ran once");
  });

  test("a stale copy of an object whose finalizer another actor removed while others remain does not run cleanup", async () => {
    const ns = await cluster.namespace("fin");
    await client.create(Gadget, { metadata: { name: "h", namespace: ns, finalizers: [finalizer, "example.com/other"] }, spec: { size: 1 } });
    await client.delete(Gadget, { namespace: ns, name: "h" });
    const stale = await client.get(Gadget, { namespace: ns, name: "h" });
    await client.patch(Gadget, { namespace: ns, name: "h" }, { metadata: { finalizers: ["example.com/other"] } });
    const cleaned: string[] = [];
    assert.equal(await contextFor(stale).finalize(finalizer, () => void cleaned.push("x")), true);
    assert.deepEqual(cleaned, []);
    await client.patch(Gadget, { namespace: ns, name: "h" }, { metadata: { finalizers: [] } });
  });

  test("NotFound when removing the finalizer (the object went during cleanup) is done, not a failure", async () => {
    const ns = await cluster.namespace("fin");
    const obj = await beingDeleted(ns, "k");
    // Cleanup takes long enough for someone else to remove the finalizer: the object is gone before our patch.
    const result = await contextFor(obj).finalize(finalizer, async () => {
      await client.patch(Gadget, { namespace: ns, name: "k" }, { metadata: { finalizers: [] } });
    });
    assert.equal(result, true);
    assert.equal(await client.tryGet(Gadget, { namespace: ns, name: "k" }), undefined);
  });
});
