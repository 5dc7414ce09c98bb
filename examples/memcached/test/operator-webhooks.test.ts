// The operator as src/main.ts runs it — runOperator with the definition's
// quota webhooks, the manager's client shared with them — called by the real
// API server: the webhook server listens on loopback with a certificate for
// 127.0.0.1 from --webhook-cert-dir, and the configurations (what
// config/webhook holds, with clientConfig.url instead of the Service) select
// only this file's namespace, so other test files on the shared control
// plane never reach them.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runOperator } from "operant";
import { ConfigMap, Deployment, MutatingWebhookConfiguration, Namespace, ValidatingWebhookConfiguration } from "operant/kinds";
import { createCertificateAuthority } from "operant/pki";
import { eventually, testCluster, type TestCluster } from "operant/testing";
import { webhookConfigurations } from "operant/webhook";
import { Memcached } from "../src/api/memcached.ts";
import operator, { configureWebhooks, shareManagerClient, webhookFlags } from "../src/operator.ts";
import { QUOTA_CONFIGMAP } from "../src/webhooks/quota.ts";

const suffix = randomBytes(3).toString("hex");
const label = { "memcached-operator-webhooks-test": suffix };
const configName = `memcached-operator-${suffix}`;
let cluster: TestCluster;
let ns: string;
let certDir: string;
const stop = new AbortController();
let running: Promise<unknown>;

const memcached = (name: string, size?: number) => ({ apiVersion: Memcached.apiVersion, kind: "Memcached", metadata: { name, namespace: ns }, spec: size === undefined ? {} : { size } }) as never;

/** A free TCP port on loopback. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

before(async () => {
  cluster = await testCluster({ resources: [Memcached] });
  ns = await cluster.namespace("memcached-operator-webhooks");
  await cluster.client.patch(Namespace, { name: ns }, { metadata: { labels: label } });
  const ca = createCertificateAuthority("memcached-operator-webhooks-test");
  const serving = ca.issue({ commonName: "memcached-operator-webhook", hosts: ["127.0.0.1"], usage: "server" });
  certDir = await mkdtemp(join(tmpdir(), "memcached-webhooks-"));
  await writeFile(join(certDir, "tls.crt"), serving.certPem);
  await writeFile(join(certDir, "tls.key"), serving.keyPem);
  const port = await freePort();
  running = runOperator(operator, {
    argv: ["node", "main.ts", "--kubeconfig", cluster.kubeconfigPath, "--watch-namespace", ns, "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0", "--status-bind-address", "127.0.0.1:0", "--webhook-bind-address", `127.0.0.1:${port}`, "--webhook-cert-dir", certDir, "--log-level", "warn"],
    env: {},
    flags: webhookFlags,
    configure: configureWebhooks,
    onStart: shareManagerClient,
    signal: stop.signal,
    manager: { handleSignals: false, gracefulShutdownTimeout: "30s" },
  });
  const { validating, mutating } = webhookConfigurations(operator.webhooks, { name: configName, target: { url: `https://127.0.0.1:${port}` }, caBundle: ca.certPem });
  const scoped = <T extends { webhooks: object[] }>(c: T): T => ({ ...c, webhooks: c.webhooks.map((w) => ({ ...w, namespaceSelector: { matchLabels: label } })) });
  await cluster.client.create(ValidatingWebhookConfiguration, scoped(validating!));
  await cluster.client.create(MutatingWebhookConfiguration, scoped(mutating!));
  await eventually(async () => assert.equal((await cluster.client.create(Memcached, memcached(`probe-${randomBytes(2).toString("hex")}`), { dryRun: true })).spec.size, 1), { timeoutMs: 30_000, description: "the operator's webhooks answer the API server" });
});

after(async () => {
  await cluster.client.delete(ValidatingWebhookConfiguration, { name: `${configName}-validating-webhook-configuration` }).catch(() => undefined);
  await cluster.client.delete(MutatingWebhookConfiguration, { name: `${configName}-mutating-webhook-configuration` }).catch(() => undefined);
  stop.abort();
  await running;
  await cluster.client.delete(Namespace, { name: ns }).catch(() => undefined);
  await cluster.close();
  await rm(certDir, { recursive: true, force: true });
});

describe("the memcached operator serves its quota webhooks (runOperator, as src/main.ts)", { timeout: 120_000 }, () => {
  test("a Memcached without spec.size is defaulted from the quota and reconciled; one over the quota is denied with the webhook's message", async () => {
    await cluster.client.create(ConfigMap, { metadata: { name: QUOTA_CONFIGMAP, namespace: ns }, data: { defaultSize: "2", maxTotalSize: "3" } });
    await eventually(async () => assert.equal((await cluster.client.create(Memcached, memcached(`d-${randomBytes(2).toString("hex")}`), { dryRun: true })).spec.size, 2), { description: "the webhooks read the quota" });
    assert.equal((await cluster.client.create(Memcached, memcached("defaulted"))).spec.size, 2);
    await eventually(async () => assert.equal((await cluster.client.get(Deployment, { namespace: ns, name: "defaulted" })).spec?.replicas, 2), { description: "the operator's controller reconciles the defaulted Memcached" });
    await assert.rejects(cluster.client.create(Memcached, memcached("too-big", 2)), /admission webhook "vmemcached-v1alpha1\.cache\.example\.com" denied the request: spec\.size 2 would take the Memcacheds of namespace .* to 4 Pods, over the quota of 3/);
    assert.equal(await cluster.client.tryGet(Memcached, { namespace: ns, name: "too-big" }), undefined, "nothing was stored");
  });

  test("--enable-webhooks false (ENABLE_WEBHOOKS=false) runs the operator without them; anything but true or false is refused", () => {
    assert.equal(operator.webhooks.length, 2, "on by default");
    assert.deepEqual(configureWebhooks({ custom: { "enable-webhooks": "false" } }).webhooks, []);
    assert.equal(configureWebhooks({ custom: { "enable-webhooks": "true" } }), operator);
    assert.throws(() => configureWebhooks({ custom: { "enable-webhooks": "no" } }), /--enable-webhooks is "no": give true or false/);
  });
});
