import assert from "node:assert/strict";
import { describe, test } from "node:test";
import Type from "typebox";
import { parseAllDocuments } from "yaml";
import { defineResource } from "../crd/resource/resource.ts";
import { Condition } from "../crd/types/condition.ts";
import { Deployment, Pod } from "../kinds/index.ts";
import { Action } from "../runtime/controller/action.ts";
import { Controller } from "../runtime/controller/builder.ts";
import { manifestsFor, manifestsYaml } from "./manifests.ts";
import { defineOperator } from "./operator.ts";
import { sampleFileName, sampleFor } from "./samples.ts";

const Memcached = defineResource({
  group: "cache.example.com",
  version: "v1alpha1",
  kind: "Memcached",
  scope: "Namespaced",
  spec: Type.Object({ size: Type.Integer({ minimum: 1, description: "Number of Pods" }), image: Type.Optional(Type.String()) }),
  status: Type.Object({ nodes: Type.Optional(Type.Array(Type.String())), conditions: Type.Optional(Type.Array(Condition)) }),
});
const controller = Controller.for(Memcached)
  .owns(Deployment)
  .watches(Pod, { toRequests: () => [] })
  .reconcile(() => Action.awaitChange());
const operator = defineOperator({ name: "memcached-operator", resources: [Memcached], controllers: [controller] });

describe("manifestsFor", () => {
  test("the manager Deployment: image, non-root, downward API, WATCH_NAMESPACE, --leader-elect, probes on :8081, metrics on :8080, resources", () => {
    const { deployment: d } = manifestsFor(operator, { image: "quay.io/me/memcached-operator:v0.1.0" });
    assert.equal(d.metadata.name, "memcached-operator-controller-manager");
    assert.equal(d.metadata.namespace, "memcached-operator-system");
    const pod = d.spec.template.spec!;
    assert.equal(pod.serviceAccountName, "memcached-operator-controller-manager");
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    const c = pod.containers[0]!;
    assert.equal(c.image, "quay.io/me/memcached-operator:v0.1.0");
    assert.deepEqual(c.args, ["--leader-elect", "--health-probe-bind-address=:8081", "--metrics-bind-address=:8080"]);
    assert.deepEqual(c.env, [
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      { name: "WATCH_NAMESPACE", value: "" },
    ]);
    assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
    assert.deepEqual(c.securityContext?.capabilities?.drop, ["ALL"]);
    assert.deepEqual(c.livenessProbe?.httpGet, { path: "/healthz", port: 8081 });
    assert.deepEqual(c.readinessProbe?.httpGet, { path: "/readyz", port: 8081 });
    assert.deepEqual(c.ports?.map((p) => [p.name, p.containerPort]), [["metrics", 8080], ["health", 8081]]);
    assert.deepEqual(c.resources, { requests: { cpu: "10m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } }, "from the measured idle RSS (94–114 MB) and the 10,000-Pod sync peak (314 MB)");
    assert.deepEqual(d.spec.selector.matchLabels, d.spec.template.metadata?.labels);
  });

  test("defaults: the operator's image; a Namespaced operator watches its own namespace; leader election can be turned off", () => {
    assert.equal(manifestsFor(operator).deployment.spec.template.spec!.containers[0]!.image, "memcached-operator:latest");
    const ns = defineOperator({ name: "mc", scope: "Namespaced", resources: [Memcached], controllers: [controller] });
    const env = manifestsFor(ns, { leaderElection: false }).deployment.spec.template.spec!.containers[0]!;
    assert.deepEqual(env.env?.at(-1), { name: "WATCH_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }, "its own namespace, wherever kustomize puts it");
    assert.ok(!env.args?.includes("--leader-elect"));
    const two = manifestsFor(ns, { watchNamespaces: ["b", "a"] });
    assert.deepEqual(two.deployment.spec.template.spec!.containers[0]!.env?.at(-1), { name: "WATCH_NAMESPACE", value: "a,b" });
    assert.deepEqual(two.rbac.roles.map((r) => r.metadata.namespace), ["a", "b", "mc-system"]);
  });

  test("defineOperator's manager options reach the Deployment; explicit options win", () => {
    const op = defineOperator({
      name: "tuned",
      resources: [Memcached],
      controllers: [controller],
      manager: {
        replicas: 2,
        resources: { requests: { cpu: "50m", memory: "256Mi" } },
        env: [{ name: "LOG_LEVEL", value: "debug" }],
        tolerations: [{ key: "dedicated", operator: "Equal", value: "ops", effect: "NoSchedule" }],
        nodeSelector: { "kubernetes.io/os": "linux" },
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] }] }] } } },
        priorityClassName: "system-cluster-critical",
        imagePullSecrets: ["regcred"],
        volumes: [{ name: "cache", emptyDir: {} }],
        volumeMounts: [{ name: "cache", mountPath: "/cache" }],
      },
    });
    const d = manifestsFor(op).deployment;
    const pod = d.spec.template.spec!;
    const c = pod.containers[0]!;
    assert.equal(d.spec.replicas, 2);
    assert.deepEqual(c.resources, { requests: { cpu: "50m", memory: "256Mi" } });
    assert.deepEqual(c.env?.map((e) => e.name), ["POD_NAME", "POD_NAMESPACE", "WATCH_NAMESPACE", "LOG_LEVEL"]);
    assert.deepEqual(pod.tolerations, [{ key: "dedicated", operator: "Equal", value: "ops", effect: "NoSchedule" }]);
    assert.deepEqual(pod.nodeSelector, { "kubernetes.io/os": "linux" });
    assert.equal(pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.key, "kubernetes.io/arch");
    assert.equal(pod.priorityClassName, "system-cluster-critical");
    assert.deepEqual(pod.imagePullSecrets, [{ name: "regcred" }]);
    assert.deepEqual(pod.volumes, [{ name: "cache", emptyDir: {} }]);
    assert.deepEqual(c.volumeMounts, [{ name: "cache", mountPath: "/cache" }]);
    assert.equal(manifestsFor(op, { replicas: 3 }).deployment.spec.replicas, 3);
    const plain = manifestsFor(operator).deployment.spec.template.spec!;
    for (const k of ["tolerations", "nodeSelector", "affinity", "priorityClassName", "imagePullSecrets", "volumes"] as const) assert.equal(plain[k], undefined, `no ${k} unless asked`);
    assert.throws(() => defineOperator({ name: "x", controllers: [], manager: { replicas: -1 } }), /manager\.replicas of x must be a whole number/);
    assert.throws(() => defineOperator({ name: "x", controllers: [], manager: { imagePullSecrets: ["Bad_Name"] } }), /"Bad_Name" is not a Secret name/);
  });

  test("objects in apply order; the metrics Service selects the manager's Pods", () => {
    const m = manifestsFor(operator);
    assert.deepEqual(
      m.objects.map((o) => o.kind),
      ["Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding", "Deployment", "Service"],
    );
    assert.deepEqual(m.metricsService.spec.selector, m.deployment.spec.selector.matchLabels);
    assert.deepEqual(m.metricsService.spec.ports, [{ name: "metrics", port: 8080, protocol: "TCP", targetPort: "metrics" }]);
    assert.equal(m.crds[0]!.metadata.name, "memcacheds.cache.example.com");
  });

  test("YAML is deterministic, round-trips, and has no anchors", () => {
    const a = manifestsYaml(manifestsFor(operator).objects);
    assert.equal(a, manifestsYaml(manifestsFor(operator).objects));
    const docs = parseAllDocuments(a).map((d) => d.toJS() as unknown);
    assert.deepEqual(docs, JSON.parse(JSON.stringify(manifestsFor(operator).objects)));
    assert.doesNotMatch(a, /[&*]a\d/);
  });
});

