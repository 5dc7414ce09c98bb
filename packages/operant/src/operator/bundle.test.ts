import assert from "node:assert/strict";
import { describe, test } from "node:test";
import Type from "typebox";
import { parse } from "yaml";
import { isOperantError } from "../core/errors.ts";
import { crdManifests } from "../crd/manifest/manifest.ts";
import { defineResource } from "../crd/resource/resource.ts";
import { Condition } from "../crd/types/condition.ts";
import { Deployment, Namespace, Pod } from "../kinds/index.ts";
import { Action } from "../runtime/controller/action.ts";
import { Controller } from "../runtime/controller/builder.ts";
import { bundleFor, checkBundleVersion, DEFAULT_ICON, type ClusterServiceVersionManifest } from "./bundle.ts";
import { defineOperator } from "./operator.ts";
import { rbacFor } from "./rbac.ts";

const Memcached = defineResource({
  group: "cache.example.com",
  version: "v1alpha1",
  kind: "Memcached",
  scope: "Namespaced",
  description: "Memcached runs a memcached Deployment of spec.size Pods.",
  spec: Type.Object({ size: Type.Integer({ minimum: 1, description: "Number of memcached Pods" }) }),
  status: Type.Object({ nodes: Type.Optional(Type.Array(Type.String(), { description: "Names of the memcached Pods" })), conditions: Type.Optional(Type.Array(Condition)) }),
});
const controller = Controller.for(Memcached)
  .owns(Deployment)
  .watches(Pod, { toRequests: () => [] })
  .reconcile(() => Action.awaitChange());
const operator = defineOperator({ name: "memcached-operator", resources: [Memcached], controllers: [controller] });

const strip = (rs: readonly { apiGroups: readonly string[]; resources: readonly string[]; verbs: readonly string[] }[]) =>
  rs.map((r) => ({ apiGroups: r.apiGroups[0] === "events.k8s.io" && r.resources[0] === "events" ? [""] : [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] }));

