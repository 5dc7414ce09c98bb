// A two-version CRD whose conversion the real API server asks operant's
// webhook server for: objects written at either version read at both, a
// field only the hub has survives a round trip through the old version (the
// stash annotation), and a storage migration from v1alpha1 to v1 leaves every
// object stored at v1 (proven by reading at v1 with the webhook down).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { crdManifest, installCrds, type CustomResourceDefinitionManifest } from "../../src/crd/index.ts";
import { CustomResourceDefinition } from "../../src/kinds/index.ts";
import { createCertificateAuthority } from "../../src/pki/pki.ts";
import { freePort } from "../../src/testing/control-plane/ports.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";
import { twoVersions } from "../support/two-versions.ts";
import { defineOperator } from "../../src/operator/operator.ts";
import { webhookManifestsFor } from "../../src/operator/webhooks.ts";
import { STASH_ANNOTATION, staticCertificates, WebhookServer, withConversionWebhook } from "../../src/webhook/index.ts";

const suffix = randomBytes(3).toString("hex");
const group = `conv-${suffix}.operant.example.com`;
// v1alpha1 is the storage version at first; v1 (renamed field, and a field v1alpha1 lacks) is the hub.
const { V1alpha1, V1, conversion } = twoVersions({ group, kind: "Gadget", storage: "v1alpha1" });

