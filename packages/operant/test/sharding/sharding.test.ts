// Sharded reconciliation against the real control plane, with members as
// separate processes (runOperator --shard, fast Lease timings: 5 s / 3 s /
// 0.5 s; sharder pass interval 5 s): 3 members and 300 objects; a fourth
// member joins (about 1/4 of the objects move, only to it, through drain and
// acknowledgement); a member is SIGKILLed (its objects move within its Lease
// duration plus the stated bound); a new object is assigned within the
// bound. No double reconciles, proven from the API's side: for each object,
// the evidence its reconciles wrote, in resourceVersion order (etcd's global
// revision), is one run per member, never a member coming back after another.
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as pathJoin } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import type { Client } from "../../src/client/client.ts";
import { ConfigMap } from "../../src/kinds/index.ts";
import { drainLabel, shardLabel } from "../../src/sharding/labels.ts";
import { HashRing } from "../../src/sharding/ring.ts";
import { eventually, OperatorProcess, testCluster, type TestCluster } from "../../src/testing/index.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/member.ts", import.meta.url));
const S = shardLabel("sharded");
const D = drainLabel("sharded");
const OBJECTS = 300;
/** The fixture's timings: member Lease duration, sharder pass interval, sharder QPS. */
const LEASE_MS = 5_000;
const PASS_MS = 5_000;
const SHARDER_QPS = 50;
/** The stated bound on an unassigned object while a sharder leads: pass interval + the pass's patches at the sharder's QPS. */
const bound = (patches: number) => PASS_MS + (patches / SHARDER_QPS) * 1000;
/** What a loaded 2-core machine (7 test suites at once) adds to any of these: process scheduling, watch delivery. */
const LOADED_MACHINE_ALLOWANCE_MS = 10_000;

let cluster: TestCluster;
let client: Client;
const members: { instance: string; id: string; proc: OperatorProcess }[] = [];
/** Every process started, joined or not (a failed join must not leave one running). */
const spawned: OperatorProcess[] = [];

class Member extends OperatorProcess {
  static launch(instance: string, kubeconfig: string, ns: string): Member {
    return new Member({ script: FIXTURE, env: { ...process.env, KUBECONFIG: kubeconfig, NAMESPACE: ns, INSTANCE: instance, EVERY: "5000" }, name: instance });
  }
}

async function join(instance: string, ns: string): Promise<{ instance: string; id: string; proc: OperatorProcess }> {
  const proc = Member.launch(instance, cluster.kubeconfigPath, ns);
  spawned.push(proc);
  const line = await proc.waitForLine((l) => l.msg === "joined the shard ring", { timeoutMs: 90_000, what: `${instance} joining the shard ring` });
  const m = { instance, id: String(line.member), proc };
  members.push(m);
  return m;
}

async function labels(ns: string): Promise<Map<string, { member: string | undefined; draining: boolean }>> {
  const list = await client.list(ConfigMap, { namespace: ns, labelSelector: { role: "sharded" } });
  return new Map(list.items.map((i) => [i.metadata.name, { member: i.metadata.labels?.[S], draining: i.metadata.labels?.[D] !== undefined }]));
}

/** Waits until every object is labelled with the ring's choice among `ids`, and none is draining. */
async function settled(ns: string, ids: string[], timeoutMs: number, what: string): Promise<Map<string, string>> {
  const ring = new HashRing(ids);
  let last = new Map<string, string>();
  await eventually(
    async () => {
      const now = await labels(ns);
      const wrong = [...now].filter(([name, l]) => l.draining || l.member !== ring.ownerOf(`${ns}/${name}`));
      last = new Map([...now].map(([n, l]) => [n, l.member ?? ""]));
      assert.ok(wrong.length === 0 && now.size === OBJECTS, `${wrong.length} of ${now.size} objects not yet where the ring puts them (e.g. ${wrong.slice(0, 3).map(([n, l]) => `${n}: ${l.member ?? "unassigned"}${l.draining ? " draining" : ""}`).join(", ")})`);
    },
    { timeoutMs, intervalMs: 500, description: what },
  );
  return last;
}

const distribution = (assigned: Map<string, string>) => {
  const counts = new Map<string, number>();
  for (const m of assigned.values()) counts.set(m, (counts.get(m) ?? 0) + 1);
  return counts;
};

before(async () => {
  cluster = await testCluster();
  client = cluster.client;
});
after(async () => {
  await OperatorProcess.killAll(spawned);
  // The members' logs, for a failed run: warnings, errors and the sharder's passes.
  const dir = pathJoin(tmpdir(), `operant-sharding-logs-${process.pid}`);
  await mkdir(dir, { recursive: true });
  for (const m of members) await writeFile(pathJoin(dir, `${m.instance}.jsonl`), m.proc.lines.map((l) => JSON.stringify(l)).join("\n"));
  await cluster.close();
});

