// The Gordon operator against the shared `full` control plane (kwok plays the
// kubelet: scheduled Pods become Running and Ready). The operator runs
// in-process in a Manager; each test has its own namespace.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { ApiError, Client, type Stored } from "operant";
import { Event, Pod } from "operant/kinds";
import { eventually, testCluster, type TestCluster } from "operant/testing";
import { GORDON_LABEL, Gordon } from "../src/api/gordon.ts";
import operator from "../src/operator.ts";

const sample = fileURLToPath(new URL("../samples/gordon.yaml", import.meta.url));
let cluster: TestCluster;
let client: Client;

before(async () => {
  cluster = await testCluster({ resources: operator.resources });
  client = cluster.client;
});
after(() => cluster.close());

const gordonPods = async (ns: string, name: string) => (await client.list(Pod, { namespace: ns, labelSelector: { [GORDON_LABEL]: name } })).items;
const names = (pods: readonly Stored<Pod>[]) => pods.map((p) => p.metadata.name).sort();
const isReady = (p: Stored<Pod>) => p.status?.phase === "Running" && (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

/** Waits until the Gordon has exactly `expected` Pods (none terminating), all Running and Ready, and its status says so. */
async function converged(ns: string, name: string, expected: string[]): Promise<Stored<Pod>[]> {
  return eventually(
    async () => {
      const pods = await gordonPods(ns, name);
      assert.deepEqual(names(pods), [...expected].sort());
      assert.ok(pods.every((p) => isReady(p) && !p.metadata.deletionTimestamp), "all Running and Ready");
      const g = await client.get(Gordon, { namespace: ns, name });
      assert.equal(g.status?.readyReplicas, expected.length);
      assert.deepEqual(g.status?.pods?.map((p) => p.name).sort(), [...expected].sort());
      return pods;
    },
    { description: `${name} has exactly ${expected.join(", ")} ready`, timeoutMs: 20_000 },
  );
}

describe("gordon operator", { timeout: 180_000 }, () => {
  test("the seed's walkthrough: apply the sample, get three Pods owned by the Gordon, then kubectl scale and kubectl get", async (t) => {
    const ns = await cluster.namespace("gordon");
    cluster.startOperator(operator, { namespace: ns, stopAfter: t });
    await cluster.kubectl("apply", "-n", ns, "-f", sample);
    const pods = await converged(ns, "gordoncluster", ["gordoncluster-0", "gordoncluster-1", "gordoncluster-2"]);
    const g = await client.get(Gordon, { namespace: ns, name: "gordoncluster" });
    for (const p of pods) {
      const owner = p.metadata.ownerReferences?.[0];
      assert.deepEqual([owner?.kind, owner?.name, owner?.uid, owner?.controller], ["Gordon", "gordoncluster", g.metadata.uid, true]);
      assert.equal(p.spec?.containers[0]?.image, "prgcont/gordon:v1.0");
      assert.equal(p.metadata.generateName, undefined, "deterministic names, no generateName");
    }
    await eventually(async () => {
      const s = (await client.get(Gordon, { namespace: ns, name: "gordoncluster" })).status;
      assert.equal(s?.replicas, 3);
      assert.equal(s?.selector, `${GORDON_LABEL}=gordoncluster`);
      assert.deepEqual(s?.pods?.map((p) => [p.name, p.index, p.phase, p.ready]), [0, 1, 2].map((i) => [`gordoncluster-${i}`, i, "Running", true]));
      assert.equal(s?.conditions?.find((c) => c.type === "Ready")?.status, "True");
    });

    assert.match(await cluster.kubectl("scale", "-n", ns, "gordon/gordoncluster", "--replicas=5"), /scaled/);
    await converged(ns, "gordoncluster", [0, 1, 2, 3, 4].map((i) => `gordoncluster-${i}`));
    await eventually(async () => {
      const table = await cluster.kubectl("get", "-n", ns, "gn", "gordoncluster");
      const [header, row] = table.trim().split("\n").map((l) => l.trim().split(/\s+/));
      assert.deepEqual(header, ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]);
      assert.deepEqual(row?.slice(0, 4), ["gordoncluster", "5", "5", "5"]);
    });
    const wide = (await cluster.kubectl("get", "-n", ns, "gordons", "-o", "wide")).trim().split("\n").map((l) => l.trim().split(/\s+/));
    assert.deepEqual(wide.map((row) => row[4]), ["IMAGE", "prgcont/gordon:v1.0"]);
    const events = (await client.list(Event, { namespace: ns })).items.filter((e) => e.reason === "CreatedPod");
    assert.ok(events.length >= 1, "CreatedPod events recorded");
  });

  test("invalid Gordons are refused by the schema with the API server's message", async () => {
    const ns = await cluster.namespace("gordon");
    const refused = async (spec: unknown, message: RegExp, name = "bad") => {
      await assert.rejects(client.create(Gordon, { metadata: { name, namespace: ns }, spec } as Gordon), (err: unknown) => {
        assert.ok(err instanceof ApiError, String(err));
        assert.equal(err.code, "Invalid");
        assert.match(err.message, message);
        return true;
      });
    };
    await refused({ replicas: -1 }, /spec\.replicas: Invalid value: -1: spec\.replicas in body should be greater than or equal to 0/);
    await refused({ replicas: 101 }, /spec\.replicas in body should be less than or equal to 100/);
    await refused({ replicas: "three" }, /spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer/);
    await refused({}, /spec\.replicas: Required value/);
    await refused({ replicas: 1 }, /the name must be at most 249 characters/, "g".repeat(250));
    await client.create(Gordon, { metadata: { name: "ok", namespace: ns }, spec: { replicas: 0 } });
    await assert.rejects(client.patch(Gordon, { namespace: ns, name: "ok" }, { spec: { image: "other:v2" } }), /spec\.image: Invalid value: "other:v2": image is immutable: delete and recreate the Gordon to change it/);
    await assert.rejects(client.patch(Gordon, { namespace: ns, name: "ok" }, { spec: { replicas: 1000 } }, { subresource: "scale" }), /less than or equal to 100/);
  });

  test("Pods killed behind the operator's back are replaced: a deleted one is recreated, a Failed one is deleted and recreated", async (t) => {
    const ns = await cluster.namespace("gordon");
    cluster.startOperator(operator, { namespace: ns, stopAfter: t });
    await client.create(Gordon, { metadata: { name: "g", namespace: ns }, spec: { replicas: 3 } });
    const before = await converged(ns, "g", ["g-0", "g-1", "g-2"]);
    const uid = (n: string, pods: Stored<Pod>[]) => pods.find((p) => p.metadata.name === n)?.metadata.uid;

    await client.delete(Pod, { namespace: ns, name: "g-1" });
    const afterDelete = await eventually(async () => {
      const pods = await converged(ns, "g", ["g-0", "g-1", "g-2"]);
      assert.notEqual(uid("g-1", pods), uid("g-1", before), "g-1 is a new Pod");
      return pods;
    });
    assert.equal(uid("g-0", afterDelete), uid("g-0", before), "the others are untouched");

    await client.patch(Pod, { namespace: ns, name: "g-2" }, { status: { phase: "Failed" } }, { subresource: "status" });
    await eventually(async () => {
      const pods = await converged(ns, "g", ["g-0", "g-1", "g-2"]);
      assert.notEqual(uid("g-2", pods), uid("g-2", afterDelete), "the Failed g-2 was replaced");
      assert.equal(uid("g-1", pods), uid("g-1", afterDelete));
    });
  });

  test("scaling down removes the highest indexes first", async (t) => {
    const ns = await cluster.namespace("gordon");
    cluster.startOperator(operator, { namespace: ns, stopAfter: t });
    await client.create(Gordon, { metadata: { name: "s", namespace: ns }, spec: { replicas: 5 } });
    await converged(ns, "s", ["s-0", "s-1", "s-2", "s-3", "s-4"]);
    const stopWatch = new AbortController();
    t.after(() => stopWatch.abort());
    const deletionOrder: string[] = [];
    const list = await client.list(Pod, { namespace: ns });
    void (async () => {
      for await (const e of client.watch(Pod, { namespace: ns, resourceVersion: list.metadata.resourceVersion, signal: stopWatch.signal })) {
        if (e.type === "BOOKMARK") continue;
        const n = e.object.metadata.name;
        if ((e.type === "DELETED" || e.object.metadata.deletionTimestamp) && !deletionOrder.includes(n)) deletionOrder.push(n);
      }
    })();
    await client.patch(Gordon, { namespace: ns, name: "s" }, { spec: { replicas: 2 } });
    await converged(ns, "s", ["s-0", "s-1"]);
    await eventually(() => assert.deepEqual(deletionOrder, ["s-4", "s-3", "s-2"]));
  });

  test("a Pod name taken by a Pod the Gordon does not control is reported in ReplicaFailure and left alone", async (t) => {
    const ns = await cluster.namespace("gordon");
    cluster.startOperator(operator, { namespace: ns, stopAfter: t });
    const stranger = await client.create(Pod, { metadata: { name: "x-1", namespace: ns }, spec: { containers: [{ name: "c", image: "busybox" }] } });
    await client.create(Gordon, { metadata: { name: "x", namespace: ns }, spec: { replicas: 2 } });
    const g = await eventually(async () => {
      const g = await client.get(Gordon, { namespace: ns, name: "x" });
      const failure = g.status?.conditions?.find((c) => c.type === "ReplicaFailure");
      assert.equal(failure?.status, "True");
      assert.equal(failure?.reason, "PodNameTaken");
      assert.match(failure?.message ?? "", /x-1/);
      assert.equal(g.status?.conditions?.find((c) => c.type === "Ready")?.status, "False");
      assert.equal(g.status?.readyReplicas, 1);
      return g;
    });
    assert.ok(g.status?.pods?.every((p) => p.name === "x-0"));
    const still = await client.get(Pod, { namespace: ns, name: "x-1" });
    assert.equal(still.metadata.uid, stranger.metadata.uid);
    assert.equal(still.metadata.ownerReferences, undefined);

    await client.delete(Pod, { namespace: ns, name: "x-1" });
    await converged(ns, "x", ["x-0", "x-1"]);
    await eventually(async () => assert.equal((await client.get(Gordon, { namespace: ns, name: "x" })).status?.conditions?.find((c) => c.type === "ReplicaFailure")?.status, "False"));
  });

  test("the operator stopped mid-way while scaling up, then down, converges after a restart without duplicates", async (t) => {
    const ns = await cluster.namespace("gordon");
    // A slow client (3 requests/s) so that the operator is stopped in the middle of its work; a short drain aborts the reconcile.
    const slow = await Client.connect({ kubeconfig: cluster.kubeconfigPath, qps: 3, burst: 1 });
    t.after(() => slow.close());
    const uids = new Set<string>();
    const stopWatch = new AbortController();
    t.after(() => stopWatch.abort());
    const list = await client.list(Pod, { namespace: ns });
    void (async () => {
      for await (const e of client.watch(Pod, { namespace: ns, resourceVersion: list.metadata.resourceVersion, signal: stopWatch.signal })) if (e.type === "ADDED") uids.add(e.object.metadata.uid);
    })();

    const first = cluster.startOperator(operator, { namespace: ns, stopAfter: t, client: slow, gracefulShutdownTimeout: "10ms" });
    await client.create(Gordon, { metadata: { name: "r", namespace: ns }, spec: { replicas: 12 } });
    await eventually(async () => assert.ok((await gordonPods(ns, "r")).length >= 3));
    await first.stop();
    const midway = (await gordonPods(ns, "r")).length;
    assert.ok(midway < 12, `stopped mid-way (${midway} of 12 created)`);

    const second = cluster.startOperator(operator, { namespace: ns, stopAfter: t });
    const all = Array.from({ length: 12 }, (_, i) => `r-${i}`);
    await converged(ns, "r", all);
    assert.equal(uids.size, 12, "each Pod was created exactly once");
    await second.stop();

    const third = cluster.startOperator(operator, { namespace: ns, stopAfter: t, client: slow, gracefulShutdownTimeout: "10ms" });
    await client.patch(Gordon, { namespace: ns, name: "r" }, { spec: { replicas: 2 } });
    await eventually(async () => assert.ok((await gordonPods(ns, "r")).some((p) => p.metadata.deletionTimestamp) || (await gordonPods(ns, "r")).length < 12));
    await third.stop();
    const left = await gordonPods(ns, "r");
    assert.ok(left.filter((p) => !p.metadata.deletionTimestamp).length > 2, `stopped mid-way (${left.length} Pods left)`);

    cluster.startOperator(operator, { namespace: ns, stopAfter: t });
    await converged(ns, "r", ["r-0", "r-1"]);
    assert.equal(uids.size, 12, "no Pod was recreated");
  });

  // Last: the garbage collector notices a new CRD only at its next discovery sync (every 30 s).
  test("deleting the Gordon garbage-collects its Pods", async (t) => {
    const ns = await cluster.namespace("gordon");
    cluster.startOperator(operator, { namespace: ns, stopAfter: t });
    await client.create(Gordon, { metadata: { name: "gc", namespace: ns }, spec: { replicas: 2 } });
    await converged(ns, "gc", ["gc-0", "gc-1"]);
    await client.delete(Gordon, { namespace: ns, name: "gc" });
    await eventually(async () => assert.deepEqual(await gordonPods(ns, "gc"), []), { timeoutMs: 75_000, description: "Pods garbage-collected" });
  });
});
