// Deploying against the real local control plane: config/ as `operant
// generate` writes it, an overlay with a patch built by kustomize and applied
// (server-side dry run, then for real), undeploy removing it all; and the Helm
// chart, rendered with the real helm (helm.sh/helm/v4, built once into
// ~/.cache/operant/tools) into the same objects as kustomize, installed and
// uninstalled.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import Type from "typebox";
import { parseAllDocuments } from "yaml";
import { applyConfigSet, deleteConfigSet, readConfigSet, type ConfigObject } from "../../src/cli/deploy/config-set.ts";
import { configLayout } from "../../src/cli/generate/layout.ts";
import { defineResource } from "../../src/crd/resource/resource.ts";
import { ClusterRole, CustomResourceDefinition, Deployment, MutatingWebhookConfiguration, Namespace, Pod, ValidatingWebhookConfiguration } from "../../src/kinds/index.ts";
import { helmChartFor } from "../../src/operator/helm-chart.ts";
import { defineOperator } from "../../src/operator/operator.ts";
import { Controller } from "../../src/runtime/controller/builder.ts";
import { locateGoTool, testCluster, type TestCluster } from "../../src/testing/index.ts";
import { Admission, defineConversion, defineMutatingWebhook, defineValidatingWebhook } from "../../src/webhook/index.ts";
import { runCommand } from "../support/command.ts";

const id = randomBytes(3).toString("hex");
const Widget = defineResource({ group: `toys${id}.example.com`, version: "v1", kind: "Widget", scope: "Namespaced", spec: Type.Object({ size: Type.Integer({ minimum: 1 }) }) });
const controller = Controller.for(Widget)
  .owns(Deployment)
  .reconcile(() => {
    throw new Error("not run in this test");
  });
const operator = defineOperator({
  name: `widget${id}-operator`,
  resources: [Widget],
  controllers: [controller],
  manager: { env: [{ name: "LOG_LEVEL", value: "info" }], nodeSelector: { "kubernetes.io/os": "linux" }, imagePullSecrets: ["regcred"] },
});
const ns = operator.namespace;

// An operator with webhooks: a conversion between two versions, a validating webhook and a Pod defaulter.
const GadgetV1 = defineResource({ group: `gadgets${id}.example.com`, version: "v1", kind: "Gadget", scope: "Namespaced", storage: true, spec: Type.Object({ replicas: Type.Integer() }) });
const GadgetV1alpha1 = GadgetV1.defineVersion("v1alpha1", { spec: Type.Object({ size: Type.Integer() }), storage: false });
const webhookOperator = defineOperator({
  name: `gadget${id}-operator`,
  resources: [GadgetV1],
  controllers: [],
  webhooks: [
    defineValidatingWebhook({ kind: GadgetV1, validate: () => Admission.allow() }),
    defineMutatingWebhook({ kind: Pod, operations: ["CREATE"], namespaceSelector: { matchLabels: { [`gadgets${id}`]: "yes" } }, mutate: () => Admission.allow() }),
  ],
  conversions: [defineConversion(GadgetV1).spoke(GadgetV1alpha1, { toHub: (o) => ({ spec: { replicas: o.spec.size } }), fromHub: (h) => ({ spec: { size: h.spec.replicas } }) })],
});

type Obj = ConfigObject["object"];
const key = (o: Obj) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const byKey = (objects: readonly Obj[]) => new Map(objects.map((o) => [key(o), JSON.parse(JSON.stringify(o)) as unknown]));

async function writeFiles(root: string, files: Iterable<[string, string]>): Promise<void> {
  for (const [rel, text] of files) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
}

let cluster: TestCluster;
let work: string;
before(async () => {
  cluster = await testCluster();
  work = await mkdtemp(join(tmpdir(), "operant-deploy-"));
  const layout = configLayout(operator);
  await writeFiles(work, [...layout.generated, ...layout.userOwned, ...layout.samples]);
});
after(async () => {
  await cluster.client.delete(Namespace, { name: ns }).catch(() => undefined);
  await cluster.client.delete(CustomResourceDefinition, { name: `widgets.${Widget.group}` }).catch(() => undefined);
  await cluster.close();
  await rm(work, { recursive: true, force: true });
});

