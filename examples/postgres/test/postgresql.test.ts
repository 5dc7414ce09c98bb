// The postgres operator against the shared local control plane: create a
// cluster, scale it, add a user, repair drift, grow storage, lose and restore
// the credentials, delete it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { findCondition, type Client } from "operant";
import { Event, Pod, Secret, Service, StatefulSet, StorageClass, type PersistentVolumeClaim } from "operant/kinds";
import { PersistentVolumeClaim as Claims } from "operant/kinds";
import { CapturingLogger, eventually, testCluster, type TestCluster } from "operant/testing";
import { Postgresql } from "../src/api/postgresql.ts";
import { EXPANDABLE_CLASS, ensureStorageClass, startOperator, StaticVolumes } from "./support/harness.ts";

let cluster: TestCluster;
let client: Client;

before(async () => {
  cluster = await testCluster({ resources: [Postgresql] });
  client = cluster.client;
  await ensureStorageClass(client, EXPANDABLE_CLASS, true);
});
after(() => cluster.close());

const readyPods = async (ns: string) =>
  (await client.list(Pod, { namespace: ns, labelSelector: { "app.kubernetes.io/instance": "db" } })).items.filter(
    (p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  );
const passwords = async (ns: string) => {
  const s = await client.get(Secret, { namespace: ns, name: "db-credentials" });
  return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
};
const condition = async (ns: string, type: string) => findCondition((await client.get(Postgresql, { namespace: ns, name: "db" })).status?.conditions ?? [], type);

test("a Postgresql cluster: created, scaled, users added, drift repaired, storage grown, credentials loss reported, deleted", { timeout: 240_000 }, async (t) => {
  const ns = await cluster.namespace("pg");
  const volumes = new StaticVolumes(client, ns);
  const logger = new CapturingLogger();
  const operator = startOperator(client, ns, { image: "postgres:17.1", resyncPeriod: "2s", logger });
  t.after(async () => {
    await operator.stop();
    await volumes.close();
  });

  // Create: 2 instances.
  await client.create(Postgresql, { metadata: { name: "db", namespace: ns }, spec: { instances: 2, storage: { size: "1Gi", storageClassName: EXPANDABLE_CLASS }, users: [{ name: "app" }], databases: [{ name: "orders", owner: "app" }] } });
  await eventually(async () => assert.equal((await readyPods(ns)).length, 2), { timeoutMs: 60_000, description: "2 Ready Pods" });
  const set = await client.get(StatefulSet, { namespace: ns, name: "db" });
  assert.equal(set.spec?.updateStrategy?.type, "OnDelete");
  assert.equal(set.spec?.template.spec?.containers[0]?.image, "postgres:17.1");
  assert.equal(set.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage, "1Gi");
  assert.deepEqual(set.spec?.template.spec?.containers[0]?.env?.find((e) => e.name === "POSTGRES_PASSWORD")?.valueFrom?.secretKeyRef, { name: "db-credentials", key: "postgres" });
  assert.equal(set.metadata.ownerReferences?.[0]?.kind, "Postgresql");

  const primary = await client.get(Service, { namespace: ns, name: "db-primary" });
  assert.equal(primary.spec?.selector?.["statefulset.kubernetes.io/pod-name"], "db-0");
  const replica = await client.get(Service, { namespace: ns, name: "db-replica" });
  assert.equal(replica.spec?.selector?.["db.example.com/role"], "replica");
  assert.equal((await client.get(Service, { namespace: ns, name: "db-headless" })).spec?.clusterIP, "None");
  await eventually(async () => {
    const roles = Object.fromEntries((await readyPods(ns)).map((p) => [p.metadata.name, p.metadata.labels?.["db.example.com/role"]]));
    assert.deepEqual(roles, { "db-0": "primary", "db-1": "replica" });
  });

  const first = await passwords(ns);
  assert.deepEqual(Object.keys(first).sort(), ["app", "postgres"]);
  for (const p of Object.values(first)) assert.ok(p.length >= 32, "long random passwords");
  assert.notEqual(first.app, first.postgres);
  const secret = await client.get(Secret, { namespace: ns, name: "db-credentials" });
  assert.equal(secret.metadata.ownerReferences?.[0]?.kind, "Postgresql");

  const status = await eventually(async () => {
    const pg = await client.get(Postgresql, { namespace: ns, name: "db" });
    assert.equal(pg.status?.phase, "Running");
    assert.equal(pg.status?.readyInstances, 2);
    return pg.status;
  });
  assert.equal(status.primaryEndpoint, `db-primary.${ns}.svc:5432`);
  assert.equal(findCondition(status.conditions ?? [], "Ready")?.status, "True");

  // Scale to 3.
  await client.patch(Postgresql, { namespace: ns, name: "db" }, { spec: { instances: 3 } });
  await eventually(async () => assert.equal((await readyPods(ns)).length, 3), { timeoutMs: 60_000, description: "3 Ready Pods" });
  await eventually(async () => assert.equal((await client.get(Postgresql, { namespace: ns, name: "db" })).status?.readyInstances, 3));

  // A new user: a new key, the old passwords untouched.
  await client.patch(Postgresql, { namespace: ns, name: "db" }, { spec: { users: [{ name: "app" }, { name: "reporting" }] } });
  const second = await eventually(async () => {
    const p = await passwords(ns);
    assert.ok(p.reporting);
    return p;
  });
  assert.equal(second.app, first.app);
  assert.equal(second.postgres, first.postgres);

  // Drift: the primary Service deleted, the StatefulSet scaled to 1 behind the operator's back.
  await client.delete(Service, { namespace: ns, name: "db-primary" });
  await client.patch(StatefulSet, { namespace: ns, name: "db" }, { spec: { replicas: 1 } }, { subresource: "scale", fieldManager: "someone-else" });
  await eventually(async () => {
    assert.ok(await client.tryGet(Service, { namespace: ns, name: "db-primary" }), "primary Service back");
    assert.equal((await client.get(StatefulSet, { namespace: ns, name: "db" })).spec?.replicas, 3);
  }, { timeoutMs: 20_000, description: "drift repaired" });
  await eventually(async () => assert.equal((await readyPods(ns)).length, 3), { timeoutMs: 60_000 });

  // Storage: grown where allowed (the claims are patched; the test plays the resizer), a shrink refused.
  await client.patch(Postgresql, { namespace: ns, name: "db" }, { spec: { storage: { size: "2Gi" } } });
  await eventually(async () => {
    const claims = (await client.list(Claims, { namespace: ns })).items;
    assert.equal(claims.length, 3);
    for (const c of claims) assert.equal(c.spec?.resources?.requests?.storage, "2Gi", c.metadata.name);
    const cond = await condition(ns, "StorageResizePending");
    assert.equal(cond?.status, "True");
    assert.equal(cond?.reason, "Resizing");
  }, { description: "claims asked to grow" });
  assert.equal((await client.get(StatefulSet, { namespace: ns, name: "db" })).spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage, "1Gi", "the template is immutable and kept");
  await volumes.completeResizes();
  await eventually(async () => assert.equal((await condition(ns, "StorageResizePending"))?.reason, "Resized"));
  await client.patch(Postgresql, { namespace: ns, name: "db" }, { spec: { storage: { size: "1Gi" } } });
  await eventually(async () => {
    const cond = await condition(ns, "StorageResizePending");
    assert.equal(cond?.reason, "ShrinkNotSupported");
    assert.match(cond?.message ?? "", /cannot shrink/);
  });
  const claims: PersistentVolumeClaim[] = (await client.list(Claims, { namespace: ns })).items;
  for (const c of claims) assert.equal(c.spec?.resources?.requests?.storage, "2Gi", "not shrunk");
  await client.patch(Postgresql, { namespace: ns, name: "db" }, { spec: { storage: { size: "2Gi" } } });

  // The Secret deleted: recreated with new passwords, and CredentialsLost says so; restoring the old ones clears it.
  await client.delete(Secret, { namespace: ns, name: "db-credentials" });
  const regenerated = await eventually(async () => {
    const cond = await condition(ns, "CredentialsLost");
    assert.equal(cond?.status, "True");
    assert.equal(cond?.reason, "PasswordsDiffer");
    assert.match(cond?.message ?? "", /postgres, app, reporting in Secret db-credentials/);
    return passwords(ns);
  });
  assert.notEqual(regenerated.postgres, first.postgres);
  await client.patch(Secret, { namespace: ns, name: "db-credentials" }, { stringData: second });
  await eventually(async () => assert.equal((await condition(ns, "CredentialsLost"))?.status, "False"), { description: "CredentialsLost cleared once the old passwords are back" });

  // Or the new passwords are set in Postgres and accepted with an annotation, which the operator then removes.
  await client.delete(Secret, { namespace: ns, name: "db-credentials" });
  await eventually(async () => assert.equal((await condition(ns, "CredentialsLost"))?.status, "True"));
  const third = await passwords(ns);
  await client.patch(Postgresql, { namespace: ns, name: "db" }, { metadata: { annotations: { "db.example.com/accept-credentials": "true" } } });
  await eventually(async () => {
    const pg = await client.get(Postgresql, { namespace: ns, name: "db" });
    assert.equal(findCondition(pg.status?.conditions ?? [], "CredentialsLost")?.status, "False");
    assert.equal(pg.metadata.annotations?.["db.example.com/accept-credentials"], undefined, "annotation removed");
  }, { description: "new passwords accepted" });
  assert.deepEqual(await passwords(ns), third, "accepting changes no password");

  // No password in logs, events or status.
  const pg = await client.get(Postgresql, { namespace: ns, name: "db" });
  const events = (await client.list(Event, { namespace: ns })).items.map((e) => `${e.reason} ${e.note}`).join("\n");
  assert.match(events, /CredentialsCreated/);
  assert.match(events, /CredentialsRecreated Secret db-credentials was missing/);
  const logs = logger.lines.join("\n");
  assert.match(logs, /replaced|reconcil|starting/i, "the operator did log");
  for (const p of [...Object.values(second), ...Object.values(regenerated), ...Object.values(third)]) {
    assert.ok(!logs.includes(p), "a password is in the logs");
    assert.ok(!events.includes(p), "a password is in an event");
    assert.ok(!JSON.stringify(pg.status).includes(p), "a password is in the status");
  }

  // Delete: everything goes (owner references and the garbage collector; claims with the StatefulSet).
  await client.delete(Postgresql, { namespace: ns, name: "db" });
  await eventually(async () => {
    assert.equal(await client.tryGet(StatefulSet, { namespace: ns, name: "db" }), undefined);
    for (const s of ["db-primary", "db-replica", "db-headless"]) assert.equal(await client.tryGet(Service, { namespace: ns, name: s }), undefined, s);
    assert.equal(await client.tryGet(Secret, { namespace: ns, name: "db-credentials" }), undefined);
    assert.equal((await client.list(Pod, { namespace: ns })).items.length, 0);
    assert.equal((await client.list(Claims, { namespace: ns })).items.length, 0);
  }, { timeoutMs: 90_000, description: "garbage-collected" });
});

test("storage does not grow while the StorageClass forbids expansion; the periodic sync notices when it starts allowing it", { timeout: 120_000 }, async (t) => {
  const ns = await cluster.namespace("pgfixed");
  const storageClass = `pg-test-fixed-${ns}`;
  await ensureStorageClass(client, storageClass, false);
  const volumes = new StaticVolumes(client, ns);
  const operator = startOperator(client, ns, { image: "postgres:17.1", resyncPeriod: "1s" });
  t.after(async () => {
    await operator.stop();
    await volumes.close();
    await client.delete(StorageClass, { name: storageClass });
  });
  await client.create(Postgresql, { metadata: { name: "db", namespace: ns }, spec: { instances: 1, storage: { size: "1Gi", storageClassName: storageClass } } });
  await eventually(async () => assert.equal((await readyPods(ns)).length, 1), { timeoutMs: 60_000 });
  await client.patch(Postgresql, { namespace: ns, name: "db" }, { spec: { storage: { size: "5Gi" } } });
  await eventually(async () => {
    const cond = await condition(ns, "StorageResizePending");
    assert.equal(cond?.status, "True");
    assert.equal(cond?.reason, "ExpansionNotAllowed");
    assert.match(cond?.message ?? "", new RegExp(storageClass));
  });
  assert.equal((await client.get(Claims, { namespace: ns, name: "data-db-0" })).spec?.resources?.requests?.storage, "1Gi");

  // The operator does not watch StorageClasses: only its periodic sync can see this change.
  await client.patch(StorageClass, { name: storageClass }, { allowVolumeExpansion: true });
  await eventually(async () => assert.equal((await client.get(Claims, { namespace: ns, name: "data-db-0" })).spec?.resources?.requests?.storage, "5Gi"), { timeoutMs: 10_000, description: "claim grown after the resync" });
  await eventually(async () => assert.equal((await condition(ns, "StorageResizePending"))?.reason, "Resizing"));
});
