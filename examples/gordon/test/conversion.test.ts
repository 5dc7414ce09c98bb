// Gordon's two versions through the real API server: the CRD's conversion
// points at the operator's webhook server (runOperator in this process, on
// loopback with a certificate for 127.0.0.1 from --webhook-cert-dir, as the
// generated Deployment serves it behind its Service), and objects written at
// one version read at the other. A control plane of its own (etcd and
// kube-apiserver): the shared one's Gordon CRD has no conversion, and other
// test files install it.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { Client, crdManifest, installCrds, runOperator } from "operant";
import { Namespace, Pod } from "operant/kinds";
import { createCertificateAuthority } from "operant/pki";
import { ControlPlane, eventually } from "operant/testing";
import { STASH_ANNOTATION, withConversionWebhook } from "operant/webhook";
import { DEFAULT_IMAGE, GORDON_LABEL, Gordon } from "../src/api/gordon.ts";
import { GordonV1alpha1 } from "../src/api/gordon-v1alpha1.ts";
import operator from "../src/operator.ts";

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const ns = "conversion";
let cp: ControlPlane;
let client: Client;
let certDir: string;
const stop = new AbortController();
let running: Promise<unknown>;

before(async () => {
  cp = await ControlPlane.start({ profile: "minimal" });
  client = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity });
  const ca = createCertificateAuthority("gordon-conversion-test");
  const serving = ca.issue({ commonName: "gordon-operator-webhook", hosts: ["127.0.0.1"], usage: "server" });
  certDir = await mkdtemp(join(tmpdir(), "gordon-conversion-"));
  await writeFile(join(certDir, "tls.crt"), serving.certPem);
  await writeFile(join(certDir, "tls.key"), serving.keyPem);
  const port = await freePort();
  // The CRD as `operant install` writes it, with its conversion pointing at this process instead of the Service.
  await installCrds(client, [withConversionWebhook(crdManifest(Gordon), { url: `https://127.0.0.1:${port}` }, ca.certPem)]);
  await client.create(Namespace, { metadata: { name: ns } });
  running = runOperator(operator, {
    argv: ["node", "main.ts", "--kubeconfig", cp.kubeconfigPath, "--watch-namespace", ns, "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0", "--status-bind-address", "127.0.0.1:0", "--webhook-bind-address", `127.0.0.1:${port}`, "--webhook-cert-dir", certDir, "--log-level", "warn"],
    env: {},
    signal: stop.signal,
    // Long enough for every server to close on a loaded machine: nothing of the operator outlives the test.
    manager: { handleSignals: false, gracefulShutdownTimeout: "30s" },
  });
  // The API server needs a moment for a new CRD's conversion: wait until a v1alpha1 read of a v1 object works.
  await client.create(Gordon, { metadata: { name: "probe", namespace: ns }, spec: { replicas: 0 } });
  await eventually(async () => assert.equal((await client.get(GordonV1alpha1, { namespace: ns, name: "probe" })).spec.gordon.replicas, 0), { timeoutMs: 30_000, description: "the API server converts through the operator's webhook" });
});

after(async () => {
  stop.abort();
  await running;
  await client.close();
  await cp.stop();
  await rm(certDir, { recursive: true, force: true });
});