describe("deploy with kustomize", { timeout: 180_000 }, () => {
  test("an overlay with a patch: server-side dry run, a real apply, then undeploy removes everything", async () => {
    await writeFiles(work, [
      [
        "config/overlays/staging/kustomization.yaml",
        [
          "apiVersion: kustomize.config.k8s.io/v1beta1",
          "kind: Kustomization",
          "resources:",
          "  - ../../default",
          "patches:",
          "  - target: { kind: Deployment, name: .*controller-manager }",
          "    patch: |-",
          '      - { op: replace, path: /spec/replicas, value: 2 }',
          '      - { op: add, path: /spec/template/spec/containers/0/env/-, value: { name: STAGE, value: staging } }',
          "",
        ].join("\n"),
      ],
    ]);
    const set = await readConfigSet(work, "config/overlays/staging");
    const client = cluster.client;

    const dry = await applyConfigSet(client, set, { dryRun: true });
    assert.ok(
      dry.every((o) => (o.object.metadata.namespace === ns ? o.result === "skipped" : o.result === "applied")),
      "cluster-scoped objects pass the server's checks; those in the namespace the deploy creates wait for it",
    );
    assert.equal(await client.tryGet(Namespace, { name: ns }), undefined, "the dry run created nothing");

    const applied = await applyConfigSet(client, set);
    assert.ok(applied.every((o) => o.result === "applied"));
    const d = await client.get(Deployment, { namespace: ns, name: `${operator.name}-controller-manager` });
    assert.equal(d.spec?.replicas, 2, "the overlay's patch");
    const c = d.spec.template.spec!.containers[0]!;
    assert.deepEqual(c.env?.slice(-2), [{ name: "LOG_LEVEL", value: "info" }, { name: "STAGE", value: "staging" }], "defineOperator's env, then the overlay's");
    assert.deepEqual(d.spec.template.spec!.imagePullSecrets, [{ name: "regcred" }]);
    assert.equal(d.spec.template.spec!.serviceAccountName, `${operator.name}-controller-manager`);
    const viewer = await client.get(ClusterRole, { name: `${operator.name}-widget-viewer-role` });
    assert.equal(viewer.metadata?.labels?.["rbac.authorization.k8s.io/aggregate-to-view"], "true");

    const again = await applyConfigSet(client, set, { dryRun: true });
    assert.ok(again.every((o) => o.result === "applied"), "with the namespace there, the server checks every object");

    await deleteConfigSet(client, set, { timeoutMs: 120_000 });
    for (const o of set) {
      const still = await cluster.kubectl("get", o.object.kind, o.object.metadata.name, ...(o.object.metadata.namespace ? ["-n", o.object.metadata.namespace] : []), "--ignore-not-found", "-o", "name").catch(() => "");
      assert.equal(still.trim(), "", `${key(o.object)} is gone`);
    }
  });
});

