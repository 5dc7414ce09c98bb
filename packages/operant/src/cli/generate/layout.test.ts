import assert from "node:assert/strict";
import { describe, test } from "node:test";
import Type from "typebox";
import { parse, parseAllDocuments } from "yaml";
import { defineResource } from "../../crd/resource/resource.ts";
import { Deployment } from "../../kinds/index.ts";
import { defineOperator } from "../../operator/operator.ts";
import { Action } from "../../runtime/controller/action.ts";
import { Controller } from "../../runtime/controller/builder.ts";
import { configLayout, GENERATED_HEADER } from "./layout.ts";

const Memcached = defineResource({ group: "cache.example.com", version: "v1alpha1", kind: "Memcached", scope: "Namespaced", spec: Type.Object({ size: Type.Integer({ minimum: 1 }) }) });
const Backup = defineResource({ group: "cache.example.com", version: "v1", kind: "Backup", scope: "Namespaced", spec: Type.Object({ schedule: Type.String({ default: "@daily" }) }) });
const controller = Controller.for(Memcached).owns(Deployment).reconcile(() => Action.awaitChange());
const operator = defineOperator({ name: "memcached-operator", resources: [Memcached, Backup], controllers: [controller] });

describe("configLayout", () => {
  test("kubebuilder's layout: CRDs, RBAC, manager, metrics Service, samples, and kustomizations that list them", () => {
    const { generated, samples } = configLayout(operator);
    assert.deepEqual([...generated.keys()].sort(), [
      "config/crd/bases/cache.example.com_backups.yaml",
      "config/crd/bases/cache.example.com_memcacheds.yaml",
      "config/crd/kustomization.yaml",
      "config/default/kustomization.yaml",
      "config/default/metrics_service.yaml",
      "config/manager/kustomization.yaml",
      "config/manager/manager.yaml",
      "config/rbac/kustomization.yaml",
      "config/rbac/leader_election_role.yaml",
      "config/rbac/leader_election_role_binding.yaml",
      "config/rbac/role.yaml",
      "config/rbac/role_binding.yaml",
      "config/rbac/service_account.yaml",
      "config/samples/kustomization.yaml",
    ]);
    for (const text of generated.values()) assert.ok(text.startsWith(GENERATED_HEADER));
    const k = (path: string) => (parse(generated.get(path)!) as { resources: string[] }).resources;
    assert.deepEqual(k("config/default/kustomization.yaml"), ["../crd", "../rbac", "../manager", "metrics_service.yaml"]);
    assert.deepEqual(k("config/crd/kustomization.yaml"), ["bases/cache.example.com_backups.yaml", "bases/cache.example.com_memcacheds.yaml"]);
    assert.deepEqual(k("config/samples/kustomization.yaml"), ["cache.example.com_v1_backup.yaml", "cache.example.com_v1alpha1_memcached.yaml"]);
    for (const dir of ["crd", "rbac", "manager"]) for (const f of k(`config/${dir}/kustomization.yaml`)) assert.ok(generated.has(`config/${dir}/${f}`), `config/${dir}/${f} is generated`);
    assert.deepEqual(parseAllDocuments(generated.get("config/manager/manager.yaml")!).map((d) => (d.toJS() as { kind: string }).kind), ["Namespace", "Deployment"]);
    assert.deepEqual(parseAllDocuments(generated.get("config/rbac/role.yaml")!).map((d) => (d.toJS() as { kind: string; metadata: { name: string } }).metadata.name), ["memcached-operator-manager"]);
    assert.deepEqual(parseAllDocuments(generated.get("config/rbac/leader_election_role.yaml")!).map((d) => (d.toJS() as { metadata: { name: string } }).metadata.name), ["memcached-operator-leader-election"]);
    assert.deepEqual(parse(samples.get("config/samples/cache.example.com_v1_backup.yaml")!), { apiVersion: "cache.example.com/v1", kind: "Backup", metadata: { name: "backup-sample" }, spec: { schedule: "@daily" } });
  });

  test("is deterministic, and keeps existing samples (they are the user's)", () => {
    const a = configLayout(operator, { existingSamples: ["cache.example.com_v1alpha1_memcached.yaml", "extra.yaml"] });
    const b = configLayout(operator, { existingSamples: ["cache.example.com_v1alpha1_memcached.yaml", "extra.yaml"] });
    assert.deepEqual([...a.generated], [...b.generated]);
    assert.deepEqual([...a.samples.keys()], ["config/samples/cache.example.com_v1_backup.yaml"], "only the missing sample");
    assert.deepEqual((parse(a.generated.get("config/samples/kustomization.yaml")!) as { resources: string[] }).resources, ["cache.example.com_v1_backup.yaml", "cache.example.com_v1alpha1_memcached.yaml", "extra.yaml"]);
  });

  test("watch namespaces and the image reach the manager (and the Roles of a Namespaced operator)", () => {
    const ns = defineOperator({ name: "mc", scope: "Namespaced", resources: [Memcached], controllers: [controller] });
    const { generated } = configLayout(ns, { watchNamespaces: ["team-a", "team-b"], image: "quay.io/me/mc:v1" });
    const manager = generated.get("config/manager/manager.yaml")!;
    assert.match(manager, /name: WATCH_NAMESPACE\n\s+value: team-a,team-b\n/);
    assert.match(manager, /image: quay\.io\/me\/mc:v1\n/);
    assert.deepEqual(parseAllDocuments(generated.get("config/rbac/role.yaml")!).map((d) => (d.toJS() as { kind: string; metadata: { namespace: string } }).metadata.namespace), ["team-a", "team-b"]);
  });
});
