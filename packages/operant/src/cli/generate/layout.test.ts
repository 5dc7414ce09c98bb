import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import Type from "typebox";
import { parse, parseAllDocuments } from "yaml";
import { defineResource } from "../../crd/resource/resource.ts";
import { Deployment } from "../../kinds/index.ts";
import { crdRolesFor, networkPolicyFor, serviceMonitorFor } from "../../operator/addons.ts";
import { manifestsFor, manifestsYaml } from "../../operator/manifests.ts";
import { defineOperator, type OperatorDefinition } from "../../operator/operator.ts";
import { sampleFor } from "../../operator/samples.ts";
import { Admission, defineConversion, defineValidatingWebhook } from "../../webhook/index.ts";
import { Action } from "../../runtime/controller/action.ts";
import { Controller } from "../../runtime/controller/builder.ts";
import { readConfigSet } from "../deploy/config-set.ts";
import { configLayout, GENERATED_HEADER, sampleFileText, sampleOwner } from "./layout.ts";

const Memcached = defineResource({ group: "cache.example.com", version: "v1alpha1", kind: "Memcached", scope: "Namespaced", spec: Type.Object({ size: Type.Integer({ minimum: 1 }) }) });
const Backup = defineResource({ group: "cache.example.com", version: "v1", kind: "Backup", scope: "Namespaced", spec: Type.Object({ schedule: Type.String({ default: "@daily" }) }) });
const controller = Controller.for(Memcached).owns(Deployment).reconcile(() => Action.awaitChange());
const operator = defineOperator({ name: "memcached-operator", resources: [Memcached, Backup], controllers: [controller] });

const work = await mkdtemp(join(tmpdir(), "operant-layout-"));
after(() => rm(work, { recursive: true, force: true }));

