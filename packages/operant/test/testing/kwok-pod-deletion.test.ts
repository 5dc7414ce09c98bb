// kwok plays the kubelet in the local control plane, and finishes off Pods
// that are being deleted. A kubelet only ever deletes the Pod it was running
// (its delete carries a uid precondition), never a new Pod that took the same
// name: a StatefulSet recreates `web-0` as soon as the old `web-0` is gone, and
// an operator that replaces Pods one at a time counts on the new one surviving.
// kwok deletes by name, so the local control plane must not give it a second,
// late chance to delete a name once the Pod behind it is gone.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Pod } from "../../src/kinds/index.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";

let cluster: TestCluster;
before(async () => (cluster = await testCluster()));
after(() => cluster.close());

test("a Pod deleted gracefully is finished off once: a same-named Pod created the moment it is gone lives on", { timeout: 60_000 }, async (t) => {
  const ns = await cluster.namespace("kwokdel");
  const client = cluster.client;
  // Several Pods, several rounds: each replacement is one chance for a late delete by name to hit it.
  const names = Array.from({ length: 8 }, (_, i) => `p-${i}`);
  const rounds = 3;
  const podNamed = (name: string): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns }, spec: { nodeName: "kwok-node-0", containers: [{ name: "main", image: "registry.example/app:1" }] } });

  const current = new Map<string, string>(); // name → uid of the Pod that should live
  const doomed = new Set<string>(); // uids this test deleted
  const ready = new Set<string>();
  const killed: string[] = []; // uids marked for deletion or deleted that this test did not delete
  const creating: Promise<unknown>[] = [];
  const watching = new AbortController();
  t.after(() => watching.abort());
  const follow = (async () => {
    for await (const ev of client.watch(Pod, { namespace: ns, signal: watching.signal })) {
      if (ev.type === "BOOKMARK") continue;
      const p = ev.object;
      const { name, uid } = p.metadata;
      if ((ev.type === "DELETED" || p.metadata.deletionTimestamp) && !doomed.has(uid) && !killed.includes(uid)) killed.push(uid);
      if (!p.metadata.deletionTimestamp && ev.type !== "DELETED" && (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")) ready.add(uid);
      // As a StatefulSet controller would: the old Pod is gone, make the new one with the same name at once.
      if (ev.type === "DELETED" && doomed.has(uid) && current.get(name) === uid) {
        current.delete(name);
        creating.push(client.create(Pod, podNamed(name)).then((r) => current.set(name, r.metadata.uid)));
      }
    }
  })();

  for (const name of names) current.set(name, (await client.create(Pod, podNamed(name))).metadata.uid);
  for (let round = 1; round <= rounds; round++) {
    await eventually(() => assert.ok(names.every((n) => ready.has(current.get(n) ?? ""))), { timeoutMs: 20_000, description: `round ${round}: every Pod Running and Ready` });
    const victims = names.map((n) => current.get(n)!);
    // Graceful deletes (the Pods' default 30s grace period), exactly these Pods: kwok finishes them off at once.
    for (const uid of victims) doomed.add(uid);
    await Promise.all(names.map((name, i) => client.delete(Pod, { namespace: ns, name }, { preconditions: { uid: victims[i] } })));
    await eventually(() => assert.ok(names.every((n, i) => current.has(n) && current.get(n) !== victims[i])), { timeoutMs: 20_000, description: `round ${round}: every Pod gone and replaced` });
    await Promise.all(creating);
    await eventually(() => assert.ok(names.every((n) => ready.has(current.get(n)!) || killed.includes(current.get(n)!))), { timeoutMs: 20_000, description: `round ${round}: each replacement Ready (or killed)` });
    if (killed.length > 0) break;
  }
  // A late delete by name comes within milliseconds of the old Pod's deletion; give it ample time to show.
  await new Promise((r) => setTimeout(r, 1_000));
  watching.abort();
  await follow;

  assert.deepEqual(killed, [], "no Pod the test did not delete was marked for deletion or deleted");
  const live = await client.list(Pod, { namespace: ns });
  assert.deepEqual(live.items.map((p) => p.metadata.uid).sort(), [...current.values()].sort(), "the last replacements are all there");
});

test("a Pod with a finalizer, deleted gracefully, waits for its finalizer and then goes", { timeout: 30_000 }, async () => {
  const ns = await cluster.namespace("kwokfin");
  const client = cluster.client;
  const ref = { namespace: ns, name: "held" };
  await client.create(Pod, { apiVersion: "v1", kind: "Pod", metadata: { ...ref, finalizers: ["example.com/hold"] }, spec: { nodeName: "kwok-node-0", containers: [{ name: "main", image: "registry.example/app:1" }] } });
  await eventually(async () => assert.equal((await client.get(Pod, ref)).status?.phase, "Running"), { timeoutMs: 20_000, description: "Pod Running" });
  await client.delete(Pod, ref);
  // kwok finishes the grace period at once (as a kubelet whose containers stopped); the finalizer keeps the Pod.
  const held = await eventually(async () => {
    const p = await client.get(Pod, ref);
    assert.equal(p.metadata.deletionGracePeriodSeconds, 0);
    return p;
  }, { timeoutMs: 20_000, description: "grace period cut to 0" });
  assert.deepEqual(held.metadata.finalizers, ["example.com/hold"]);
  await client.patch(Pod, ref, { metadata: { finalizers: null } });
  await eventually(async () => assert.equal(await client.tryGet(Pod, ref), undefined), { timeoutMs: 20_000, description: "Pod gone once its finalizer is removed" });
});