describe("sampleFor", () => {
  test("builds a valid sample from the schema: required fields at their minimum, optional ones left out", () => {
    const s = sampleFor(Memcached);
    assert.deepEqual(s, { apiVersion: "cache.example.com/v1alpha1", kind: "Memcached", metadata: { name: "memcached-sample" }, spec: { size: 1 } });
    assert.deepEqual(Memcached.validate(s), []);
    assert.equal(sampleFileName(Memcached), "cache.example.com_v1alpha1_memcached.yaml");
  });

  test("uses defaults, examples, enums and bounds", () => {
    const R = defineResource({
      group: "x.example.com",
      version: "v1",
      kind: "Thing",
      scope: "Namespaced",
      spec: Type.Object({
        mode: Type.Union([Type.Literal("fast"), Type.Literal("safe")]),
        replicas: Type.Integer({ default: 2 }),
        ratio: Type.Number({ minimum: 0.5, maximum: 1 }),
        name: Type.String({ minLength: 3 }),
        tags: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
        nested: Type.Object({ on: Type.Boolean() }),
        note: Type.Optional(Type.String({ examples: ["hello"] })),
        skipped: Type.Optional(Type.String()),
      }),
    });
    const s = sampleFor(R);
    assert.deepEqual(s.spec, { mode: "fast", replicas: 2, ratio: 0.5, name: "xxx", tags: ["x"], nested: { on: false } });
    assert.deepEqual(R.validate(s), []);
  });
});
