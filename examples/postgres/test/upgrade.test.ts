// The operator restarted with a new --postgres-image: every managed cluster
// moves to it, one Pod at a time (highest ordinal first, each replacement
// Ready before the next goes), tracked in status.upgrade; an operator
// stopped in the middle and started again finishes the job without
// replacing a Pod twice or skipping one.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { findCondition, type Client } from "operant";
import { Pod, StatefulSet } from "operant/kinds";
import { eventually, testCluster, type TestCluster } from "operant/testing";
import { Postgresql } from "../src/api/postgresql.ts";
import { EXPANDABLE_CLASS, ensureStorageClass, startOperator, StaticVolumes, type RunningOperator } from "./support/harness.ts";

let cluster: TestCluster;
let client: Client;

before(async () => {
  cluster = await testCluster({ resources: [Postgresql] });
  client = cluster.client;
  await ensureStorageClass(client, EXPANDABLE_CLASS, true);
});
after(() => cluster.close());

const OLD = "postgres:17.1";
const NEW = "postgres:17.2";

interface PodState {
  uid: string;
  image: string;
  ready: boolean;
}

test("a new operator image replaces Pods one at a time, and a restart mid-way neither repeats nor skips a Pod", { timeout: 180_000 }, async (t) => {
  const ns = await cluster.namespace("pgup");
  const volumes = new StaticVolumes(client, ns);
  let operator: RunningOperator = startOperator(client, ns, { image: OLD });
  const watching = new AbortController();
  t.after(async () => {
    watching.abort();
    await operator.stop();
    await volumes.close();
  });

  await client.create(Postgresql, { metadata: { name: "db", namespace: ns }, spec: { instances: 3, storage: { size: "1Gi", storageClassName: EXPANDABLE_CLASS } } });
  await eventually(async () => assert.equal((await client.get(Postgresql, { namespace: ns, name: "db" })).status?.phase, "Running"), { timeoutMs: 60_000, description: "cluster Running" });

  // Follow every Pod change from here on: who exists, with which image, Ready or not.
  const pods = new Map<string, PodState>();
  const uidsSeen = new Map<string, Set<string>>();
  const deletions: string[] = [];
  let maxDown = 0;
  let measuring = false; // from when the watch has shown the three Pods (its first events add them one by one)
  let onChange = () => {};
  const follow = (async () => {
    try {
      for await (const ev of client.watch(Pod, { namespace: ns, signal: watching.signal })) {
        if (ev.type === "BOOKMARK") continue;
        const p = ev.object;
        const name = p.metadata.name;
        if (ev.type === "DELETED") {
          pods.delete(name);
          deletions.push(name);
        } else {
          const ready = !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
          pods.set(name, { uid: p.metadata.uid, image: p.spec?.containers[0]?.image ?? "", ready });
          const seen = uidsSeen.get(name) ?? new Set<string>();
          uidsSeen.set(name, seen.add(p.metadata.uid));
        }
        const down = ["db-0", "db-1", "db-2"].filter((n) => !pods.get(n)?.ready).length;
        if (measuring) maxDown = Math.max(maxDown, down);
        onChange();
      }
    } catch (err) {
      if (!watching.signal.aborted) throw err;
    }
  })();
  await eventually(() => assert.equal([...pods.values()].filter((p) => p.ready && p.image === OLD).length, 3));
  const original = new Map([...pods].map(([n, p]) => [n, p.uid]));
  measuring = true;

  // Follow the status too: what it says about the upgrade as it goes.
  const snapshots: { phase?: string; done: string[]; pending: string[] }[] = [];
  const sampling = (async () => {
    while (!watching.signal.aborted) {
      const pg = await client.tryGet(Postgresql, { namespace: ns, name: "db" }).catch(() => undefined);
      const u = pg?.status?.upgrade;
      if (u && u.targetImage === NEW) snapshots.push({ phase: pg.status?.phase, done: [...u.done], pending: [...u.pending] });
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  // Restart the operator with a new image; stop it as soon as the first Pod has been replaced and is Ready.
  await operator.stop();
  const firstReplaced = new Promise<void>((resolve) => {
    onChange = () => {
      const p = pods.get("db-2");
      if (p && p.image === NEW && p.ready) resolve();
    };
  });
  operator = startOperator(client, ns, { image: NEW });
  await firstReplaced;
  await operator.stop();
  onChange = () => {};
  const midway = await client.get(Postgresql, { namespace: ns, name: "db" });
  assert.equal(pods.get("db-0")?.image, OLD, "stopped in the middle: the primary was not replaced yet");
  assert.equal(findCondition(midway.status?.conditions ?? [], "Upgrading")?.status, "True");
  assert.ok(midway.status?.upgrade?.pending.includes("db-0"), "status says what is left");
  assert.equal((await client.get(StatefulSet, { namespace: ns, name: "db" })).spec?.template.spec?.containers[0]?.image, NEW, "the StatefulSet was updated first");

  // Started again, the operator finishes the upgrade.
  operator = startOperator(client, ns, { image: NEW });
  const done = await eventually(async () => {
    const pg = await client.get(Postgresql, { namespace: ns, name: "db" });
    assert.equal(pg.status?.phase, "Running");
    assert.deepEqual(pg.status?.upgrade?.pending, []);
    assert.ok(pg.status?.upgrade?.completedAt);
    return pg;
  }, { timeoutMs: 60_000, description: "upgrade complete" });
  assert.equal(done.status?.upgrade?.targetImage, NEW);
  assert.deepEqual(done.status?.upgrade?.done, ["db-0", "db-1", "db-2"]);
  assert.equal(findCondition(done.status?.conditions ?? [], "Upgrading")?.status, "False");
  await eventually(() => assert.deepEqual([...pods].map(([n, p]) => [n, p.image, p.ready]).sort(), [["db-0", NEW, true], ["db-1", NEW, true], ["db-2", NEW, true]]));
  watching.abort();
  await follow;
  await sampling;

  // One at a time, highest ordinal first, each Pod exactly once.
  assert.equal(maxDown, 1, "never more than one Pod down at once");
  assert.deepEqual(deletions, ["db-2", "db-1", "db-0"]);
  for (const [name, uids] of uidsSeen) {
    assert.equal(uids.size, 2, `${name}: replaced exactly once`);
    assert.ok(uids.has(original.get(name)!));
  }
  // The status tracked it: every snapshot accounts for all Pods, and progress only moved forward.
  assert.ok(snapshots.some((s) => s.phase === "Upgrading" && s.done.length > 0 && s.pending.length > 0), "progress was visible mid-way");
  let last = 0;
  for (const s of snapshots) {
    assert.deepEqual([...s.done, ...s.pending].sort(), ["db-0", "db-1", "db-2"]);
    assert.ok(s.done.length >= last || s.pending.length === 0, "progress never goes back");
    if (s.pending.length > 0) last = s.done.length;
  }
});