describe("the Helm chart", { timeout: 1_800_000 }, () => {
  let helm: string;
  let chart: string;
  before(async () => {
    const started = Date.now();
    helm = await locateGoTool("helm", { onProgress: (p) => p.phase === "done" && process.stderr.write(`helm ${p.module}: built in ${Math.round(p.elapsedMs / 1000)} s\n`) });
    if (Date.now() - started > 1000) process.stderr.write(`helm ready after ${Math.round((Date.now() - started) / 1000)} s\n`);
    chart = join(work, "charts", operator.name);
    await writeFiles(chart, Object.entries(helmChartFor(operator).files));
  });

  const run = async (...args: string[]) => {
    const r = await runCommand(helm, [...args, "--kubeconfig", cluster.kubeconfigPath]);
    assert.equal(r.code, 0, `helm ${args.join(" ")}:\n${r.stderr}`);
    return r.stdout;
  };

  test("helm template with the default values renders exactly what kustomize builds from config/default (less the Namespace: the release's)", async () => {
    const rendered = parseAllDocuments(await run("template", "widgets", chart, "--namespace", ns))
      .map((d) => d.toJS() as Obj | null)
      .filter((o): o is Obj => o !== null);
    const built = (await readConfigSet(work)).map((o) => o.object).filter((o) => o.kind !== "Namespace");
    const want = byKey(built);
    const got = byKey(rendered);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [k, o] of want) assert.deepEqual(got.get(k), o, k);
  });

  test("values customise it: replicas, image, resources, leader election, prefix, optional parts", async () => {
    const rendered = parseAllDocuments(
      await run("template", "widgets", chart, "--namespace", "elsewhere", "--set", "manager.replicas=3", "--set", "manager.image=registry.example.com/w:v2", "--set", "manager.resources.limits.memory=1Gi", "--set", "leaderElection.enabled=false", "--set", "namePrefix=w-", "--set", "networkPolicy.enabled=true", "--set", "crds.install=false", "--set", "manager.tolerations[0].operator=Exists"),
    ).map((d) => d.toJS() as Obj & { spec?: Record<string, unknown> });
    const d = rendered.find((o) => o.kind === "Deployment") as unknown as { metadata: { name: string; namespace: string }; spec: { replicas: number; template: { spec: { tolerations: unknown[]; containers: { image: string; args: string[]; resources: { limits: { memory: string } } }[] } } } };
    assert.equal(d.metadata.name, "w-controller-manager");
    assert.equal(d.metadata.namespace, "elsewhere");
    assert.equal(d.spec.replicas, 3);
    const c = d.spec.template.spec.containers[0]!;
    assert.equal(c.image, "registry.example.com/w:v2");
    assert.equal(c.resources.limits.memory, "1Gi");
    assert.ok(!c.args.includes("--leader-elect"));
    assert.deepEqual(d.spec.template.spec.tolerations, [{ operator: "Exists" }]);
    assert.ok(rendered.some((o) => o.kind === "NetworkPolicy"));
    assert.ok(!rendered.some((o) => o.kind === "CustomResourceDefinition"));
    const binding = rendered.find((o) => o.kind === "ClusterRoleBinding") as unknown as { roleRef: { name: string }; subjects: { name: string; namespace: string }[] };
    assert.deepEqual([binding.roleRef.name, binding.subjects[0]], ["w-manager", { kind: "ServiceAccount", name: "w-controller-manager", namespace: "elsewhere" }]);
  });

  test("installs on the local control plane and uninstalls", async () => {
    await run("install", "widgets", chart, "--namespace", ns, "--create-namespace", "--wait=false");
    try {
      const d = await cluster.client.get(Deployment, { namespace: ns, name: `${operator.name}-controller-manager` });
      assert.equal(d.metadata?.annotations?.["meta.helm.sh/release-name"], "widgets");
      assert.ok(await cluster.client.tryGet(CustomResourceDefinition, { name: `widgets.${Widget.group}` }));
      assert.match(await run("list", "--namespace", ns), /widgets\s+\S+\s+1\s.*deployed/);
    } finally {
      await run("uninstall", "widgets", "--namespace", ns, "--wait");
    }
    assert.equal(await cluster.client.tryGet(Deployment, { namespace: ns, name: `${operator.name}-controller-manager` }), undefined);
  });
});

