import assert from "node:assert/strict";
import { describe, test } from "node:test";
import Type from "typebox";
import { isOperantError } from "../core/errors.ts";
import { defineResource } from "../crd/resource/resource.ts";
import { Condition } from "../crd/types/condition.ts";
import { ConfigMap, Deployment, Namespace, Pod, Secret } from "../kinds/index.ts";
import { Action } from "../runtime/controller/action.ts";
import { Controller } from "../runtime/controller/builder.ts";
import { defineOperator } from "./operator.ts";
import { controllerRulesFor, leaderElectionRules, rbacFor } from "./rbac.ts";

const Memcached = defineResource({
  group: "cache.example.com",
  version: "v1alpha1",
  kind: "Memcached",
  scope: "Namespaced",
  spec: Type.Object({ size: Type.Integer({ minimum: 1 }) }),
  status: Type.Object({ nodes: Type.Optional(Type.Array(Type.String())), conditions: Type.Optional(Type.Array(Condition)) }),
});
const NoStatus = defineResource({ group: "cache.example.com", version: "v1", kind: "Plain", scope: "Cluster", spec: Type.Object({ a: Type.String() }) });

const memcached = Controller.for(Memcached)
  .owns(Deployment)
  .watches(Pod, { labels: { app: "memcached" }, toRequests: () => [] })
  .reconcile(() => Action.awaitChange());

const plainRules = (rs: readonly { apiGroups: readonly string[]; resources: readonly string[]; verbs: readonly string[]; resourceNames?: readonly string[] | undefined }[]) =>
  rs.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs], ...(r.resourceNames && { resourceNames: [...r.resourceNames] }) }));

