// The memcached quota webhooks called by the real API server: the webhook
// server runs in this process on loopback, the configurations point at it
// with clientConfig.url and are scoped to this file's namespace by a label,
// so other test files on the shared control plane never reach them.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ConfigMap, MutatingWebhookConfiguration, Namespace, ValidatingWebhookConfiguration } from "operant/kinds";
import { createCertificateAuthority } from "operant/pki";
import { eventually, testCluster, type TestCluster } from "operant/testing";
import { staticCertificates, webhookConfigurations, WebhookServer } from "operant/webhook";
import { Memcached } from "../src/api/memcached.ts";
import { QUOTA_CONFIGMAP, quotaWebhooks } from "../src/webhooks/quota.ts";

const suffix = randomBytes(3).toString("hex");
const label = { "memcached-quota-test": suffix };
let cluster: TestCluster;
let ns: string;
let server: WebhookServer;
const stop = new AbortController();
const configName = `memcached-quota-${suffix}`;

const memcached = (name: string, size?: number) => ({ apiVersion: Memcached.apiVersion, kind: "Memcached", metadata: { name, namespace: ns }, spec: size === undefined ? {} : { size } }) as never;

/** The message of a rejected create, or "" when it was admitted. */
async function createError(obj: never): Promise<string> {
  try {
    await cluster.client.create(Memcached, obj);
    return "";
  } catch (err) {
    return (err as Error).message;
  }
}

before(async () => {
  cluster = await testCluster({ resources: [Memcached] });
  ns = await cluster.namespace("memcached-quota");
  await cluster.client.patch(Namespace, { name: ns }, { metadata: { labels: label } });
  const ca = createCertificateAuthority("memcached-quota-webhook");
  const hooks = quotaWebhooks(() => Promise.resolve(cluster.client), { namespaceSelector: { matchLabels: label } });
  server = new WebhookServer({ webhooks: hooks, certificates: staticCertificates(ca.issue({ commonName: "webhook", hosts: ["127.0.0.1"], usage: "server" })), bindAddress: "127.0.0.1:0" });
  await server.listen(stop.signal);
  const { validating, mutating } = webhookConfigurations(hooks, { name: configName, target: { url: `https://127.0.0.1:${server.port}` }, caBundle: ca.certPem });
  await cluster.client.create(ValidatingWebhookConfiguration, validating!);
  await cluster.client.create(MutatingWebhookConfiguration, mutating!);
  // The API server picks configurations up within a second or so: wait until a dry-run create gets its default.
  await eventually(async () => {
    const probe = await cluster.client.create(Memcached, memcached(`probe-${randomBytes(2).toString("hex")}`), { dryRun: true });
    assert.equal(probe.spec.size, 1);
  }, { description: "the memcached webhooks answer" });
});

after(async () => {
  await cluster.client.delete(ValidatingWebhookConfiguration, { name: `${configName}-validating-webhook-configuration` }).catch(() => {});
  await cluster.client.delete(MutatingWebhookConfiguration, { name: `${configName}-mutating-webhook-configuration` }).catch(() => {});
  stop.abort();
  await server.close();
  await cluster.client.delete(Namespace, { name: ns }).catch(() => {});
  await cluster.close();
});

describe("memcached quota webhooks (per-namespace ConfigMap, through the API server)", { timeout: 120_000 }, () => {
  test("without spec.size a Memcached gets the quota's defaultSize (1 without a quota)", async () => {
    assert.equal((await cluster.client.create(Memcached, memcached("no-size"))).spec.size, 1);
    await cluster.client.create(ConfigMap, { metadata: { name: QUOTA_CONFIGMAP, namespace: ns }, data: { defaultSize: "2" } });
    await eventually(async () => assert.equal((await cluster.client.create(Memcached, memcached(`d-${randomBytes(2).toString("hex")}`), { dryRun: true })).spec.size, 2));
    assert.equal((await cluster.client.create(Memcached, memcached("default-two"))).spec.size, 2);
  });

  test("the namespace's Memcacheds together may not ask for more Pods than maxTotalSize; the user is told why", async () => {
    await cluster.client.patch(ConfigMap, { namespace: ns, name: QUOTA_CONFIGMAP }, { data: { maxTotalSize: "6" } });
    // Used so far: no-size (1) + default-two (2) = 3 of 6.
    assert.equal(await createError(memcached("fits", 3)), "", "3 + 3 = 6 fits");
    const denied = await createError(memcached("too-big", 1));
    assert.match(denied, /denied the request: spec\.size 1 would take the Memcacheds of namespace .* to 7 Pods, over the quota of 6 \(ConfigMap memcached-quota, data\.maxTotalSize; 6 already asked for by 3 others\)/);
    await assert.rejects(cluster.client.get(Memcached, { namespace: ns, name: "too-big" }), /not found/i, "nothing was stored");
  });

  test("an update that grows past the quota is denied; one that shrinks is allowed", async () => {
    const fits = await cluster.client.get(Memcached, { namespace: ns, name: "fits" });
    await assert.rejects(cluster.client.update(Memcached, { ...fits, spec: { size: 4 } }), /over the quota of 6/);
    const shrunk = await cluster.client.update(Memcached, { ...fits, spec: { size: 2 } });
    assert.equal(shrunk.spec.size, 2);
    assert.equal(server.stats.failed, 0, "no handler failed");
  });
});