/** Writes a layout into a fresh directory, as `generate` would on a new project. */
async function writeLayout(op: OperatorDefinition, options: Parameters<typeof configLayout>[1] = {}): Promise<string> {
  const dir = await mkdtemp(join(work, "p-"));
  const l = configLayout(op, options);
  for (const [rel, text] of [...l.generated, ...l.userOwned, ...l.samples]) {
    await mkdir(join(dir, rel, ".."), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
const key = (o: Obj) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const byKey = (objects: readonly unknown[]) => new Map((objects as Obj[]).map((o) => [key(o), JSON.parse(JSON.stringify(o)) as unknown]));

describe("configLayout", () => {
  test("operant's bases, the user's config/default, optional components, samples", () => {
    const { generated, userOwned, samples } = configLayout(operator);
    assert.deepEqual([...generated.keys()].sort(), [
      "config/crd-roles/kustomization.yaml",
      "config/crd-roles/roles.yaml",
      "config/crd/bases/cache.example.com_backups.yaml",
      "config/crd/bases/cache.example.com_memcacheds.yaml",
      "config/crd/kustomization.yaml",
      "config/manager/kustomization.yaml",
      "config/manager/manager.yaml",
      "config/manager/metrics_service.yaml",
      "config/network-policy/allow-metrics-traffic.yaml",
      "config/network-policy/kustomization.yaml",
      "config/prometheus/kustomization.yaml",
      "config/prometheus/monitor.yaml",
      "config/rbac/kustomization.yaml",
      "config/rbac/leader_election_role.yaml",
      "config/rbac/leader_election_role_binding.yaml",
      "config/rbac/role.yaml",
      "config/rbac/role_binding.yaml",
      "config/rbac/service_account.yaml",
      "config/samples/kustomization.yaml",
      "config/webhook/kustomization.yaml",
    ]);
    assert.deepEqual([...userOwned.keys()], ["config/default/kustomization.yaml", "config/default/manager_patch.yaml"]);
    for (const text of generated.values()) assert.ok(text.startsWith(GENERATED_HEADER));
    for (const text of userOwned.values()) assert.ok(!text.startsWith(GENERATED_HEADER), "the user's files do not say 'Do not edit'");
    const d = parse(userOwned.get("config/default/kustomization.yaml")!) as { namespace: string; namePrefix: string; resources: string[]; components: string[]; patches: { path: string }[] };
    assert.equal(d.namespace, "memcached-operator-system");
    assert.equal(d.namePrefix, "memcached-operator-");
    assert.deepEqual(d.resources, ["../crd", "../rbac", "../manager", "../webhook"]);
    assert.deepEqual(d.components, ["../crd-roles"], "prometheus and network-policy are there, commented out");
    assert.match(userOwned.get("config/default/kustomization.yaml")!, /# - \.\.\/prometheus\n[^]*# - \.\.\/network-policy\n/);
    assert.deepEqual(d.patches, [{ path: "manager_patch.yaml" }]);
    const bases = parseAllDocuments(generated.get("config/manager/manager.yaml")!).map((x) => x.toJS() as Obj);
    assert.deepEqual(bases.map(key), ["Namespace /system", "Deployment system/controller-manager"], "bases carry no prefix and the placeholder namespace");
    assert.deepEqual(parse(samples.get("config/samples/cache.example.com_v1_backup.yaml")!), { apiVersion: "cache.example.com/v1", kind: "Backup", metadata: { name: "backup-sample" }, spec: { schedule: "@daily" } });
    assert.match(samples.get("config/samples/cache.example.com_v1_backup.yaml")!, /^# Generated by `operant generate` \(sha256 [0-9a-f]{16}\)\. Edit freely/);
  });

  test("kustomize builds config/default into exactly manifestsFor's objects and the admin/editor/viewer roles", async () => {
    const dir = await writeLayout(operator);
    const built = byKey((await readConfigSet(dir)).map((o) => o.object));
    const want = byKey([...manifestsFor(operator).objects, ...crdRolesFor(operator)]);
    assert.deepEqual([...built.keys()].sort(), [...want.keys()].sort());
    for (const [k, o] of want) assert.deepEqual(built.get(k), o, k);
  });

  test("with webhooks and a conversion, kustomize gives the webhook configurations and the CRD's conversion the final Service name and namespace", async () => {
    const Alpha = defineResource({ group: "cache.example.com", version: "v1alpha1", kind: "Cache", scope: "Namespaced", spec: Type.Object({ size: Type.Integer() }) });
    const V1 = Alpha.defineVersion("v1", { spec: Type.Object({ replicas: Type.Integer() }), storage: true });
    const hooked = defineOperator({
      name: "memcached-operator",
      resources: [V1],
      controllers: [],
      webhooks: [defineValidatingWebhook({ kind: V1, validate: () => Admission.allow() })],
      conversions: [defineConversion(V1).spoke(Alpha, { toHub: (o) => ({ spec: { replicas: o.spec.size } }), fromHub: (h) => ({ spec: { size: h.spec.replicas } }) })],
    });
    const built = byKey((await readConfigSet(await writeLayout(hooked))).map((o) => o.object));
    const want = byKey([...manifestsFor(hooked).objects, ...crdRolesFor(hooked)]);
    assert.deepEqual([...built.keys()].sort(), [...want.keys()].sort());
    for (const [k, o] of want) assert.deepEqual(built.get(k), o, k);
    const service = { name: "memcached-operator-webhook-service", namespace: "memcached-operator-system" };
    const validating = [...built.values()].find((o) => (o as Obj).kind === "ValidatingWebhookConfiguration") as { webhooks: { clientConfig: { service: object } }[] };
    assert.deepEqual(validating.webhooks[0]!.clientConfig.service, { ...service, path: "/validate-cache-example-com-v1-cache", port: 443 });
  });

  test("a Namespaced operator: its Role moves with the namespace; Roles in other watched namespaces stay out of kustomize's reach", async () => {
    const ns = defineOperator({ name: "mc", scope: "Namespaced", resources: [Memcached], controllers: [controller] });
    const own = byKey((await readConfigSet(await writeLayout(ns))).map((o) => o.object));
    assert.deepEqual(own, byKey([...manifestsFor(ns).objects, ...crdRolesFor(ns)]));
    const watching = configLayout(ns, { watchNamespaces: ["team-a", "team-b"], image: "quay.io/me/mc:v1" });
    assert.match(watching.generated.get("config/manager/manager.yaml")!, /name: WATCH_NAMESPACE\n\s+value: team-a,team-b\n/);
    assert.match(watching.generated.get("config/manager/manager.yaml")!, /image: quay\.io\/me\/mc:v1\n/);
    assert.deepEqual(parseAllDocuments(watching.generated.get("config/watch-namespaces/roles.yaml")!).map((x) => key(x.toJS() as Obj)), ["Role team-a/mc-manager", "Role team-b/mc-manager", "RoleBinding team-a/mc-manager", "RoleBinding team-b/mc-manager"]);
    const dir = await writeLayout(ns, { watchNamespaces: ["team-a", "team-b"] });
    const built = byKey((await readConfigSet(dir)).map((o) => o.object));
    assert.deepEqual([...built.keys()].sort(), [...byKey([...manifestsFor(ns, { watchNamespaces: ["team-a", "team-b"] }).objects, ...crdRolesFor(ns)]).keys()].sort());
  });

  test("the components build: ServiceMonitor and NetworkPolicy with final names once enabled", async () => {
    const dir = await writeLayout(operator);
    const k = join(dir, "config/default/kustomization.yaml");
    const { readFile } = await import("node:fs/promises");
    await writeFile(k, (await readFile(k, "utf8")).replace("# - ../prometheus", "- ../prometheus").replace("# - ../network-policy", "- ../network-policy"));
    const built = byKey((await readConfigSet(dir)).map((o) => o.object));
    for (const o of [serviceMonitorFor(operator), networkPolicyFor(operator)]) assert.deepEqual(built.get(key(o)), JSON.parse(JSON.stringify(o)));
  });

  test("samples: a generated one is rewritten when its resource changes, an edited one is kept, an identical old one is adopted", () => {
    const body = manifestsYaml([sampleFor(Backup)]);
    const name = "cache.example.com_v1_backup.yaml";
    const path = `config/samples/${name}`;
    const stale = sampleFileText(body.replace("@daily", "@hourly"));
    assert.equal(sampleOwner(stale, body), "generated");
    assert.equal(configLayout(operator, { existingSamples: new Map([[name, stale]]) }).samples.get(path), sampleFileText(body), "regenerated");
    const edited = stale.replace("@hourly", "@weekly");
    assert.equal(sampleOwner(edited, body), "edited");
    assert.equal(configLayout(operator, { existingSamples: new Map([[name, edited]]) }).samples.has(path), false, "the user's edit survives");
    assert.equal(configLayout(operator, { existingSamples: new Map([[name, body]]) }).samples.get(path), sampleFileText(body), "adopted: gets the header");
    assert.equal(configLayout(operator, { existingSamples: new Map([[name, sampleFileText(body)]]) }).samples.has(path), false, "up to date: nothing to write");
    const extra = configLayout(operator, { existingSamples: new Map([["extra.yaml", "kind: X\n"]]) });
    assert.deepEqual((parse(extra.generated.get("config/samples/kustomization.yaml")!) as { resources: string[] }).resources, ["cache.example.com_v1_backup.yaml", "cache.example.com_v1alpha1_memcached.yaml", "extra.yaml"]);
  });

  test("property: a sample file is operant's exactly while its content matches its hash", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), fc.string({ minLength: 1, maxLength: 20 }), fc.nat(), (body, insert, at) => {
        const text = sampleFileText(body);
        assert.equal(sampleOwner(text, "unrelated"), "generated", "its own hash, whatever operant expects now");
        const header = text.length - body.length;
        const i = header + (body.length === 0 ? 0 : at % (body.length + 1));
        const edited = text.slice(0, i) + insert + text.slice(i);
        assert.equal(sampleOwner(edited, "unrelated"), "edited");
        assert.equal(sampleOwner(body, body), "generated", "an old sample without the header, identical to what operant writes, is adopted");
        if (body !== `${body}${insert}`) assert.equal(sampleOwner(`${body}${insert}`, body), "edited");
      }),
      { seed: 16, numRuns: 300 },
    );
  });

  test("samples are valid for their schemas: required fields from defaults and minimums", () => {
    for (const r of operator.resources) assert.deepEqual(r.validate(sampleFor(r)), [], r.kind);
  });

  test("config/default is the same before the first resource exists (operant init writes it, and it is the user's from then on)", () => {
    const empty = configLayout(defineOperator({ name: "memcached-operator", controllers: [] }));
    assert.equal(empty.userOwned.get("config/default/kustomization.yaml"), configLayout(operator).userOwned.get("config/default/kustomization.yaml"));
    assert.deepEqual((parse(empty.generated.get("config/crd/kustomization.yaml")!) as { resources: string[] }).resources, []);
  });

  test("is deterministic", () => {
    const a = configLayout(operator);
    const b = configLayout(operator);
    assert.deepEqual([...a.generated, ...a.userOwned], [...b.generated, ...b.userOwned]);
  });
});