describe("rbacFor", () => {
  test("the memcached operator gets exactly the rules its controller declares, one per group and resource, sorted", () => {
    const op = defineOperator({ name: "memcached-operator", resources: [Memcached], controllers: [memcached] });
    assert.deepEqual(plainRules(controllerRulesFor(op)), [
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
      { apiGroups: ["cache.example.com"], resources: ["memcacheds"], verbs: ["get", "list", "watch", "update", "patch"] },
      { apiGroups: ["cache.example.com"], resources: ["memcacheds/finalizers"], verbs: ["update"] },
      { apiGroups: ["cache.example.com"], resources: ["memcacheds/status"], verbs: ["get", "update", "patch"] },
      { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create", "patch"] },
    ]);
  });

  test("secure metrics: the ServiceAccount may create TokenReviews and SubjectAccessReviews; metrics-reader (unbound) grants get /metrics", () => {
    const op = defineOperator({ name: "memcached-operator", resources: [Memcached], controllers: [memcached] });
    const rbac = rbacFor(op);
    const byName = new Map(rbac.clusterRoles.map((r) => [r.metadata.name, r]));
    assert.deepEqual(byName.get("memcached-operator-metrics-auth")!.rules, [
      { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
      { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
    ]);
    assert.deepEqual(byName.get("memcached-operator-metrics-reader")!.rules, [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }]);
    assert.deepEqual(rbac.clusterRoleBindings.map((b) => b.roleRef.name), ["memcached-operator-manager", "memcached-operator-metrics-auth"], "metrics-reader is for Prometheus to be bound to, not the operator");
  });

  test("a Cluster operator gets a ClusterRole and binding for its ServiceAccount, and a leader-election Role in its namespace", () => {
    const op = defineOperator({ name: "memcached-operator", resources: [Memcached], controllers: [memcached] });
    const rbac = rbacFor(op);
    assert.deepEqual(rbac.serviceAccount.metadata, { name: "memcached-operator-controller-manager", namespace: "memcached-operator-system", labels: { "app.kubernetes.io/name": "memcached-operator", "app.kubernetes.io/managed-by": "operant" } });
    assert.deepEqual(rbac.clusterRoles.map((r) => r.metadata.name), ["memcached-operator-manager", "memcached-operator-metrics-auth", "memcached-operator-metrics-reader"]);
    assert.deepEqual(rbac.clusterRoles[0]!.rules, plainRules(rbac.rules));
    assert.deepEqual(rbac.clusterRoleBindings[0]!.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "memcached-operator-manager" });
    assert.deepEqual(rbac.clusterRoleBindings[0]!.subjects, [{ kind: "ServiceAccount", name: "memcached-operator-controller-manager", namespace: "memcached-operator-system" }]);
    assert.deepEqual(
      rbac.roles.map((r) => [r.kind, r.metadata.namespace, r.metadata.name]),
      [["Role", "memcached-operator-system", "memcached-operator-leader-election"]],
    );
    assert.deepEqual(rbac.roles[0]!.rules, [{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update"] }]);
    assert.deepEqual(rbac.roleBindings[0]!.roleRef.kind, "Role");
    assert.deepEqual(
      rbac.manifests.map((m) => m.kind),
      ["ServiceAccount", "ClusterRole", "ClusterRole", "ClusterRole", "Role", "ClusterRoleBinding", "ClusterRoleBinding", "RoleBinding"],
    );
  });

  test("rules of several controllers and extra rules merge per group and resource; resourceNames stay apart; order of declaration does not matter", () => {
    const a = Controller.for(Memcached).owns(ConfigMap).reconcile(() => Action.awaitChange());
    const b = Controller.for(ConfigMap)
      .named("cm")
      .watches(Secret, { toRequests: () => [] })
      .permissions({ apiGroups: ["", "apps"], resources: ["secrets", "statefulsets"], verbs: ["create"] }, { apiGroups: [""], resources: ["secrets"], resourceNames: ["b", "a"], verbs: ["get"] })
      .reconcile(() => Action.awaitChange());
    const op1 = defineOperator({ name: "x", resources: [Memcached], controllers: [a, b], extraRules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["deletecollection"] }] });
    const op2 = defineOperator({ name: "x", resources: [Memcached], controllers: [b, a], extraRules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["deletecollection"] }] });
    const rules = controllerRulesFor(op1);
    assert.deepEqual(plainRules(rules), plainRules(controllerRulesFor(op2)));
    const find = (g: string, r: string, names?: string[]) => rules.find((x) => x.apiGroups[0] === g && x.resources[0] === r && JSON.stringify(x.resourceNames) === JSON.stringify(names));
    assert.deepEqual(find("", "configmaps")?.verbs, ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]);
    assert.equal(find("", "configmaps")?.reasons.length, 3, "owned by a, primary of cm, operator extra rule");
    assert.deepEqual(find("", "configmaps/status"), undefined, "ConfigMaps have no status subresource");
    assert.deepEqual(find("", "secrets")?.verbs, ["get", "list", "watch", "create"]);
    assert.deepEqual(find("", "secrets", ["a", "b"])?.verbs, ["get"]);
    assert.deepEqual(find("apps", "secrets")?.verbs, ["create"], "extra rules are split into one rule per group and resource");
    assert.deepEqual(find("", "statefulsets")?.verbs, ["create"]);
    for (const r of rules) assert.equal(r.apiGroups.length * r.resources.length, 1);
  });

  test("a kind without a status subresource gets no status rule", () => {
    const op = defineOperator({ name: "plain", resources: [NoStatus], controllers: [Controller.for(NoStatus).reconcile(() => Action.awaitChange())] });
    const resources = controllerRulesFor(op).map((r) => r.resources[0]);
    assert.deepEqual(resources, ["plains", "plains/finalizers", "events"]);
  });

  test("a Namespaced operator gets a Role per watched namespace, a ClusterRole only for cluster-scoped kinds, and the leader-election Role", () => {
    const c = Controller.for(Memcached)
      .owns(Deployment)
      .watches(Namespace, { toRequests: () => [] })
      .reconcile(() => Action.awaitChange());
    const op = defineOperator({ name: "mc", scope: "Namespaced", resources: [Memcached], controllers: [c] });
    const rbac = rbacFor(op, { watchNamespaces: ["team-b", "team-a", "team-b"] });
    assert.deepEqual(
      rbac.roles.map((r) => `${r.metadata.namespace}/${r.metadata.name}`),
      ["team-a/mc-manager", "team-b/mc-manager", "mc-system/mc-leader-election"],
    );
    assert.deepEqual(
      rbac.roleBindings.map((r) => `${r.metadata.namespace}/${r.metadata.name}→${r.roleRef.kind}/${r.roleRef.name}`),
      ["team-a/mc-manager→Role/mc-manager", "team-b/mc-manager→Role/mc-manager", "mc-system/mc-leader-election→Role/mc-leader-election"],
    );
    assert.ok(!rbac.roles[0]!.rules.some((r) => "resources" in r && r.resources.includes("namespaces")));
    assert.deepEqual(rbac.clusterRoles.map((r) => r.metadata.name), ["mc-manager-cluster", "mc-metrics-auth", "mc-metrics-reader"]);
    assert.deepEqual(rbac.clusterRoles[0]!.rules, [{ apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] }]);
    assert.deepEqual(rbacFor(op).roles.map((r) => `${r.metadata.namespace}/${r.metadata.name}`), ["mc-system/mc-manager", "mc-system/mc-leader-election"], "default: the operator's own namespace");
  });

  test("leader-for-life needs the lock ConfigMap and the Pods that own it; lease mode the Lease", () => {
    assert.deepEqual(plainRules(leaderElectionRules("leader-for-life")), [
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch", "create", "delete"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "delete"] },
    ]);
    const op = defineOperator({ name: "x", controllers: [memcached], leaderElection: { mode: "leader-for-life" } });
    assert.deepEqual(rbacFor(op).roles.at(-1)!.rules, plainRules(leaderElectionRules("leader-for-life")));
  });

  test("sharding gets the Lease rule whatever the election mode: member Leases and the sharder's election", () => {
    const lease = { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update"] };
    const lfl = defineOperator({ name: "x", controllers: [memcached], leaderElection: { mode: "leader-for-life" }, sharding: { enabled: true } });
    assert.deepEqual(rbacFor(lfl).roles.at(-1)!.rules, [...plainRules(leaderElectionRules("leader-for-life")), lease]);
    assert.deepEqual(plainRules(leaderElectionRules("leader-for-life", { sharding: true })), [...plainRules(leaderElectionRules("leader-for-life")), lease]);
    const leased = defineOperator({ name: "x", controllers: [memcached], sharding: { enabled: true } });
    assert.deepEqual(rbacFor(leased).roles.at(-1)!.rules, [lease], "lease mode: one merged rule");
    const unsharded = defineOperator({ name: "x", controllers: [memcached], leaderElection: { mode: "leader-for-life" } });
    assert.ok(!rbacFor(unsharded).roles.at(-1)!.rules.some((r) => "resources" in r && r.resources?.includes("leases")), "no Lease rule without sharding in leader-for-life mode");
  });

  test("is deterministic", () => {
    const op = defineOperator({ name: "memcached-operator", resources: [Memcached], controllers: [memcached] });
    assert.equal(JSON.stringify(rbacFor(op)), JSON.stringify(rbacFor(op)));
  });

  test("refuses invalid namespaces and empty extra rules, saying what to do", () => {
    const op = defineOperator({ name: "x", controllers: [memcached] });
    assert.throws(() => rbacFor(op, { namespace: "Not_Valid" }), (e) => isOperantError(e, "InvalidName") && /namespace/.test(e.message));
    const bad = defineOperator({ name: "y", controllers: [memcached], extraRules: [{ apiGroups: [""], resources: [], verbs: ["get"] }] });
    assert.throws(() => rbacFor(bad), (e) => isOperantError(e, "InvalidRbacRule") && /at least one of each/.test(e.message));
  });
});
