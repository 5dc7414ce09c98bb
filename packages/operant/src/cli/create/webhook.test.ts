import assert from "node:assert/strict";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Type from "typebox";
import { parseAllDocuments } from "yaml";
import { defineResource } from "../../crd/resource/resource.ts";
import { isOperantError } from "../../core/errors.ts";
import { Deployment, Pod } from "../../kinds/index.ts";
import { defineOperator } from "../../operator/operator.ts";
import { Admission, defineConversion, defineMutatingWebhook, defineValidatingWebhook } from "../../webhook/index.ts";
import { configLayout } from "../generate/layout.ts";
import { wireIntoOperator } from "./operator-file.ts";
import { admissionWebhookTs, builtInRef, conversionTs, createWebhook, findBuiltInKind, withList } from "./webhook.ts";

const V1alpha1 = defineResource({ group: "cache.example.com", version: "v1alpha1", kind: "Memcached", scope: "Namespaced", spec: Type.Object({ size: Type.Integer() }) });
const V1 = V1alpha1.defineVersion("v1", { spec: Type.Object({ replicas: Type.Integer() }), storage: true });
const operator = defineOperator({
  name: "memcached-operator",
  resources: [V1],
  controllers: [],
  webhooks: [
    defineValidatingWebhook({ kind: V1, failurePolicy: "Ignore", timeoutSeconds: 5, validate: () => Admission.allow() }),
    defineMutatingWebhook({ kind: Pod, operations: ["CREATE"], reinvocationPolicy: "IfNeeded", objectSelector: { matchLabels: { inject: "yes" } }, mutate: () => Admission.allow() }),
  ],
  conversions: [defineConversion(V1).spoke(V1alpha1, { toHub: (o) => ({ spec: { replicas: o.spec.size } }), fromHub: (h) => ({ spec: { size: h.spec.replicas } }) })],
});

const docs = (text: string): Record<string, unknown>[] => parseAllDocuments(text).map((d) => d.toJSON() as Record<string, unknown>);

