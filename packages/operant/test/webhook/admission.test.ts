// Admission webhooks called by the real API server: the webhook server runs in
// this process on loopback, the configurations point at it with
// clientConfig.url and the CA bundle of operant-managed certificates. Every
// webhook is scoped by a namespaceSelector to this file's namespaces, so other
// test files on the shared control plane never reach it.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import Type from "typebox";
import { isOperantError } from "../../src/core/errors.ts";
import { defineOperator } from "../../src/operator/operator.ts";
import { webhookManifestsFor } from "../../src/operator/webhooks.ts";
import { defineResource } from "../../src/crd/index.ts";
import { MutatingWebhookConfiguration, Namespace, Pod, Secret, ValidatingWebhookConfiguration } from "../../src/kinds/index.ts";
import { freePort } from "../../src/testing/control-plane/ports.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";
import {
  Admission,
  defineMutatingWebhook,
  defineValidatingWebhook,
  ManagedCertificates,
  webhookConfigurations,
  WebhookServer,
  type AdmissionWebhook,
} from "../../src/webhook/index.ts";

const suffix = randomBytes(3).toString("hex");
const scope = { matchLabels: { "webhook-test": suffix } };
const Widget = defineResource({
  group: `wh-${suffix}.operant.example.com`,
  version: "v1",
  kind: "Widget",
  scope: "Namespaced",
  spec: Type.Object({ size: Type.Integer({ minimum: 0 }), image: Type.Optional(Type.String()) }),
});

const seenDryRun: boolean[] = [];
const validate = defineValidatingWebhook({
  kind: Widget,
  name: `vwidget.${suffix}.operant.example.com`,
  namespaceSelector: scope,
  validate: (req) => {
    if (req.object?.metadata?.labels?.["dry-run-probe"] === "true") seenDryRun.push(req.dryRun);
    const size = req.object!.spec.size;
    if (size === 13) return Admission.deny(`size ${size} is unlucky: pick another`, { code: 422 });
    if (req.operation === "UPDATE" && size < req.oldObject!.spec.size) return Admission.deny(`spec.size may not shrink (was ${req.oldObject!.spec.size}, asked ${size}; user ${req.userInfo.username ?? "?"})`);
    return Admission.allow(size > 10 ? { warnings: ["spec.size above 10 is slow"] } : {});
  },
});
const defaults = defineMutatingWebhook({
  kind: Widget,
  name: `mwidget.${suffix}.operant.example.com`,
  namespaceSelector: scope,
  mutate: (req) => {
    req.object!.spec.image ??= "memcached:1.6";
    return Admission.allow();
  },
});
const podLabels = defineMutatingWebhook({
  kind: Pod,
  name: `mpod.${suffix}.operant.example.com`,
  operations: ["CREATE"],
  namespaceSelector: scope,
  mutate: (req) => {
    const pod = req.object!;
    pod.metadata = { ...pod.metadata, labels: { ...pod.metadata?.labels, "operant.dev/admitted": "true" } };
    pod.spec!.containers[0]!.env = [...(pod.spec!.containers[0]!.env ?? []), { name: "ADMITTED_BY", value: "operant" }];
    return Admission.allow();
  },
});
let slowCalls = 0;
let slowAborted = 0;
const slow = defineValidatingWebhook({
  kind: Widget,
  name: `slow.${suffix}.operant.example.com`,
  path: "/slow",
  timeoutSeconds: 1,
  namespaceSelector: scope,
  objectSelector: { matchLabels: { slow: "true" } },
  validate: async (req) => {
    slowCalls++;
    try {
      await sleep(4000, undefined, { signal: req.signal });
    } catch {
      slowAborted++;
    }
    return Admission.allow();
  },
});

