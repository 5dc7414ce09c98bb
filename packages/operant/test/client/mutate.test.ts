// createOrUpdate / createOrPatch against a real API server: writes only when
// something changed, conflicts retried under a real concurrent writer, merge
// patches that leave other managers' fields alone, status through the status
// subresource of a CRD.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import Type from "typebox";
import type { Client } from "../../src/client/client.ts";
import { createOrPatch, createOrUpdate, type Draft } from "../../src/client/mutate/index.ts";
import { setCondition } from "../../src/core/conditions/conditions.ts";
import { isOperantError } from "../../src/core/errors.ts";
import { Condition, crdManifest, defineResource } from "../../src/crd/index.ts";
import { ConfigMap, CustomResourceDefinition, Namespace } from "../../src/kinds/index.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";

const suffix = randomBytes(3).toString("hex");
const Gadget = defineResource({
  group: `mutate-${suffix}.operant.example.com`,
  version: "v1",
  kind: "Gadget",
  scope: "Namespaced",
  spec: Type.Object({ size: Type.Integer({ minimum: 1 }) }),
  status: Type.Object({ ready: Type.Optional(Type.Integer()), conditions: Type.Optional(Type.Array(Condition)) }),
});

/** Both parties wait until the other arrived. */
function barrier(parties: number): () => Promise<void> {
  let waiting: (() => void)[] = [];
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length === parties) {
        for (const r of waiting) r();
        waiting = [];
      }
    });
}