test("sharding: 3 members split 300 objects; a 4th takes about 1/4 through drain and acknowledgement; a SIGKILLed member's objects move within its Lease plus the bound; no object is reconciled by two members at once", { timeout: 600_000 }, async (t) => {
  const ns = await cluster.namespace("shard");
  await Promise.all(["m0", "m1", "m2"].map((i) => join(i, ns)));
  const t0 = performance.now();
  for (let i = 0; i < OBJECTS; i += 25) {
    await Promise.all(Array.from({ length: Math.min(25, OBJECTS - i) }, (_, j) => client.create(ConfigMap, { metadata: { name: `obj-${String(i + j).padStart(3, "0")}`, namespace: ns, labels: { role: "sharded" } }, data: {} })));
  }
  const created = performance.now() - t0;

  // 1. Three members: every object assigned, within the bound for 300 new objects.
  const three = members.map((m) => m.id);
  let assigned = await settled(ns, three, bound(OBJECTS) + LOADED_MACHINE_ALLOWANCE_MS + created, "300 objects assigned to 3 members");
  const firstAssigned = performance.now() - t0;
  const d3 = distribution(assigned);
  t.diagnostic(`3 members, ${OBJECTS} objects: ${[...d3.values()].join(" / ")} (created in ${Math.round(created)} ms, all assigned ${Math.round(firstAssigned)} ms after the first create)`);
  for (const id of three) assert.ok((d3.get(id) ?? 0) >= 50, `member ${id} got ${d3.get(id) ?? 0} of 300`);

  // Each member reconciles what it holds: evidence from every member.
  await eventually(async () => {
    const writers = new Set((await client.list(ConfigMap, { namespace: ns, labelSelector: { role: "evidence" } })).items.map((e) => e.data?.writer));
    assert.ok(["m0", "m1", "m2"].every((m) => writers.has(m)), `evidence so far from ${[...writers].join(", ")}`);
  }, { timeoutMs: 60_000, description: "evidence from every member" });

  // 2. A fourth member: about 1/4 move, all of them to it.
  const before4 = assigned;
  const fourth = await join("m3", ns);
  assigned = await settled(ns, [...three, fourth.id], bound(OBJECTS) * 2 + LOADED_MACHINE_ALLOWANCE_MS, "objects rebalanced onto 4 members");
  const moved = [...assigned].filter(([n, m]) => before4.get(n) !== m);
  t.diagnostic(`4th member joined: ${moved.length} of ${OBJECTS} objects moved (1/N = ${OBJECTS / 4}); distribution ${[...distribution(assigned).values()].join(" / ")}`);
  for (const [n, m] of moved) assert.equal(m, fourth.id, `${n} moved to ${m}, not to the new member`);
  assert.ok(moved.length >= OBJECTS * 0.1 && moved.length <= OBJECTS * 0.45, `${moved.length} of ${OBJECTS} moved; expected about 1/4`);

  // 3. SIGKILL one member: its objects move once its Lease expires, within the Lease duration plus the bound.
  const victim = members[1]!;
  const itsObjects = [...assigned].filter(([, m]) => m === victim.id).length;
  const k0 = performance.now();
  victim.proc.kill("SIGKILL");
  const survivors = members.filter((m) => m !== victim).map((m) => m.id);
  const limit = LEASE_MS + bound(itsObjects);
  assigned = await settled(ns, survivors, limit + LOADED_MACHINE_ALLOWANCE_MS + 30_000, "the killed member's objects reassigned");
  const reassignedMs = performance.now() - k0;
  t.diagnostic(`SIGKILLed ${victim.instance} (${itsObjects} objects): all reassigned after ${Math.round(reassignedMs)} ms (Lease ${LEASE_MS} ms + bound ${Math.round(bound(itsObjects))} ms = ${Math.round(limit)} ms; allowance for the loaded machine ${LOADED_MACHINE_ALLOWANCE_MS} ms)`);
  assert.ok(reassignedMs <= limit + LOADED_MACHINE_ALLOWANCE_MS, `reassignment took ${Math.round(reassignedMs)} ms, over ${limit} ms + ${LOADED_MACHINE_ALLOWANCE_MS} ms`);
  assert.equal([...assigned.values()].filter((m) => !m).length, 0, "no object left unassigned");

  // 4. A new object is assigned within the bound (one patch).
  const n0 = performance.now();
  await client.create(ConfigMap, { metadata: { name: "obj-late", namespace: ns, labels: { role: "sharded" } }, data: {} });
  await eventually(async () => assert.ok((await client.get(ConfigMap, { namespace: ns, name: "obj-late" })).metadata.labels?.[S], "obj-late unassigned"), { timeoutMs: bound(1) + LOADED_MACHINE_ALLOWANCE_MS, intervalMs: 200, description: "the new object assigned" });
  t.diagnostic(`a new object was assigned after ${Math.round(performance.now() - n0)} ms (bound ${Math.round(bound(1))} ms)`);
  await client.delete(ConfigMap, { namespace: ns, name: "obj-late" });

  // Let the members reconcile a while after the moves, then stop them all and read the evidence.
  await new Promise((r) => setTimeout(r, 6_000));
  await OperatorProcess.killAll(members.map((m) => m.proc));
  const evidence = (await client.list(ConfigMap, { namespace: ns, labelSelector: { role: "evidence" } })).items
    .map((e) => ({ rv: BigInt(e.metadata.resourceVersion), object: e.data?.object ?? "?", writer: e.data?.writer ?? "?" }))
    .sort((a, b) => (a.rv < b.rv ? -1 : a.rv > b.rv ? 1 : 0));
  const byObject = new Map<string, string[]>();
  for (const e of evidence) byObject.set(e.object, [...(byObject.get(e.object) ?? []), e.writer]);
  let handovers = 0;
  for (const [object, writers] of byObject) {
    const runs = writers.filter((w, i) => i === 0 || writers[i - 1] !== w);
    handovers += runs.length - 1;
    assert.equal(new Set(runs).size, runs.length, `${object}: writers in resourceVersion order ${runs.join(" → ")}: a member reconciled it again after another had`);
  }
  t.diagnostic(`${evidence.length} reconciles of ${byObject.size} objects, ${handovers} handovers between members, none interleaved`);
  assert.ok(handovers >= moved.length, `the moved objects were reconciled by their new member (${handovers} handovers, ${moved.length} moved on join alone)`);
});