describe("admission webhooks through the API server", () => {
  let cluster: TestCluster;
  let certificates: ManagedCertificates;
  let server: WebhookServer;
  let ns: string;
  const configs: { kind: typeof ValidatingWebhookConfiguration | typeof MutatingWebhookConfiguration; name: string }[] = [];
  const stop = new AbortController();

  async function install(hooks: readonly AdmissionWebhook[], name: string, url: string, caBundle?: string): Promise<void> {
    const { validating, mutating } = webhookConfigurations(hooks, { name, target: { url }, ...(caBundle ? { caBundle } : {}) });
    if (validating) {
      await cluster.client.create(ValidatingWebhookConfiguration, validating);
      configs.push({ kind: ValidatingWebhookConfiguration, name: validating.metadata.name });
    }
    if (mutating) {
      await cluster.client.create(MutatingWebhookConfiguration, mutating);
      configs.push({ kind: MutatingWebhookConfiguration, name: mutating.metadata.name });
    }
  }

  /** Creates a widget once the webhooks answer (the API server picks configurations up within a second or so). */
  const widget = (name: string, size: number, labels: Record<string, string> = {}) => ({ apiVersion: Widget.apiVersion, kind: "Widget", metadata: { name, namespace: ns, labels }, spec: { size } });

  before(async () => {
    cluster = await testCluster({ resources: [Widget] });
    ns = await cluster.namespace("webhook");
    await cluster.client.patch(Namespace, { name: ns }, { metadata: { labels: { "webhook-test": suffix } } });
    certificates = new ManagedCertificates({
      client: cluster.client,
      namespace: ns,
      secretName: "webhook-cert",
      hosts: ["127.0.0.1"],
      inject: { validating: [`wh-${suffix}-validating-webhook-configuration`], mutating: [`wh-${suffix}-mutating-webhook-configuration`] },
      checkIntervalMs: 500,
    });
    server = new WebhookServer({ webhooks: [validate, defaults, podLabels, slow], certificates, bindAddress: "127.0.0.1:0" });
    await server.listen(stop.signal);
    // No caBundle given: ManagedCertificates injects it.
    await install([validate, defaults, podLabels, slow], `wh-${suffix}`, `https://127.0.0.1:${server.port}`);
    await eventually(async () => {
      const cfg = await cluster.client.get(ValidatingWebhookConfiguration, { name: `wh-${suffix}-validating-webhook-configuration` });
      assert.ok(cfg.webhooks?.every((w) => w.clientConfig.caBundle), "CA bundle injected");
    });
    // Wait until the API server's webhook cache has the configurations: a probe object gets its default.
    await eventually(
      async () => {
        const probe = await cluster.client.create(Widget, widget(`probe-${randomBytes(2).toString("hex")}`, 1), { dryRun: true });
        assert.equal(probe.spec.image, "memcached:1.6");
      },
      { timeoutMs: 30_000, description: "the API server calls the webhook" },
    );
  });

  after(async () => {
    for (const c of configs) await cluster.client.delete(c.kind, { name: c.name }).catch(() => undefined);
    stop.abort();
    await server.close();
    await cluster.close();
  });

  test("the generated configurations (Service references, both certificate modes) are accepted by the API server", async () => {
    const op = defineOperator({ name: `gen-${suffix}`, resources: [Widget], controllers: [], webhooks: [validate, defaults, podLabels, slow] });
    for (const certManager of [false, true]) {
      const w = webhookManifestsFor(op, { namespace: ns, labels: {}, certManager });
      const v = await cluster.client.create(ValidatingWebhookConfiguration, w.validating as never, { dryRun: true });
      const m = await cluster.client.create(MutatingWebhookConfiguration, w.mutating as never, { dryRun: true });
      assert.deepEqual(v.webhooks?.map((x) => x.clientConfig.service?.path), ["/validate-" + Widget.group.replace(/\./g, "-") + "-v1-widget", "/slow"]);
      assert.equal(m.webhooks?.length, 2);
      assert.equal(v.metadata.annotations?.["cert-manager.io/inject-ca-from"] !== undefined, certManager);
    }
  });

  test("a validating webhook denies with its message and code", async () => {
    await assert.rejects(cluster.client.create(Widget, widget("unlucky", 13)), (err) => {
      assert.ok(isOperantError(err, "Invalid"), `code ${(err as { code?: string }).code}`);
      assert.match((err as Error).message, new RegExp(`admission webhook "vwidget.${suffix}.operant.example.com" denied the request: size 13 is unlucky: pick another`));
      return true;
    });
    await cluster.client.create(Widget, widget("shrinks", 5));
    const stored = await cluster.client.get(Widget, { namespace: ns, name: "shrinks" });
    await assert.rejects(cluster.client.update(Widget, { ...stored, spec: { ...stored.spec, size: 3 } }), /spec.size may not shrink \(was 5, asked 3; user /);
  });

  test("a mutating webhook defaults a field, and leaves a set field alone", async () => {
    const created = await cluster.client.create(Widget, widget("defaulted", 2));
    assert.equal(created.spec.image, "memcached:1.6");
    const mine = await cluster.client.create(Widget, { ...widget("own-image", 2), spec: { size: 2, image: "mine:1" } });
    assert.equal(mine.spec.image, "mine:1");
  });

  test("a built-in kind: a Pod gets a label and an env var", async () => {
    // eventually: the namespace's default ServiceAccount (which Pod admission needs) appears shortly after the namespace.
    const pod = await eventually(() => cluster.client.create(Pod, { metadata: { name: "web", namespace: ns }, spec: { containers: [{ name: "web", image: "nginx" }] } }), { timeoutMs: 30_000 });
    assert.equal(pod.metadata.labels?.["operant.dev/admitted"], "true");
    assert.deepEqual(pod.spec?.containers[0]?.env, [{ name: "ADMITTED_BY", value: "operant" }]);
  });

  test("dry-run requests reach the handler flagged dryRun and persist nothing", async () => {
    seenDryRun.length = 0;
    const dry = await cluster.client.create(Widget, widget("dry", 4, { "dry-run-probe": "true" }), { dryRun: true });
    assert.equal(dry.spec.image, "memcached:1.6");
    assert.deepEqual(seenDryRun, [true]);
    assert.equal(await cluster.client.tryGet(Widget, { namespace: ns, name: "dry" }), undefined);
    await cluster.client.create(Widget, widget("wet", 4, { "dry-run-probe": "true" }));
    assert.deepEqual(seenDryRun, [true, false]);
  });

  test("a webhook that is down: failurePolicy Fail refuses the request, Ignore lets it through", async () => {
    const deadPort = await freePort(); // nothing listens there
    const down = (policy: "Fail" | "Ignore") =>
      defineValidatingWebhook({
        kind: Widget,
        name: `down-${policy.toLowerCase()}.${suffix}.operant.example.com`,
        failurePolicy: policy,
        timeoutSeconds: 2,
        namespaceSelector: scope,
        objectSelector: { matchLabels: { down: policy } },
        validate: () => Admission.allow(),
      });
    await install([down("Fail")], `wh-${suffix}-down-fail`, `https://127.0.0.1:${deadPort}`, certificates.caBundle);
    await install([down("Ignore")], `wh-${suffix}-down-ignore`, `https://127.0.0.1:${deadPort}`, certificates.caBundle);
    await eventually(
      async () => {
        await assert.rejects(cluster.client.create(Widget, widget(`fail-${randomBytes(2).toString("hex")}`, 1, { down: "Fail" })), (err) => {
          assert.match((err as Error).message, new RegExp(`failed calling webhook "down-fail.${suffix}.operant.example.com"`));
          return true;
        });
      },
      { timeoutMs: 30_000, description: "the API server calls the webhook" },
    );
    const ignored = await cluster.client.create(Widget, widget("ignored", 1, { down: "Ignore" }));
    assert.equal(ignored.spec.image, "memcached:1.6", "the other webhooks still ran");
  });

  test("a handler slower than timeoutSeconds: the call fails, and the handler's signal aborts", async () => {
    slowCalls = 0;
    slowAborted = 0;
    await assert.rejects(cluster.client.create(Widget, widget("slow", 1, { slow: "true" })), (err) => {
      assert.match((err as Error).message, /failed calling webhook "slow\..*(deadline exceeded|timeout|Timeout)/);
      return true;
    });
    assert.equal(slowCalls, 1);
    await eventually(() => assert.equal(slowAborted, 1, "the handler saw its request abandoned"), { timeoutMs: 10_000 });
  });

  test("certificate rotation during a stream of admission requests fails none of them", async () => {
    const before = { answered: server.stats.answered, rotations: server.stats.rotations };
    let sent = 0;
    let failures = 0;
    const errors: string[] = [];
    let streaming = true;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; streaming; i++) {
        sent++;
        try {
          await cluster.client.create(Widget, widget(`stream-${w}-${i}`, 1), { dryRun: true });
        } catch (err) {
          failures++;
          errors.push((err as Error).message);
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    const served: string[] = [];
    for (let r = 0; r < 5; r++) {
      await sleep(400);
      served.push((await certificates.rotate()).certPem);
    }
    await sleep(400);
    streaming = false;
    await Promise.all(workers);
    assert.equal(new Set(served).size, 5, "five distinct certificates");
    assert.equal(server.stats.rotations - before.rotations, 5);
    assert.equal(failures, 0, `failed: ${errors.slice(0, 3).join("; ")}`);
    assert.ok(sent >= 20, `only ${sent} requests were sent`);
    // Each create passes the mutating and the validating webhook.
    assert.ok(server.stats.answered - before.answered >= 2 * sent, `answered ${server.stats.answered - before.answered} for ${sent} requests`);
    process.stdout.write(`# rotation stream: ${sent} admission requests, ${failures} failures, 5 rotations\n`);
  });

  test("a serving certificate due for renewal is renewed on its own, and the server keeps answering", async () => {
    // A 15-minute certificate (issued an hour back-dated, against clock skew) has under a fifth of its lifetime left
    // from the start: with renewBeforeFraction 0.5 every check finds it due, as one near its expiry would be.
    const stopRenewing = new AbortController();
    const renewing = new ManagedCertificates({ client: cluster.client, namespace: ns, secretName: "renewing-cert", hosts: ["127.0.0.1"], checkIntervalMs: 300, certValidDays: 0.01, renewBeforeFraction: 0.5 });
    const server3 = new WebhookServer({ webhooks: [validate], certificates: renewing, bindAddress: "127.0.0.1:0" });
    try {
      await server3.listen(stopRenewing.signal);
      const first = await cluster.client.get(Secret, { namespace: ns, name: "renewing-cert" });
      await eventually(() => assert.ok(server3.stats.rotations >= 2, `rotations ${server3.stats.rotations}`), { timeoutMs: 20_000 });
      const later = await cluster.client.get(Secret, { namespace: ns, name: "renewing-cert" });
      assert.notEqual(later.data?.["tls.crt"], first.data?.["tls.crt"], "the Secret holds the renewed certificate");
      assert.equal(later.data?.["ca.crt"], first.data?.["ca.crt"], "the CA stays: nothing to re-inject");
    } finally {
      stopRenewing.abort();
      await server3.close();
    }
  });

  test("two replicas share the Secret, both serve, and follow each other's rotation", async () => {
    const stop2 = new AbortController();
    const certificates2 = new ManagedCertificates({ client: cluster.client, namespace: ns, secretName: "webhook-cert", hosts: ["127.0.0.1"], checkIntervalMs: 500 });
    const replica2 = new WebhookServer({ webhooks: [validate, defaults], certificates: certificates2, bindAddress: "127.0.0.1:0" });
    try {
      await replica2.listen(stop2.signal);
      assert.equal(certificates2.caBundle, certificates.caBundle, "one CA for both replicas");
      await install([{ ...validate, name: `replica2.${suffix}.operant.example.com`, namespaceSelector: scope, objectSelector: { matchLabels: { replica: "2" } } }], `wh-${suffix}-replica2`, `https://127.0.0.1:${replica2.port}`, certificates.caBundle);
      await eventually(
        async () => {
          const before = replica2.stats.answered;
          await cluster.client.create(Widget, widget(`r2-${randomBytes(2).toString("hex")}`, 1, { replica: "2" }), { dryRun: true });
          assert.ok(replica2.stats.answered > before, "replica 2 answered");
        },
        { timeoutMs: 30_000, description: "the API server calls the webhook" },
      );
      // Replica 1 rotates; replica 2 picks the new certificate up from the Secret and keeps serving.
      const rotated = await certificates.rotate();
      await eventually(() => assert.equal(replica2.stats.rotations, 1), { timeoutMs: 10_000 });
      const r2 = await cluster.client.create(Widget, widget("after-rotation", 3, { replica: "2" }));
      assert.equal(r2.spec.image, "memcached:1.6");
      assert.ok(rotated.certPem.length > 0);
    } finally {
      stop2.abort();
      await replica2.close();
    }
  });
});
