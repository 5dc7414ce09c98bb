// The CA of operant-managed webhook certificates replaced while the API
// server keeps calling the webhook: ManagedCertificates judges the CA due
// (less than a third of its lifetime left, on a clock moved years forward),
// makes a new one, injects a bundle holding the new CA and the old (trust
// first), then serves a certificate the new CA signed. A stream of dry-run
// creates through the API server runs meanwhile; none may fail.
import assert from "node:assert/strict";
import { randomBytes, X509Certificate } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import Type from "typebox";
import { defineResource } from "../../src/crd/index.ts";
import { Namespace, Secret, ValidatingWebhookConfiguration } from "../../src/kinds/index.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";
import { Admission, defineValidatingWebhook, ManagedCertificates, webhookConfigurations, WebhookServer } from "../../src/webhook/index.ts";

const suffix = randomBytes(3).toString("hex");
const Widget = defineResource({
  group: `ca-${suffix}.operant.example.com`,
  version: "v1",
  kind: "Widget",
  scope: "Namespaced",
  spec: Type.Object({ size: Type.Integer({ minimum: 0 }) }),
});
const validate = defineValidatingWebhook({
  kind: Widget,
  name: `vwidget.ca-${suffix}.operant.example.com`,
  namespaceSelector: { matchLabels: { "ca-replacement-test": suffix } },
  validate: (req) => (req.object!.spec.size === 13 ? Admission.deny("size 13 is unlucky") : Admission.allow()),
});

const DAY_MS = 24 * 60 * 60 * 1000;
const pemsOf = (bundle: string) => bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];

describe("webhook CA replacement during a stream of admission requests", () => {
  let cluster: TestCluster;
  let ns: string;
  let certificates: ManagedCertificates;
  let server: WebhookServer;
  const configName = `ca-${suffix}-validating-webhook-configuration`;
  const stop = new AbortController();
  /** Added to the wall clock ManagedCertificates judges lifetimes by. */
  let skewMs = 0;

  before(async () => {
    cluster = await testCluster({ resources: [Widget] });
    ns = await cluster.namespace("ca-replacement");
    await cluster.client.patch(Namespace, { name: ns }, { metadata: { labels: { "ca-replacement-test": suffix } } });
    certificates = new ManagedCertificates({
      client: cluster.client,
      namespace: ns,
      secretName: "webhook-cert",
      hosts: ["127.0.0.1"],
      inject: { validating: [configName] },
      // Only this test's rotate() calls sync while the clock is moved: no periodic check in between.
      checkIntervalMs: 3_600_000,
      now: () => Date.now() + skewMs,
    });
    server = new WebhookServer({ webhooks: [validate], certificates, bindAddress: "127.0.0.1:0" });
    await server.listen(stop.signal);
    const { validating } = webhookConfigurations([validate], { name: `ca-${suffix}`, target: { url: `https://127.0.0.1:${server.port}` }, caBundle: certificates.caBundle! });
    await cluster.client.create(ValidatingWebhookConfiguration, validating!);
    await eventually(
      async () => {
        await assert.rejects(cluster.client.create(Widget, { metadata: { name: "probe", namespace: ns }, spec: { size: 13 } }, { dryRun: true }), /size 13 is unlucky/);
      },
      { timeoutMs: 30_000, description: "the API server calls the webhook" },
    );
  });

  after(async () => {
    await cluster.client.delete(ValidatingWebhookConfiguration, { name: configName }).catch(() => undefined);
    stop.abort();
    await server.close();
    await cluster.close();
  });

  test("three CA replacements while admission requests stream: none fails, old CAs stay trusted until they expire", async () => {
    const firstCa = pemsOf(certificates.caBundle!)[0]!;
    const before = { answered: server.stats.answered, rotations: server.stats.rotations };
    let sent = 0;
    let denied = 0;
    const failures: string[] = [];
    let streaming = true;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; streaming; i++) {
        sent++;
        const size = i % 5 === 4 ? 13 : 1; // some denied: the webhook really answers, it is not skipped
        try {
          await cluster.client.create(Widget, { metadata: { name: `s-${w}-${i}`, namespace: ns }, spec: { size } }, { dryRun: true });
          if (size === 13) failures.push("size 13 was allowed");
        } catch (err) {
          if (size === 13 && /size 13 is unlucky/.test((err as Error).message)) denied++;
          else failures.push((err as Error).message);
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    const cas = [firstCa];
    try {
      for (let r = 0; r < 3; r++) {
        await sleep(500);
        // 2,600 days into a 3,650-day CA: less than a third of its lifetime left, so the next sync replaces it.
        skewMs = 2600 * DAY_MS;
        try {
          await certificates.rotate();
        } finally {
          skewMs = 0;
        }
        cas.push(pemsOf(certificates.caBundle!)[0]!);
      }
      await sleep(500);
    } finally {
      streaming = false;
      await Promise.all(workers);
    }
    process.stdout.write(`# CA replacement stream: ${sent} admission requests (${denied} denied as asked), ${failures.length} failures, 3 CA replacements\n`);
    assert.equal(new Set(cas).size, 4, "each replacement made a new CA");
    assert.equal(failures.length, 0, `failed: ${failures.slice(0, 3).join("; ")}`);
    assert.ok(sent >= 20, `only ${sent} requests were sent`);
    assert.ok(denied > 0, "the webhook answered (denials seen)");
    assert.equal(server.stats.rotations - before.rotations, 3, "the server swapped its certificate at each replacement");
    assert.ok(server.stats.answered - before.answered >= sent - failures.length, `answered ${server.stats.answered - before.answered} for ${sent} requests`);

    // The newest CA signs; every CA so far is still in the bundle (none has expired), newest first.
    const bundle = pemsOf(certificates.caBundle!);
    assert.deepEqual(bundle, [...cas].reverse());
    const secret = await cluster.client.get(Secret, { namespace: ns, name: "webhook-cert" });
    const served = new X509Certificate(Buffer.from(secret.data!["tls.crt"]!, "base64").toString("utf8"));
    assert.ok(served.checkIssued(new X509Certificate(cas[3]!)), "the serving certificate is signed by the newest CA");
    const config = await cluster.client.get(ValidatingWebhookConfiguration, { name: configName });
    assert.deepEqual(pemsOf(Buffer.from(config.webhooks![0]!.clientConfig.caBundle!, "base64").toString("utf8")), bundle, "the configuration trusts the whole bundle");
  });
});