describe("operant generate with webhooks", () => {
  const { generated, userOwned } = configLayout(operator, { existingSamples: new Map() });

  test("config/webhook: Service and both configurations, calling the Service at each webhook's path", () => {
    const [service] = docs(generated.get("config/webhook/service.yaml")!);
    assert.deepEqual((service as { spec: { ports: unknown } }).spec.ports, [{ name: "webhook", port: 443, protocol: "TCP", targetPort: "webhook" }]);
    const [validating, mutating] = docs(generated.get("config/webhook/manifests.yaml")!) as { kind: string; metadata: { name: string }; webhooks: Record<string, unknown>[] }[];
    assert.equal(validating!.kind, "ValidatingWebhookConfiguration");
    assert.equal(validating!.metadata.name, "validating-webhook-configuration", "a base: config/default's namePrefix gives the final name");
    assert.deepEqual(validating!.webhooks[0], {
      name: "vmemcached-v1.cache.example.com",
      admissionReviewVersions: ["v1"],
      clientConfig: { service: { name: "webhook-service", namespace: "system", path: "/validate-cache-example-com-v1-memcached", port: 443 } },
      rules: [{ apiGroups: ["cache.example.com"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["memcacheds"], scope: "Namespaced" }],
      failurePolicy: "Ignore",
      sideEffects: "None",
      timeoutSeconds: 5,
      matchPolicy: "Equivalent",
    });
    assert.equal(mutating!.kind, "MutatingWebhookConfiguration");
    assert.equal(mutating!.webhooks[0]!.reinvocationPolicy, "IfNeeded");
    assert.deepEqual(mutating!.webhooks[0]!.objectSelector, { matchLabels: { inject: "yes" } });
    assert.deepEqual((mutating!.webhooks[0]!.clientConfig as { service: { path: string } }).service.path, "/mutate--v1-pod");
    assert.match(userOwned.get("config/default/kustomization.yaml")!, /- \.\.\/webhook/);
  });

  test("the CRD of a converted resource gets spec.conversion; cert-manager files carry the cainjector annotation", () => {
    const [crd] = docs(generated.get("config/crd/bases/cache.example.com_memcacheds.yaml")!) as { spec: { conversion: unknown } }[];
    assert.deepEqual(crd!.spec.conversion, {
      strategy: "Webhook",
      webhook: { conversionReviewVersions: ["v1"], clientConfig: { service: { name: "memcached-operator-webhook-service", namespace: "system", path: "/convert", port: 443 } } },
    });
    const [issuer, certificate] = docs(generated.get("config/certmanager/certificate.yaml")!) as { kind: string; spec: Record<string, unknown> }[];
    assert.equal(issuer!.kind, "Issuer");
    assert.deepEqual(certificate!.spec.dnsNames, ["memcached-operator-webhook-service.memcached-operator-system.svc", "memcached-operator-webhook-service.memcached-operator-system.svc.cluster.local"]);
    assert.equal(certificate!.spec.secretName, "memcached-operator-webhook-server-cert");
    const [v] = docs(generated.get("config/certmanager/webhook_manifests.yaml")!) as { metadata: { annotations: Record<string, string> } }[];
    assert.equal(v!.metadata.annotations["cert-manager.io/inject-ca-from"], "memcached-operator-system/memcached-operator-serving-cert");
  });

  test("the Deployment serves webhooks on :9443; RBAC lets the managed certificates keep their Secret and inject the CA", () => {
    const manager = docs(generated.get("config/manager/manager.yaml")!).find((d) => d.kind === "Deployment") as { spec: { template: { spec: { containers: { args: string[]; ports: { name: string; containerPort: number }[] }[] } } } };
    const c = manager.spec.template.spec.containers[0]!;
    assert.ok(c.args.includes("--webhook-bind-address=:9443"));
    assert.ok(c.ports.some((p) => p.name === "webhook" && p.containerPort === 9443));
    const roles = docs(generated.get("config/rbac/role.yaml")!) as { kind: string; metadata: { name: string }; rules: { resources: string[]; resourceNames?: string[]; verbs: string[] }[] }[];
    const certs = roles.find((r) => r.metadata.name === "webhook-certificates")!;
    assert.deepEqual(certs.rules.find((r) => r.resourceNames)?.resourceNames, ["memcached-operator-webhook-server-cert"]);
    const injector = roles.find((r) => r.metadata.name === "webhook-ca-injector")!;
    assert.deepEqual(injector.rules.map((r) => r.resources[0]).sort(), ["customresourcedefinitions", "mutatingwebhookconfigurations", "validatingwebhookconfigurations"]);
  });

  test("an operator without webhooks gets an empty config/webhook (config/default lists it from the start) and no cert-manager files", () => {
    const plain = configLayout(defineOperator({ name: "plain", controllers: [] }), { existingSamples: new Map() }).generated;
    assert.deepEqual([...plain.keys()].filter((k) => k.includes("webhook") || k.includes("certmanager")), ["config/webhook/kustomization.yaml"]);
    assert.deepEqual((docs(plain.get("config/webhook/kustomization.yaml")!)[0] as { resources?: unknown[] }).resources ?? [], []);
  });
});

describe("operant create webhook", () => {
  const source = `import { defineOperator } from "operant";\nimport { Memcached } from "./api/memcached.ts";\n\nexport default defineOperator({\n  name: "memcached-operator",\n  resources: [Memcached],\n  controllers: [],\n});\n`;

  test("adds the webhooks and conversions lists when missing, then wires the definitions in", () => {
    const withLists = withList(withList(source, "webhooks"), "conversions");
    assert.equal(withList(withLists, "webhooks"), withLists, "idempotent");
    assert.equal(withLists, `import { defineOperator } from "operant";\nimport { Memcached } from "./api/memcached.ts";\n\nexport default defineOperator({\n  conversions: [],\n  webhooks: [],\n  name: "memcached-operator",\n  resources: [Memcached],\n  controllers: [],\n});\n`, "each list on a line of its own, indented as the others");
    const wired = wireIntoOperator(withLists, [
      { list: "webhooks", name: "defaultMemcached", from: "./webhooks/memcached.ts" },
      { list: "webhooks", name: "validateMemcached", from: "./webhooks/memcached.ts" },
      { list: "conversions", name: "memcachedConversion", from: "./webhooks/memcached-conversion.ts" },
    ]);
    assert.match(wired, /webhooks: \[\s*defaultMemcached,\s*validateMemcached,?\s*\]/);
    assert.match(wired, /conversions: \[\s*memcachedConversion,?\s*\]/);
    assert.match(wired, /import \{ defaultMemcached, validateMemcached \} from "\.\/webhooks\/memcached\.ts";|import \{ defaultMemcached \} from/);
  });

  test("the scaffolds import from operant/webhook and the kind's file", () => {
    const ts = admissionWebhookTs("Memcached", "memcached", true, true);
    assert.match(ts, /import \{ Admission, defineMutatingWebhook, defineValidatingWebhook \} from "operant\/webhook";/);
    assert.match(ts, /export const defaultMemcached = defineMutatingWebhook\(/);
    assert.match(ts, /export const validateMemcached = defineValidatingWebhook\(/);
    assert.doesNotMatch(admissionWebhookTs("Memcached", "memcached", false, true), /defineMutatingWebhook/);
    assert.match(conversionTs("Memcached", "memcached"), /export const memcachedConversion = defineConversion\(Memcached\);/);
  });

  test("a built-in kind is named as group/version/Kind, version/Kind, or a kind with --group and --version (core: the core group)", () => {
    assert.deepEqual(builtInRef({ kind: "apps/v1/Deployment" }), { group: "apps", version: "v1", kind: "Deployment" });
    assert.deepEqual(builtInRef({ kind: "v1/Pod" }), { group: "", version: "v1", kind: "Pod" });
    assert.deepEqual(builtInRef({ kind: "core/v1/Pod" }), { group: "", version: "v1", kind: "Pod" });
    assert.deepEqual(builtInRef({ kind: "Pod", group: "core", version: "v1" }), { group: "", version: "v1", kind: "Pod" });
    assert.deepEqual(builtInRef({ kind: "Deployment", group: "apps", version: "v1" }), { group: "apps", version: "v1", kind: "Deployment" });
    assert.equal(builtInRef({ kind: "Memcached" }), undefined);
    for (const bad of [{ kind: "a/b/c/D" }, { kind: "apps//Deployment" }, { kind: "apps/v1/Deployment", group: "apps" }, { kind: "Deployment", group: "apps" }]) {
      assert.throws(() => builtInRef(bad), (err) => isOperantError(err, "InvalidArgument"), JSON.stringify(bad));
    }
    assert.equal(findBuiltInKind({ group: "apps", version: "v1", kind: "Deployment" })?.kind, Deployment);
    assert.equal(findBuiltInKind({ group: "", version: "v1", kind: "Pod" })?.exportName, "Pod");
    assert.equal(findBuiltInKind({ group: "apps", version: "v2", kind: "Deployment" }), undefined);
  });

  test("create webhook for built-in kinds: typed from operant/kinds, wired into the operator, and generate writes their rules", async () => {
    const root = await mkdtemp(join(tmpdir(), "operant-create-webhook-"));
    try {
      await mkdir(join(root, "src", "api"), { recursive: true });
      await writeFile(join(root, "src", "operator.ts"), source);
      const written = await createWebhook(root, { kind: "apps/v1/Deployment", validation: true });
      assert.deepEqual(written.map((f) => f.slice(root.length + 1)), [join("src", "webhooks", "deployment.ts"), join("src", "operator.ts")]);
      const deployment = await readFile(join(root, "src", "webhooks", "deployment.ts"), "utf8");
      assert.match(deployment, /import \{ Deployment \} from "operant\/kinds";/);
      assert.match(deployment, /export const validateDeployment = defineValidatingWebhook\(\{\n {2}kind: Deployment,/);
      assert.match(deployment, /namespaceSelector/, "the scaffold says how to narrow a webhook on a built-in kind");
      await createWebhook(root, { kind: "Pod", group: "core", version: "v1", defaulting: true });
      const pod = await readFile(join(root, "src", "webhooks", "pod.ts"), "utf8");
      assert.match(pod, /import \{ Pod \} from "operant\/kinds";/);
      assert.match(pod, /export const defaultPod = defineMutatingWebhook\(/);
      const operatorFile = await readFile(join(root, "src", "operator.ts"), "utf8");
      assert.match(operatorFile, /webhooks: \[\s*validateDeployment,\s*defaultPod,?\s*\]/);
      assert.match(operatorFile, /import \{ validateDeployment \} from "\.\/webhooks\/deployment\.ts";/);
      assert.match(operatorFile, /import \{ defaultPod \} from "\.\/webhooks\/pod\.ts";/);
      // A bare kind that src/api lacks but operant/kinds has, once.
      await createWebhook(root, { kind: "ConfigMap", validation: true });
      assert.match(await readFile(join(root, "src", "webhooks", "config-map.ts"), "utf8"), /import \{ ConfigMap \} from "operant\/kinds";/);
      await assert.rejects(createWebhook(root, { kind: "apps/v1/Deployment", conversion: true }), (err) => isOperantError(err, "InvalidArgument") && /converts its versions itself/.test((err as Error).message));
      await assert.rejects(createWebhook(root, { kind: "apps/v2/Deployment", validation: true }), (err) => isOperantError(err, "UnknownKind") && /apps\/v1\/Deployment/.test((err as Error).message));
      await assert.rejects(createWebhook(root, { kind: "Widget", validation: true }), (err) => isOperantError(err, "UnknownKind") && /operant create api --kind Widget/.test((err as Error).message));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
    // What the scaffold declares, generate turns into rules on the built-in resource.
    const op = defineOperator({ name: "deploy-guard", controllers: [], webhooks: [defineValidatingWebhook({ kind: Deployment, validate: () => Admission.allow() })] });
    const [validating] = docs(configLayout(op, { existingSamples: new Map() }).generated.get("config/webhook/manifests.yaml")!) as { webhooks: { name: string; rules: unknown; clientConfig: { service: { path: string } } }[] }[];
    assert.equal(validating!.webhooks[0]!.name, "vdeployment-v1.apps.k8s.io", "a group without a dot is qualified: the API server wants three segments");
    assert.deepEqual(validating!.webhooks[0]!.rules, [{ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["deployments"], scope: "Namespaced" }]);
    assert.equal(validating!.webhooks[0]!.clientConfig.service.path, "/validate-apps-v1-deployment");
  });
});