describe("createOrUpdate / createOrPatch (shared control plane)", { timeout: 90_000 }, () => {
  let cluster: TestCluster;
  let client: Client;
  let ns = "";

  before(async () => {
    cluster = await testCluster();
    client = cluster.client;
    ns = await cluster.namespace("mutate");
  });

  after(async () => {
    await client.delete(Namespace, { name: ns }).catch(() => undefined);
    await client.delete(CustomResourceDefinition, { name: crdManifest(Gadget).metadata.name }).catch(() => undefined);
    await cluster.close();
  });

  test("createOrUpdate: created, then unchanged without a write, then updated", async () => {
    const ref = { namespace: ns, name: "settings" };
    const setMode = (mode: string) => (cm: Draft<ConfigMap>) => {
      cm.metadata.labels = { ...cm.metadata.labels, app: "web" };
      cm.data = { ...cm.data, mode };
    };
    const first = await createOrUpdate(client, ConfigMap, ref, setMode("fast"), { fieldManager: "mutate-test" });
    assert.equal(first.result, "created");
    assert.deepEqual(first.object.data, { mode: "fast" });
    assert.equal(first.object.metadata.managedFields?.length, 1);

    const second = await createOrUpdate(client, ConfigMap, ref, setMode("fast"));
    assert.equal(second.result, "unchanged");
    assert.equal(second.object.metadata.resourceVersion, first.object.metadata.resourceVersion);
    const read = await client.get(ConfigMap, ref);
    assert.equal(read.metadata.resourceVersion, first.object.metadata.resourceVersion, "nothing was written");

    const third = await createOrUpdate(client, ConfigMap, ref, setMode("safe"));
    assert.equal(third.result, "updated");
    assert.deepEqual((await client.get(ConfigMap, ref)).data, { mode: "safe" });
    assert.notEqual(third.object.metadata.resourceVersion, first.object.metadata.resourceVersion);
  });

  test("createOrUpdate: two concurrent writers incrementing one counter 20 times each end at 40", async () => {
    const ref = { namespace: ns, name: "counter" };
    let mutateCalls = 0;
    const meet = barrier(2);
    const writer = async () => {
      for (let i = 0; i < 20; i++) {
        let attempt = 0;
        await createOrUpdate(client, ConfigMap, ref, async (cm) => {
          mutateCalls++;
          // Iterations 0 and 10 start in lockstep: both read the same version (or both miss the object),
          // so one of the two writes must lose (AlreadyExists, then Conflict) and be retried.
          if ((i === 0 || i === 10) && attempt++ === 0) await meet();
          cm.data = { n: String(Number(cm.data?.n ?? "0") + 1) };
          // The winner of a race goes straight on to its next increment while the loser pauses 10 ms, so on a
          // busy machine one writer can lose five times running: the default 5 attempts would give up (Conflict).
        }, { retry: { attempts: 50 } });
      }
    };
    await Promise.all([writer(), writer()]);
    assert.equal((await client.get(ConfigMap, ref)).data?.n, "40");
    assert.ok(mutateCalls >= 42, `at least the two forced races were retried (${mutateCalls} mutate calls for 40 increments)`);
  });

  test("createOrUpdate refuses a mutate that renames the object", async () => {
    await assert.rejects(
      createOrUpdate(client, ConfigMap, { namespace: ns, name: "fixed" }, (cm) => {
        cm.metadata.name = "other";
      }),
      (err: unknown) => isOperantError(err, "MutateChangedKey") && /changed the object's name\/namespace to .*\/other/.test(err.message),
    );
    assert.equal(await client.tryGet(ConfigMap, { namespace: ns, name: "fixed" }), undefined);
    assert.equal(await client.tryGet(ConfigMap, { namespace: ns, name: "other" }), undefined);
  });

  test("createOrPatch leaves a field another manager sets meanwhile alone; createOrUpdate has to retry", async () => {
    const ref = { namespace: ns, name: "shared" };
    await client.create(ConfigMap, { metadata: { name: "shared", namespace: ns }, data: { mine: "1" } });
    const otherWrites = (key: string) => client.patch(ConfigMap, ref, { data: { [key]: "theirs" } }, { fieldManager: "other-manager" });

    // The other manager writes between our read and our write.
    let patchMutates = 0;
    const patched = await createOrPatch(
      client,
      ConfigMap,
      ref,
      async (cm) => {
        if (patchMutates++ === 0) await otherWrites("a");
        cm.data = { ...cm.data, mine: "2" };
      },
      { fieldManager: "patcher" },
    );
    assert.equal(patched.result, "updated");
    assert.equal(patchMutates, 1, "a merge patch of our change alone needs no retry");
    assert.deepEqual(patched.object.data, { mine: "2", a: "theirs" });
    const owners = (patched.object.metadata.managedFields as { manager: string; fieldsV1?: { "f:data"?: Record<string, unknown> } }[]).map((m) => [m.manager, Object.keys(m.fieldsV1?.["f:data"] ?? {}).sort()]);
    assert.deepEqual(owners.find(([m]) => m === "other-manager"), ["other-manager", ["f:a"]], "the other manager still owns its field");

    let updateMutates = 0;
    const updated = await createOrUpdate(client, ConfigMap, ref, async (cm) => {
      if (updateMutates++ === 0) await otherWrites("b");
      cm.data = { ...cm.data, mine: "3" };
    });
    assert.equal(updated.result, "updated");
    assert.equal(updateMutates, 2, "the full update of the stale copy was refused (Conflict) and redone from a fresh read");
    assert.deepEqual(updated.object.data, { mine: "3", a: "theirs", b: "theirs" });

    // What the resourceVersion check protects against: a blind full update of a stale copy drops the other field.
    const stale = await client.get(ConfigMap, ref);
    await otherWrites("c");
    const { resourceVersion: _, ...meta } = stale.metadata;
    const blind = await client.update(ConfigMap, { ...stale, metadata: meta, data: { ...stale.data, mine: "4" } });
    assert.equal(blind.data?.c, undefined);
  });

  test("createOrPatch with a CRD: created with status, then status through the subresource, object and status, object only, unchanged", async () => {
    const crd = crdManifest(Gadget);
    await client.create(CustomResourceDefinition, crd);
    await eventually(async () => {
      const got = await client.get(CustomResourceDefinition, { name: crd.metadata.name });
      assert.ok(got.status?.conditions?.some((c) => c.type === "Established" && c.status === "True"));
      await client.list(Gadget, { namespace: ns });
    }, { timeoutMs: 30_000, description: "Gadget CRD established and served" });

    const ref = { namespace: ns, name: "g" };
    const t0 = new Date("2025-01-01T00:00:00Z");
    const created = await createOrPatch(client, Gadget, ref, (g) => {
      g.spec = { size: 1 };
      g.status = { ready: 0, conditions: setCondition(g.status?.conditions, { type: "Ready", status: false, reason: "Starting" }, t0) };
    });
    assert.equal(created.result, "created");
    assert.equal(created.object.status?.ready, 0, "status set on creation is written through /status afterwards");
    const generation = created.object.metadata.generation;

    const statusOnly = await createOrPatch(client, Gadget, ref, (g) => {
      g.status = { ...g.status, ready: 1, conditions: setCondition(g.status?.conditions, { type: "Ready", status: true, reason: "Running" }) };
    });
    assert.equal(statusOnly.result, "updatedStatusOnly");
    assert.equal(statusOnly.object.status?.ready, 1);
    assert.equal(statusOnly.object.status?.conditions?.[0]?.status, "True");
    assert.notEqual(statusOnly.object.status?.conditions?.[0]?.lastTransitionTime, "2025-01-01T00:00:00Z", "the status changed, so did the transition time");
    assert.equal(statusOnly.object.metadata.generation, generation, "a status write does not bump the generation");

    const both = await createOrPatch(client, Gadget, ref, (g) => {
      g.spec = { size: 2 };
      g.status = { ...g.status, ready: 2 };
    });
    assert.equal(both.result, "updatedStatus");
    assert.equal(both.object.spec.size, 2);
    assert.equal(both.object.status?.ready, 2);
    assert.equal(both.object.metadata.generation, (generation ?? 0) + 1);

    const objectOnly = await createOrPatch(client, Gadget, ref, (g) => {
      g.metadata.labels = { tier: "cache" };
    });
    assert.equal(objectOnly.result, "updated");
    assert.equal(objectOnly.object.status?.ready, 2);

    const same = await createOrPatch(client, Gadget, ref, (g) => {
      g.metadata.labels = { tier: "cache" };
      g.status = { ...g.status, ready: 2 };
    });
    assert.equal(same.result, "unchanged");
    assert.equal(same.object.metadata.resourceVersion, objectOnly.object.metadata.resourceVersion);

    // createOrUpdate cannot change status on such a kind: the API server ignores status in a main-resource update.
    const viaUpdate = await createOrUpdate(client, Gadget, ref, (g) => {
      g.status = { ...g.status, ready: 9 };
    });
    assert.equal(viaUpdate.object.status?.ready, 2);
  });

  test("createOrPatch says so when status changes on a kind without a status subresource", async () => {
    const ref = { namespace: ns, name: "no-status" };
    await client.create(ConfigMap, { metadata: { name: "no-status", namespace: ns } });
    await assert.rejects(
      createOrPatch(client, ConfigMap, ref, (cm) => {
        (cm as { status?: unknown }).status = { seen: true };
      }),
      (err: unknown) => isOperantError(err, "StatusSubresourceMissing") && /ConfigMap has no status subresource.*statusSubresource: false/.test(err.message),
    );
  });

  test("createOrPatch with optimisticLock retries when the object changed between read and write", async () => {
    const ref = { namespace: ns, name: "locked" };
    await client.create(ConfigMap, { metadata: { name: "locked", namespace: ns }, data: { list: "a" } });
    let calls = 0;
    const res = await createOrPatch(
      client,
      ConfigMap,
      ref,
      async (cm) => {
        if (calls++ === 0) await client.patch(ConfigMap, ref, { data: { list: "a,b" } });
        cm.data = { list: `${cm.data?.list ?? ""},c` };
      },
      { optimisticLock: true },
    );
    assert.equal(calls, 2);
    assert.equal(res.object.data?.list, "a,b,c", "recomputed from the fresh read: nothing lost");
  });
});