describe("bundleFor", () => {
  test("writes the registry+v1 layout: CSV and CRDs under manifests/, annotations under metadata/, and a bundle.Dockerfile with the same labels", () => {
    const b = bundleFor(operator, { version: "0.1.0", channels: ["alpha", "stable"], defaultChannel: "stable", image: "quay.io/me/memcached-operator:v0.1.0" });
    assert.deepEqual(Object.keys(b.files).sort(), [
      "bundle.Dockerfile",
      "bundle/manifests/cache.example.com_memcacheds.yaml",
      "bundle/manifests/memcached-operator.clusterserviceversion.yaml",
      "bundle/metadata/annotations.yaml",
      "bundle/tests/scorecard/config.yaml",
    ]);
    const annotations = (parse(b.files["bundle/metadata/annotations.yaml"]!) as { annotations: Record<string, string> }).annotations;
    assert.deepEqual(annotations, {
      "operators.operatorframework.io.bundle.mediatype.v1": "registry+v1",
      "operators.operatorframework.io.bundle.manifests.v1": "manifests/",
      "operators.operatorframework.io.bundle.metadata.v1": "metadata/",
      "operators.operatorframework.io.bundle.package.v1": "memcached-operator",
      "operators.operatorframework.io.bundle.channels.v1": "alpha,stable",
      "operators.operatorframework.io.bundle.channel.default.v1": "stable",
      "operators.operatorframework.io.test.mediatype.v1": "scorecard+v1",
      "operators.operatorframework.io.test.config.v1": "tests/scorecard/",
    });
    const dockerfile = b.files["bundle.Dockerfile"]!;
    const labels: Record<string, string> = Object.fromEntries([...dockerfile.matchAll(/^LABEL (\S+)=(\S+)$/gm)].map((m): [string, string] => [m[1]!, m[2]!]));
    assert.deepEqual(labels, annotations);
    assert.match(dockerfile, /^FROM scratch$/m);
    assert.match(dockerfile, /^COPY bundle\/manifests \/manifests\/$/m);
    assert.match(dockerfile, /^COPY bundle\/metadata \/metadata\/$/m);
    assert.match(dockerfile, /^COPY bundle\/tests\/scorecard \/tests\/scorecard\/$/m);
    const scorecard = parse(b.files["bundle/tests/scorecard/config.yaml"]!) as { kind: string; stages: { tests: { entrypoint: string[]; labels: { suite: string; test: string } }[] }[] };
    assert.equal(scorecard.kind, "Configuration");
    assert.deepEqual(
      scorecard.stages[0]!.tests.map((t) => `${t.labels.suite}/${t.labels.test}=${t.entrypoint.join(" ")}`),
      ["basic/basic-check-spec-test=scorecard-test basic-check-spec", "olm/olm-bundle-validation-test=scorecard-test olm-bundle-validation", "olm/olm-crds-have-validation-test=scorecard-test olm-crds-have-validation", "olm/olm-crds-have-resources-test=scorecard-test olm-crds-have-resources", "olm/olm-spec-descriptors-test=scorecard-test olm-spec-descriptors", "olm/olm-status-descriptors-test=scorecard-test olm-status-descriptors"],
    );
    assert.deepEqual(parse(b.files["bundle/manifests/cache.example.com_memcacheds.yaml"]!), JSON.parse(JSON.stringify(crdManifests(Memcached)[0])));
  });

  test("the CSV installs the manager Deployment with the RBAC rbacFor derives and owns the CRDs", () => {
    const b = bundleFor(operator, { version: "1.2.3-rc.1", replaces: "memcached-operator.v1.2.2", image: "quay.io/me/memcached-operator:v1.2.3-rc.1" });
    const csv = parse(b.files["bundle/manifests/memcached-operator.clusterserviceversion.yaml"]!) as ClusterServiceVersionManifest;
    assert.equal(csv.apiVersion, "operators.coreos.com/v1alpha1");
    assert.equal(csv.metadata.name, "memcached-operator.v1.2.3-rc.1");
    assert.equal(csv.spec.version, "1.2.3-rc.1");
    assert.equal(csv.spec.replaces, "memcached-operator.v1.2.2");
    assert.equal(csv.spec.minKubeVersion, "1.26.0");
    assert.equal(csv.spec.install.strategy, "deployment");
    const rbac = rbacFor(operator);
    assert.deepEqual(csv.spec.install.spec.clusterPermissions, [{ serviceAccountName: "memcached-operator-controller-manager", rules: strip(rbac.rules) }]);
    assert.deepEqual(csv.spec.install.spec.permissions, [{ serviceAccountName: "memcached-operator-controller-manager", rules: strip(rbac.leaderElectionRules) }]);
    const dep = csv.spec.install.spec.deployments[0]!;
    assert.equal(dep.name, "memcached-operator-controller-manager");
    const c = dep.spec.template.spec!.containers[0]!;
    assert.equal(c.image, "quay.io/me/memcached-operator:v1.2.3-rc.1");
    assert.deepEqual(c.env?.find((e) => e.name === "WATCH_NAMESPACE"), { name: "WATCH_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.annotations['olm.targetNamespaces']" } } });
    assert.equal(dep.spec.template.spec!.serviceAccountName, "memcached-operator-controller-manager");
    assert.deepEqual(c.env?.at(-1), { name: "OPERANT_EVENTS_API", value: "v1" }, "the manager writes core v1 Events, which the bundle's RBAC grants");
    assert.ok(!JSON.stringify(csv.spec.install.spec).includes("events.k8s.io"), "no events.k8s.io rule for the deprecated-API check to flag");
    assert.deepEqual(csv.spec.customresourcedefinitions.owned, [
      {
        name: "memcacheds.cache.example.com",
        version: "v1alpha1",
        kind: "Memcached",
        displayName: "Memcached",
        description: "Memcached runs a memcached Deployment of spec.size Pods.",
        specDescriptors: [{ path: "size", displayName: "Size", description: "Number of memcached Pods" }],
        statusDescriptors: [
          { path: "nodes", displayName: "Nodes", description: "Names of the memcached Pods" },
          { path: "conditions", displayName: "Conditions", "x-descriptors": ["urn:alm:descriptor:io.kubernetes.conditions"] },
        ],
      },
    ]);
    assert.deepEqual(csv.spec.installModes.map((m) => `${m.type}=${m.supported}`), ["OwnNamespace=false", "SingleNamespace=false", "MultiNamespace=false", "AllNamespaces=true"], "every rule is a clusterPermission: all namespaces only");
    assert.deepEqual(csv.spec.icon, [DEFAULT_ICON]);
    assert.match(Buffer.from(DEFAULT_ICON.base64data, "base64").toString(), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal((parse(b.files["bundle/metadata/annotations.yaml"]!) as { annotations: Record<string, string> }).annotations["operators.operatorframework.io.bundle.channels.v1"], "candidate", "OLM's channel naming by default");
    const examples = JSON.parse(csv.metadata.annotations["alm-examples"]!) as unknown[];
    assert.deepEqual(examples, [{ apiVersion: "cache.example.com/v1alpha1", kind: "Memcached", metadata: { name: "memcached-sample" }, spec: { size: 1 } }]);
    assert.equal(JSON.stringify(b), JSON.stringify(bundleFor(operator, { version: "1.2.3-rc.1", replaces: "memcached-operator.v1.2.2", image: "quay.io/me/memcached-operator:v1.2.3-rc.1" })), "deterministic");
  });

  test("a Namespaced operator: no AllNamespaces install mode; controller rules in permissions, cluster-scoped kinds in clusterPermissions", () => {
    const c = Controller.for(Memcached)
      .watches(Namespace, { toRequests: () => [] })
      .reconcile(() => Action.awaitChange());
    const op = defineOperator({ name: "mc", scope: "Namespaced", resources: [Memcached], controllers: [c] });
    const csv = bundleFor(op, { version: "0.0.1" }).csv;
    assert.deepEqual(csv.spec.installModes.map((m) => `${m.type}=${m.supported}`), ["OwnNamespace=true", "SingleNamespace=true", "MultiNamespace=true", "AllNamespaces=false"]);
    const rbac = rbacFor(op);
    assert.deepEqual(csv.spec.install.spec.clusterPermissions?.[0]?.rules, [{ apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] }]);
    assert.deepEqual(csv.spec.install.spec.permissions?.[0]?.rules, strip([...rbac.rules.filter((r) => r.clusterScoped !== true), ...rbac.leaderElectionRules]));
  });

  test("alm-examples has a sample of every served version; an icon can be given", () => {
    const V1alpha1 = defineResource({ group: "cache.example.com", version: "v1alpha1", kind: "Memcached", scope: "Namespaced", spec: Type.Object({ size: Type.Integer({ minimum: 1 }) }) });
    const V1 = V1alpha1.defineVersion("v1", { spec: Type.Object({ replicas: Type.Integer({ minimum: 1 }) }), storage: true });
    V1alpha1.defineVersion("v1beta1", { spec: Type.Object({}), served: false });
    const op = defineOperator({ name: "mc", resources: [V1], controllers: [] });
    const icon = { base64data: "iVBORw0KGgo=", mediatype: "image/png" } as const;
    const csv = bundleFor(op, { version: "0.1.0", icon }).csv;
    const examples = JSON.parse(csv.metadata.annotations["alm-examples"]!) as { apiVersion: string; spec: unknown }[];
    assert.deepEqual(examples.map((e) => [e.apiVersion, e.spec]), [["cache.example.com/v1", { replicas: 1 }], ["cache.example.com/v1alpha1", { size: 1 }]]);
    assert.deepEqual(csv.spec.icon, [icon]);
  });

  test("refuses a version that is not semver, bad channels and a foreign replaces, saying what to do", () => {
    assert.throws(() => bundleFor(operator, { version: "v0.1.0" }), (e) => isOperantError(e, "InvalidVersion") && /drop the leading "v": 0\.1\.0/.test(e.message));
    assert.throws(() => checkBundleVersion("1.0"), (e) => isOperantError(e, "InvalidVersion") && /MAJOR\.MINOR\.PATCH/.test(e.message));
    assert.doesNotThrow(() => checkBundleVersion("1.0.0+build.5"));
    assert.throws(() => bundleFor(operator, { version: "0.1.0", channels: ["alpha"], defaultChannel: "stable" }), (e) => isOperantError(e, "InvalidArgument") && /not one of the bundle's channels/.test(e.message));
    assert.throws(() => bundleFor(operator, { version: "0.1.0", channels: ["a b"] }), (e) => isOperantError(e, "InvalidArgument") && /channel "a b"/.test(e.message));
    assert.throws(() => bundleFor(operator, { version: "0.1.0", replaces: "other.v0.0.1" }), (e) => isOperantError(e, "InvalidArgument") && /memcached-operator\.v<version>/.test(e.message));
  });
});