describe("the Helm chart of an operator with webhooks", { timeout: 1_800_000 }, () => {
  let helm: string;
  let chart: string;
  let project: string;
  const whNs = webhookOperator.namespace;
  before(async () => {
    helm = await locateGoTool("helm");
    project = await mkdtemp(join(tmpdir(), "operant-deploy-webhooks-"));
    const layout = configLayout(webhookOperator);
    await writeFiles(project, [...layout.generated, ...layout.userOwned, ...layout.samples]);
    chart = join(project, "charts", webhookOperator.name);
    await writeFiles(chart, Object.entries(helmChartFor(webhookOperator).files));
  });
  after(async () => {
    await rm(project, { recursive: true, force: true });
  });

  const render = async (...args: string[]): Promise<Obj[]> => {
    const r = await runCommand(helm, ["template", "gadgets", chart, "--namespace", whNs, ...args]);
    assert.equal(r.code, 0, `helm template ${args.join(" ")}:\n${r.stderr}`);
    return parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as Obj | null)
      .filter((o): o is Obj => o !== null);
  };

  test("with the default values (operant-managed certificates) it renders exactly what kustomize builds from config/default, webhook Service and configurations included", async () => {
    const want = byKey((await readConfigSet(project)).map((o) => o.object).filter((o) => o.kind !== "Namespace"));
    const got = byKey(await render());
    assert.ok(want.has(`Service ${whNs}/${webhookOperator.name}-webhook-service`) && want.has(`ValidatingWebhookConfiguration /${webhookOperator.name}-validating-webhook-configuration`) && want.has(`MutatingWebhookConfiguration /${webhookOperator.name}-mutating-webhook-configuration`));
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [k, o] of want) assert.deepEqual(got.get(k), o, k);
  });

  test("certificates: cert-manager renders config/certmanager's Issuer, Certificate and annotated configurations, annotates the converted CRD and mounts the Secret for --webhook-cert-dir", async () => {
    const rendered = await render("--set", "webhook.certificates=cert-manager");
    const got = byKey(rendered);
    const certManagerFiles = ["config/certmanager/certificate.yaml", "config/certmanager/webhook_manifests.yaml"].map((f) => configLayout(webhookOperator).generated.get(f)!);
    for (const text of certManagerFiles) {
      for (const doc of parseAllDocuments(text)) {
        const o = doc.toJS() as Obj;
        assert.deepEqual(got.get(key(o)), JSON.parse(JSON.stringify(o)), key(o));
      }
    }
    const inject = `${whNs}/${webhookOperator.name}-serving-cert`;
    const crd = rendered.find((o) => o.kind === "CustomResourceDefinition")!;
    assert.equal(crd.metadata.annotations?.["cert-manager.io/inject-ca-from"], inject);
    const d = rendered.find((o) => o.kind === "Deployment") as unknown as { spec: { template: { spec: { volumes: unknown[]; containers: { args: string[]; volumeMounts: unknown[] }[] } } } };
    const c = d.spec.template.spec.containers[0]!;
    assert.ok(c.args.includes("--webhook-cert-dir=/tmp/k8s-webhook-server/serving-certs"), c.args.join(" "));
    assert.deepEqual(d.spec.template.spec.volumes, [{ name: "webhook-certs", secret: { secretName: `${webhookOperator.name}-webhook-server-cert` } }]);
    assert.deepEqual(c.volumeMounts, [{ name: "webhook-certs", mountPath: "/tmp/k8s-webhook-server/serving-certs", readOnly: true }]);
    // The objects are valid for the API server (cert-manager's own kinds aside: its CRDs are not installed here).
    const kinds = { ValidatingWebhookConfiguration, MutatingWebhookConfiguration, CustomResourceDefinition } as const;
    for (const o of rendered) {
      const kind = kinds[o.kind as keyof typeof kinds] as typeof CustomResourceDefinition | undefined;
      if (kind) await cluster.client.create(kind, o as never, { dryRun: true });
    }
  });

  test("values: a renamed release, webhooks off, metrics without authentication", async () => {
    const rendered = await render("--set", "namePrefix=g-", "--set", "metrics.secure=false", "--set", "webhook.certificates=cert-manager");
    const cert = rendered.find((o) => o.kind === "Certificate") as unknown as { spec: { dnsNames: string[]; secretName: string } };
    assert.deepEqual(cert.spec.dnsNames, [`g-webhook-service.${whNs}.svc`, `g-webhook-service.${whNs}.svc.cluster.local`], "the certificate names the renamed Service");
    const v = rendered.find((o) => o.kind === "ValidatingWebhookConfiguration") as unknown as { metadata: { name: string; annotations: Record<string, string> }; webhooks: { clientConfig: { service: { name: string } } }[] };
    assert.equal(v.metadata.name, "g-validating-webhook-configuration");
    assert.equal(v.webhooks[0]!.clientConfig.service.name, "g-webhook-service");
    assert.equal(v.metadata.annotations["cert-manager.io/inject-ca-from"], `${whNs}/g-serving-cert`);
    const d = rendered.find((o) => o.kind === "Deployment") as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    assert.ok(d.spec.template.spec.containers[0]!.args.includes("--no-metrics-secure"));
    const off = await render("--set", "webhook.enabled=false");
    assert.deepEqual(off.filter((o) => /WebhookConfiguration$/.test(o.kind) || o.metadata.name.endsWith("webhook-service")), []);
    assert.ok(!(await render()).some((o) => o.kind === "Deployment" && (o as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec.template.spec.containers[0]!.args.includes("--no-metrics-secure")), "secure by default");
  });
});