describe("conversion webhook through the API server", () => {
  let cluster: TestCluster;
  let server: WebhookServer;
  let ns: string;
  let crd: CustomResourceDefinitionManifest;
  const ca = createCertificateAuthority("conversion-test-ca");

  before(async () => {
    cluster = await testCluster();
    ns = await cluster.namespace("conversion");
    server = new WebhookServer({ conversions: [conversion], certificates: staticCertificates(ca.issue({ commonName: "webhook", hosts: ["127.0.0.1"], usage: "server" })), bindAddress: "127.0.0.1:0" });
    await server.listen();
    crd = withConversionWebhook(crdManifest(V1), { url: `https://127.0.0.1:${server.port}` }, ca.certPem);
    await installCrds(cluster.client, [crd]);
  });

  after(async () => {
    await cluster.client.delete(CustomResourceDefinition, { name: crd.metadata.name }).catch(() => undefined);
    await server.close();
    await cluster.close();
  });

  test("the generated CRD conversion (a Service reference) is accepted by the API server", async () => {
    const op = defineOperator({ name: `gen-${suffix}`, resources: [V1], controllers: [], conversions: [conversion] });
    const generated = webhookManifestsFor(op, { namespace: ns, labels: {} }).withConversion({ ...crdManifest(V1), metadata: { name: `gadgets.gen-${group}` }, spec: { ...crdManifest(V1).spec, group: `gen-${group}` } });
    assert.equal(generated.spec.conversion, undefined, "another group: no conversion declared for it");
    const ours = webhookManifestsFor(op, { namespace: ns, labels: {}, certManager: true }).withConversion(crdManifest(V1));
    assert.equal(ours.spec.conversion?.webhook?.clientConfig.service?.path, "/convert");
    const dry = await cluster.client.create(CustomResourceDefinition, { ...ours, metadata: { ...ours.metadata, name: `gadgets.dry-${group}` }, spec: { ...ours.spec, group: `dry-${group}` } }, { dryRun: true });
    assert.equal(dry.spec.conversion?.strategy, "Webhook");
    assert.equal(dry.metadata.annotations?.["cert-manager.io/inject-ca-from"], `${ns}/gen-${suffix}-serving-cert`);
  });

  test("an object written at either version reads at both", async () => {
    // The first call may race the API server's view of the new CRD's conversion.
    await eventually(() => cluster.client.create(V1alpha1, { metadata: { name: "old", namespace: ns }, spec: { size: 3, tier: "gold" } }), { timeoutMs: 30_000 });
    await cluster.client.create(V1, { metadata: { name: "new", namespace: ns }, spec: { replicas: 2, image: "mine:1" } });
    const oldAsV1 = await cluster.client.get(V1, { namespace: ns, name: "old" });
    assert.equal(oldAsV1.apiVersion, `${group}/v1`);
    assert.deepEqual(oldAsV1.spec, { replicas: 3, image: "memcached:1.6" });
    const newAsAlpha = await cluster.client.get(V1alpha1, { namespace: ns, name: "new" });
    assert.deepEqual(newAsAlpha.spec, { size: 2 });
    const oldAsAlpha = await cluster.client.get(V1alpha1, { namespace: ns, name: "old" });
    assert.deepEqual(oldAsAlpha.spec, { size: 3, tier: "gold" });
    const list = await cluster.client.list(V1, { namespace: ns });
    assert.deepEqual(list.items.map((o) => o.spec.replicas).sort(), [2, 3]);
  });

  test("a field only v1 has survives an update through v1alpha1 (kept in the stash annotation)", async () => {
    await cluster.client.create(V1, { metadata: { name: "keeps-image", namespace: ns }, spec: { replicas: 1, image: "special:7" } });
    const asAlpha = await cluster.client.get(V1alpha1, { namespace: ns, name: "keeps-image" });
    assert.ok(asAlpha.metadata.annotations?.[STASH_ANNOTATION]?.includes("special:7"));
    await cluster.client.update(V1alpha1, { ...asAlpha, spec: { size: 5 } });
    const back = await cluster.client.get(V1, { namespace: ns, name: "keeps-image" });
    assert.deepEqual(back.spec, { replicas: 5, image: "special:7" });
    assert.equal(back.metadata.annotations?.[STASH_ANNOTATION], undefined, "the stash is emptied once the hub has the field back");
  });

  test("a list of 200 objects reads at the non-storage version in one conversion round", async () => {
    const before = server.stats.answered;
    const names = Array.from({ length: 200 }, (_, i) => `bulk-${i}`);
    for (let i = 0; i < names.length; i += 20) {
      await Promise.all(names.slice(i, i + 20).map((name, j) => cluster.client.create(V1alpha1, { metadata: { name, namespace: ns }, spec: { size: i + j } })));
    }
    const started = performance.now();
    const list = await cluster.client.list(V1, { namespace: ns, labelSelector: undefined });
    const ms = performance.now() - started;
    const bulk = list.items.filter((o) => o.metadata.name.startsWith("bulk-"));
    assert.equal(bulk.length, 200);
    assert.ok(bulk.every((o) => o.spec.image === "memcached:1.6" && o.spec.replicas === Number(o.metadata.name.slice(5))));
    process.stdout.write(`# conversion: list of ${list.items.length} objects at v1 in ${ms.toFixed(0)} ms (${server.stats.answered - before} reviews answered during the test)\n`);
  });

  test("storage migration to v1: after a no-op update of every object, v1 reads need no webhook", async () => {
    const current = await cluster.client.get(CustomResourceDefinition, { name: crd.metadata.name });
    for (const v of current.spec.versions) v.storage = v.name === "v1";
    await cluster.client.update(CustomResourceDefinition, current);
    // Migrate: read and write back every object, which stores it at the new storage version.
    await eventually(async () => {
      const all = await cluster.client.list(V1, { namespace: ns });
      for (const o of all.items) await cluster.client.update(V1, o);
    });
    const migrated = await cluster.client.get(CustomResourceDefinition, { name: crd.metadata.name });
    assert.deepEqual([...(migrated.status?.storedVersions ?? [])].sort(), ["v1", "v1alpha1"]);
    await cluster.client.patch(CustomResourceDefinition, { name: crd.metadata.name }, { status: { storedVersions: ["v1"] } }, { subresource: "status" });
    // Now point the conversion at a port where nothing listens: v1 (stored) still reads, v1alpha1 cannot.
    const dead = await freePort();
    const broken = await cluster.client.get(CustomResourceDefinition, { name: crd.metadata.name });
    broken.spec.conversion!.webhook!.clientConfig!.url = `https://127.0.0.1:${dead}/convert`;
    await cluster.client.update(CustomResourceDefinition, broken);
    await eventually(() => assert.rejects(cluster.client.get(V1alpha1, { namespace: ns, name: "old" }), /conversion webhook/), { timeoutMs: 30_000 });
    const all = await cluster.client.list(V1, { namespace: ns });
    assert.ok(all.items.length >= 203);
    assert.deepEqual((await cluster.client.get(V1, { namespace: ns, name: "old" })).spec, { replicas: 3, image: "memcached:1.6" });
  });
});