/** A free TCP port on loopback. */
async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("Gordon v1alpha1 (the seed's shape) and v1 (stored), converted by the operator's webhook", { timeout: 120_000 }, () => {
  test("the generated CRD serves both versions, stores v1 and converts through the webhook Service", async () => {
    const crd = parse(await readFile(here("../config/crd/bases/operator.prgcont.cz_gordons.yaml"), "utf8")) as { spec: { versions: { name: string; served: boolean; storage: boolean }[]; conversion: { strategy: string; webhook: { conversionReviewVersions: string[]; clientConfig: { service: { name: string; path: string } } } } } };
    assert.deepEqual(crd.spec.versions.map((v) => [v.name, v.served, v.storage]), [["v1", true, true], ["v1alpha1", true, false]]);
    assert.equal(crd.spec.conversion.strategy, "Webhook");
    assert.deepEqual(crd.spec.conversion.webhook.conversionReviewVersions, ["v1"]);
    assert.deepEqual([crd.spec.conversion.webhook.clientConfig.service.name, crd.spec.conversion.webhook.clientConfig.service.path], ["gordon-operator-webhook-service", "/convert"]);
  });

  test("the v1alpha1 sample, written the seed's way, reads at v1 with spec.replicas and the default image; the operator reconciles it", async () => {
    const sample = parse(await readFile(here("../samples/gordon-v1alpha1.yaml"), "utf8")) as GordonV1alpha1;
    await client.create(GordonV1alpha1, { ...sample, metadata: { ...sample.metadata, namespace: ns } });
    const asV1 = await client.get(Gordon, { namespace: ns, name: "seedstyle" });
    assert.equal(asV1.apiVersion, "operator.prgcont.cz/v1");
    assert.deepEqual(asV1.spec, { replicas: 2, image: DEFAULT_IMAGE });
    assert.equal(asV1.metadata.annotations?.[STASH_ANNOTATION], undefined, "nothing lost, nothing stashed");
    // The controller works on v1: it creates the Pods spec.gordon.replicas asked for (no scheduler here: they stay Pending).
    await eventually(async () => {
      const pods = (await client.list(Pod, { namespace: ns, labelSelector: { [GORDON_LABEL]: "seedstyle" } })).items.map((p) => p.metadata.name).sort();
      assert.deepEqual(pods, ["seedstyle-0", "seedstyle-1"]);
    }, { timeoutMs: 30_000, description: "the operator creates seedstyle-0 and seedstyle-1" });
    await eventually(async () => assert.equal((await client.get(GordonV1alpha1, { namespace: ns, name: "seedstyle" })).status?.replicas, 2), { description: "status written at v1 reads at v1alpha1" });
  });

  test("a v1 Gordon with its own image reads at v1alpha1 (the image kept in the stash) and survives an update through v1alpha1", async () => {
    await client.create(Gordon, { metadata: { name: "custom", namespace: ns }, spec: { replicas: 1, image: "registry.example.com/gordon:v2" } });
    const old = await client.get(GordonV1alpha1, { namespace: ns, name: "custom" });
    assert.deepEqual(old.spec, { gordon: { replicas: 1 } });
    assert.equal(old.metadata.annotations?.[STASH_ANNOTATION], JSON.stringify({ image: "registry.example.com/gordon:v2" }));
    // An old client scales it the seed's way; the image (immutable at v1) comes back from the stash.
    // (Read again on a Conflict: the operator writes the status meanwhile.)
    await eventually(async () => {
      const current = await client.get(GordonV1alpha1, { namespace: ns, name: "custom" });
      await client.update(GordonV1alpha1, { ...current, spec: { gordon: { replicas: 3 } } });
    }, { description: "the update through v1alpha1" });
    const back = await client.get(Gordon, { namespace: ns, name: "custom" });
    assert.deepEqual(back.spec, { replicas: 3, image: "registry.example.com/gordon:v2" });
    assert.equal(back.metadata.annotations?.[STASH_ANNOTATION], undefined, "the stash is emptied once v1 has the image back");
  });

  test("a list at v1alpha1 converts every object; a v1alpha1 create that breaks the schema is refused", async () => {
    const list = await client.list(GordonV1alpha1, { namespace: ns });
    assert.deepEqual(list.items.map((g) => [g.metadata.name, g.spec.gordon.replicas]).sort(), [["custom", 3], ["probe", 0], ["seedstyle", 2]]);
    await assert.rejects(client.create(GordonV1alpha1, { metadata: { name: "too-many", namespace: ns }, spec: { gordon: { replicas: 101 } } }), /spec\.gordon\.replicas.*less than or equal to 100/);
  });
});
