// Protobuf reads against the real API server: for varied objects of many
// built-in kinds, a get, a list and a watch in protobuf give exactly the
// objects the same reads in JSON give (deep-equal, managedFields included);
// errors come back as protobuf Status and keep their codes; custom resources
// stay JSON.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client, type WatchEvent, type WatchOptions } from "../../src/client/client.ts";
import { PROTOBUF_MEDIA_TYPE } from "../../src/client/protobuf/envelope.ts";
import { ApiError } from "../../src/client/transport/api-error.ts";
import type { Kind } from "../../src/core/kind.ts";
import type { KubeObject, Stored } from "../../src/core/object.ts";
import {
  ConfigMap, CronJob, Deployment, EndpointSlice, Event, HorizontalPodAutoscaler, Ingress, Job, Lease, NetworkPolicy, Pod, PodDisruptionBudget, Role, RoleBinding, Secret, Service, ServiceAccount, StatefulSet, CoreEvent,
} from "../../src/kinds/index.ts";
import { testCluster, type TestCluster } from "../../src/testing/index.ts";
import { installWidgetCrd, Namespaces, rejection, suffix, uninstallWidgetCrd } from "./cluster-fixtures.ts";

const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString("base64");

function pod(ns: string, name: string, ownerUid: string): Pod {
  return {
    metadata: {
      name,
      namespace: ns,
      labels: { app: "web", "example.com/tier": "front" },
      annotations: { note: "héllo wörld ✓ 日本", empty: "" },
      finalizers: ["example.com/hold"],
      ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: ownerUid, controller: true, blockOwnerDeletion: false }],
    },
    spec: {
      initContainers: [{ name: "init", image: "busybox:1.36", command: ["sh", "-c", "true"] }],
      containers: [
        {
          name: "web",
          image: "nginx:1.27",
          args: ["--port", "8080", ""],
          ports: [
            { name: "http", containerPort: 8080, protocol: "TCP" },
            { containerPort: 9090, hostPort: 0 },
          ],
          env: [
            { name: "PLAIN", value: "v" },
            { name: "EMPTY", value: "" },
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "1m" } } },
            { name: "SECRET", valueFrom: { secretKeyRef: { name: "s", key: "k", optional: true } } },
          ],
          resources: { requests: { cpu: "0.5", memory: "128974848", "example.com/gpu": "1" }, limits: { cpu: "1500m", memory: "1Gi", "example.com/gpu": "1" } },
          livenessProbe: { httpGet: { path: "/healthz", port: "http", httpHeaders: [{ name: "X", value: "" }] }, initialDelaySeconds: 0, periodSeconds: 7, failureThreshold: 1 },
          readinessProbe: { tcpSocket: { port: 8080 }, timeoutSeconds: 2 },
          startupProbe: { exec: { command: ["true"] } },
          lifecycle: { preStop: { sleep: { seconds: 3 } } },
          securityContext: { runAsUser: 0, runAsNonRoot: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"], add: [] }, allowPrivilegeEscalation: false },
          volumeMounts: [{ name: "cfg", mountPath: "/cfg", readOnly: true }, { name: "scratch", mountPath: "/tmp", subPath: "x" }],
          imagePullPolicy: "IfNotPresent",
          stdin: false,
          tty: true,
        },
      ],
      volumes: [
        { name: "cfg", configMap: { name: "owner", items: [{ key: "a", path: "a.txt", mode: 0o400 }], defaultMode: 0o644, optional: false } },
        { name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
        { name: "sec", secret: { secretName: "s" } },
        { name: "proj", projected: { sources: [{ downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } }, { serviceAccountToken: { path: "token", expirationSeconds: 3600, audience: "api" } }] } },
      ],
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [{ key: "k", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }, { operator: "Exists" }],
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a", "b"] }] }] } },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "web" } } } }] },
      },
      hostAliases: [{ ip: "10.0.0.1", hostnames: ["a.local"] }],
      dnsConfig: { nameservers: ["1.1.1.1"], options: [{ name: "ndots", value: "2" }, { name: "edns0" }] },
      terminationGracePeriodSeconds: 5,
      activeDeadlineSeconds: 2_147_483_647,
      securityContext: { fsGroup: 2000, sysctls: [{ name: "net.ipv4.ip_local_port_range", value: "1024 65535" }] },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchExpressions: [{ key: "app", operator: "Exists" }] } }],
      enableServiceLinks: false,
    },
  };
}

function fixtures(ns: string, ownerUid: string): { kind: Kind; obj: KubeObject & Record<string, unknown> }[] {
  const md = (name: string) => ({ name, namespace: ns });
  const template = {
    metadata: { labels: { app: "w" } },
    spec: { containers: [{ name: "c", image: "busybox:1.36", resources: { requests: { cpu: "100m" } } }] },
  };
  const jobTemplate = { ...template, spec: { ...template.spec, restartPolicy: "Never" } };
  return [
    { kind: Pod, obj: pod(ns, "many", ownerUid) },
    { kind: Pod, obj: { metadata: md("bare"), spec: { containers: [{ name: "c", image: "x" }] } } },
    { kind: Secret, obj: { metadata: md("bin"), type: "Opaque", data: { bin: binary, empty: "", text: Buffer.from("plain").toString("base64") } } },
    { kind: Secret, obj: { metadata: md("nodata"), type: "kubernetes.io/tls", data: { "tls.crt": "", "tls.key": "" } } },
    { kind: ConfigMap, obj: { metadata: md("cm"), data: { a: "1", ["__proto__"]: "proto", uni: "∀x∈ℝ 🎉", blank: "" }, binaryData: { raw: binary, none: "" }, immutable: true } },
    { kind: ConfigMap, obj: { metadata: md("cm-empty") } },
    {
      kind: Deployment,
      obj: {
        metadata: md("dep"),
        spec: { replicas: 0, selector: { matchLabels: { app: "w" } }, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } }, revisionHistoryLimit: 0, paused: true, template },
      },
    },
    {
      kind: StatefulSet,
      obj: {
        metadata: md("sts"),
        spec: {
          serviceName: "svc",
          replicas: 0,
          selector: { matchLabels: { app: "w" } },
          template,
          volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
          persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" },
        },
      },
    },
    { kind: Job, obj: { metadata: md("job"), spec: { suspend: true, backoffLimit: 0, completions: 3, parallelism: 2, template: jobTemplate } } },
    { kind: CronJob, obj: { metadata: md("cron"), spec: { schedule: "*/5 * * * *", suspend: true, jobTemplate: { spec: { template: jobTemplate } } } } },
    {
      kind: Lease,
      obj: { metadata: md("lease"), spec: { holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: "2026-01-02T03:04:05.123456Z", renewTime: "2026-01-02T03:04:06.000001Z", leaseTransitions: 0 } },
    },
    { kind: Lease, obj: { metadata: md("lease-empty"), spec: {} } },
    {
      kind: Service,
      obj: {
        metadata: md("svc"),
        spec: {
          selector: { app: "w" },
          ports: [
            { name: "http", port: 80, targetPort: "http" },
            { name: "metrics", port: 9090, targetPort: 9091, protocol: "UDP" },
          ],
          sessionAffinity: "ClientIP",
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
        },
      },
    },
    { kind: ServiceAccount, obj: { metadata: md("sa"), automountServiceAccountToken: false, imagePullSecrets: [{ name: "reg" }] } },
    { kind: Role, obj: { metadata: md("role"), rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }, { apiGroups: ["apps"], resources: ["deployments"], resourceNames: ["x"], verbs: ["*"] }] } },
    { kind: RoleBinding, obj: { metadata: md("rb"), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "role" }, subjects: [{ kind: "ServiceAccount", name: "sa", namespace: ns }] } },
    {
      kind: NetworkPolicy,
      obj: {
        metadata: md("np"),
        spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 80 }, { port: "http", protocol: "TCP" }, { port: 1000, endPort: 2000 }], from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }] },
      },
    },
    {
      kind: HorizontalPodAutoscaler,
      obj: {
        metadata: md("hpa"),
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "dep" },
          minReplicas: 1,
          maxReplicas: 5,
          metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }, { type: "Pods", pods: { metric: { name: "qps" }, target: { type: "AverageValue", averageValue: "1k" } } }],
          behavior: { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] } },
        },
      },
    },
    { kind: PodDisruptionBudget, obj: { metadata: md("pdb"), spec: { minAvailable: "50%", selector: { matchLabels: { app: "w" } } } } },
    {
      kind: Ingress,
      obj: { metadata: md("ing"), spec: { rules: [{ host: "a.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "svc", port: { number: 80 } } } }] } }] } },
    },
    {
      kind: EndpointSlice,
      obj: { metadata: md("eps"), addressType: "IPv4", endpoints: [{ addresses: ["10.0.0.5"], conditions: { ready: true }, nodeName: "n" }], ports: [{ name: "http", port: 80, protocol: "TCP" }] },
    },
    {
      kind: Event,
      obj: { metadata: md("ev"), eventTime: "2026-01-02T03:04:05.654321Z", reportingController: "example.com/c", reportingInstance: "i", action: "Do", reason: "Done", type: "Normal", regarding: { kind: "Pod", name: "many", namespace: ns } },
    },
    { kind: CoreEvent, obj: { metadata: md("coreev"), involvedObject: { kind: "Pod", name: "many", namespace: ns }, reason: "R", message: "m", count: 3, firstTimestamp: "2026-01-02T03:04:05Z", type: "Warning" } },
  ];
}

/** Sorts watch events' objects by kind and name, for comparing two watches. */
function byName(events: WatchEvent<KubeObject>[]): KubeObject[] {
  return events
    .filter((e) => e.type !== "BOOKMARK")
    .map((e) => e.object as KubeObject)
    .sort((a, b) => `${a.metadata?.name}`.localeCompare(`${b.metadata?.name}`));
}

async function initialEvents(client: Client, kind: Kind, ns: string, n: number, options: WatchOptions = {}): Promise<WatchEvent<KubeObject>[]> {
  const ac = new AbortController();
  const out: WatchEvent<KubeObject>[] = [];
  for await (const ev of client.watch(kind, { ...options, namespace: ns, resourceVersion: "0", signal: ac.signal })) {
    if (ev.type !== "BOOKMARK") out.push(ev);
    if (out.length === n) ac.abort();
  }
  return out;
}

/** Fails unless every object and array in `value` is frozen. */
function assertDeepFrozen(value: unknown, what: string, path = "$"): void {
  if (value === null || typeof value !== "object") return;
  assert.ok(Object.isFrozen(value), `${what}: ${path} is not frozen`);
  for (const [k, v] of Object.entries(value)) assertDeepFrozen(v, what, `${path}.${k}`);
}

describe("protobuf reads give the objects JSON reads give", { timeout: 180_000 }, () => {
  let cluster: TestCluster;
  let json: Client;
  let proto: Client;
  let namespaces: Namespaces;
  let ns: string;
  let created: { kind: Kind; obj: Stored<KubeObject> }[] = [];
  before(async () => {
    cluster = await testCluster();
    json = await Client.connect({ kubeconfig: cluster.kubeconfigPath, qps: Infinity, wire: "json" });
    proto = await Client.connect({ kubeconfig: cluster.kubeconfigPath, qps: Infinity });
    namespaces = new Namespaces(json, "proto");
    ns = await namespaces.create();
    const owner = await json.create(ConfigMap, { metadata: { name: "owner", namespace: ns }, data: { a: "1" } });
    created = [];
    for (const f of fixtures(ns, owner.metadata.uid)) created.push({ kind: f.kind, obj: await json.create(f.kind, f.obj) });
    // A Pod being deleted (held by its finalizer): deletionTimestamp and deletionGracePeriodSeconds.
    await json.delete(Pod, { namespace: ns, name: "many" });
    // A status written by a second manager: more managedFields, conditions with times.
    await json.patch(Deployment, { namespace: ns, name: "dep" }, { status: { observedGeneration: 1, conditions: [{ type: "Available", status: "False", lastUpdateTime: "2026-01-02T03:04:05Z", reason: "r", message: "" }] } }, { subresource: "status" });
  });
  after(async () => {
    await json.patch(Pod, { namespace: ns, name: "many" }, { metadata: { finalizers: null } }).catch(() => {});
    await namespaces.cleanup();
    await json.close();
    await proto.close();
    await cluster.close();
  });

  test("the API server answers these reads in protobuf (so the comparisons below compare two formats)", async () => {
    for (const kind of new Set(created.map((c) => c.kind))) {
      const path = kind.group ? `/apis/${kind.group}/${kind.version}/namespaces/${ns}/${kind.plural}` : `/api/v1/namespaces/${ns}/${kind.plural}`;
      const res = await proto.transport.requestBytes({ method: "GET", path, accept: `${PROTOBUF_MEDIA_TYPE}, application/json` });
      assert.ok(res.contentType.startsWith(PROTOBUF_MEDIA_TYPE), `${kind.kind}: ${res.contentType}`);
    }
  });

  test("get: every object deep-equals its JSON read", async () => {
    for (const { kind, obj } of created) {
      const ref = { namespace: ns, name: obj.metadata.name };
      const [a, b] = await Promise.all([json.get(kind, ref), proto.get(kind, ref)]);
      assert.deepStrictEqual(b, a, `${kind.kind} ${obj.metadata.name}`);
    }
    const many = await proto.get(Pod, { namespace: ns, name: "many" });
    assert.ok(many.metadata.deletionTimestamp, "the Pod being deleted has a deletionTimestamp");
    const lease = await proto.get(Lease, { namespace: ns, name: "lease" });
    assert.equal(lease.spec?.acquireTime, "2026-01-02T03:04:05.123456Z");
    const secret = await proto.get(Secret, { namespace: ns, name: "bin" });
    assert.equal(secret.data?.bin, binary);
    const cm = await proto.get(ConfigMap, { namespace: ns, name: "cm" });
    assert.ok(Object.hasOwn(cm.data ?? {}, "__proto__"), "a __proto__ key is an own property, as JSON.parse makes it");
    assert.equal(Object.getPrototypeOf(cm.data), Object.prototype);
  });

  test("list (paged, limit 2) and watch from resourceVersion 0: the same objects as JSON", async () => {
    for (const kind of new Set(created.map((c) => c.kind))) {
      const [a, b] = await Promise.all([json.list(kind, { namespace: ns, limit: 2 }), proto.list(kind, { namespace: ns, limit: 2 })]);
      assert.deepStrictEqual(b.items, a.items, `list ${kind.kind}`);
      const n = a.items.length;
      const [wa, wb] = await Promise.all([initialEvents(json, kind, ns, n), initialEvents(proto, kind, ns, n)]);
      assert.deepStrictEqual(byName(wb), byName(wa), `watch ${kind.kind}`);
    }
  });

  test("cacheForm: lists and watches decode straight into frozen objects with repeated strings interned, equal to the JSON reads", async () => {
    const interned = new Set<string>();
    const cacheForm = { intern: (s: string) => (interned.add(s), s) };
    const plain = { withoutManagedFields: true } as const;
    for (const kind of new Set(created.map((c) => c.kind))) {
      const [a, b] = await Promise.all([json.list(kind, { namespace: ns, ...plain }), proto.list(kind, { namespace: ns, ...plain, cacheForm })]);
      assert.deepStrictEqual(b.items, a.items, `list ${kind.kind}`);
      for (const item of b.items) {
        assertDeepFrozen(item, `list ${kind.kind} ${item.metadata.name}`);
        // A list's items start with their apiVersion and kind, as a watch's objects do.
        assert.deepEqual(Object.keys(item).slice(0, 2), ["apiVersion", "kind"], `list ${kind.kind}`);
      }
      const n = a.items.length;
      const [wa, wb] = await Promise.all([initialEvents(json, kind, ns, n, plain), initialEvents(proto, kind, ns, n, { ...plain, cacheForm })]);
      assert.deepStrictEqual(byName(wb), byName(wa), `watch ${kind.kind}`);
      for (const e of wb) assertDeepFrozen(e.object, `watch ${kind.kind}`);
    }
    for (const repeated of ["nginx:1.27", "IfNotPresent", "web", "example.com/hold", "kubernetes.io/hostname", "1500m"]) assert.ok(interned.has(repeated), `${repeated} was interned`);
    // Nearly unique per object: not worth a place in the pool.
    // (Uids only of Pods: a Job's uid is also the value of its selector's label, which repeats.)
    for (const { kind, obj } of created) for (const unique of kind === Pod ? [obj.metadata.uid, obj.metadata.resourceVersion] : [obj.metadata.resourceVersion]) assert.ok(!interned.has(unique), `${kind.kind} ${obj.metadata.name}: ${unique} was not interned`);
  });

  test("a live watch: ADDED, MODIFIED, DELETED and bookmarks as JSON has them", async () => {
    const name = `live-${suffix()}`;
    const start = (await json.list(Secret, { namespace: ns })).metadata.resourceVersion;
    const collect = async (client: Client) => {
      const ac = new AbortController();
      const out: WatchEvent<Secret>[] = [];
      for await (const ev of client.watch(Secret, { namespace: ns, resourceVersion: start, signal: ac.signal, fieldSelector: `metadata.name=${name}` })) {
        if (ev.type === "BOOKMARK") continue;
        out.push(ev);
        if (ev.type === "DELETED") ac.abort();
      }
      return out;
    };
    const both = Promise.all([collect(json), collect(proto)]);
    await json.create(Secret, { metadata: { name, namespace: ns }, data: { k: binary } });
    await json.patch(Secret, { namespace: ns, name }, { data: { k: null, j: "AA==" } });
    await json.delete(Secret, { namespace: ns, name });
    const [a, b] = await both;
    assert.deepEqual(
      a.map((e) => e.type),
      ["ADDED", "MODIFIED", "DELETED"],
    );
    assert.deepStrictEqual(b, a);
  });

  test("errors come as protobuf Status and keep their codes and messages (410 in a watch: test/runtime/informer.test.ts)", async () => {
    const err = await rejection(proto.get(ConfigMap, { namespace: ns, name: "missing" }));
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, "NotFound");
    assert.match(err.message, /"missing" not found/);
    const listErr = await rejection(proto.list(Pod, { namespace: ns, labelSelector: "a in (" }));
    assert.ok(listErr instanceof ApiError && listErr.code === "BadRequest", String(listErr));
  });

  test("maxWatchEventBytes caps protobuf frames: a larger event ends the watch with WatchEventTooLarge", async () => {
    const small = await Client.connect({ kubeconfig: cluster.kubeconfigPath, qps: Infinity, maxWatchEventBytes: 4096 });
    try {
      const name = `big-${suffix()}`;
      await json.create(ConfigMap, { metadata: { name, namespace: ns }, data: { big: "x".repeat(8192) } });
      const err = await rejection(
        (async () => {
          for await (const _ of small.watch(ConfigMap, { namespace: ns, resourceVersion: "0", fieldSelector: `metadata.name=${name}` })) void _;
        })(),
      );
      assert.ok(err instanceof Error && "code" in err && err.code === "WatchEventTooLarge", String(err));
      assert.match(err.message, /over the limit of 4096 bytes/);
    } finally {
      await small.close();
    }
  });

  test("custom resources stay JSON; wire: json reads built-in kinds as JSON", async () => {
    const group = `proto-${suffix()}.example.com`;
    const Widget = await installWidgetCrd(json, group);
    try {
      await proto.create(Widget, { metadata: { name: "w", namespace: ns }, spec: { size: 1 } });
      const [a, b] = await Promise.all([json.get(Widget, { namespace: ns, name: "w" }), proto.get(Widget, { namespace: ns, name: "w" })]);
      assert.deepStrictEqual(b, a);
      assert.equal((await proto.list(Widget, { namespace: ns })).items.length, 1);
    } finally {
      await uninstallWidgetCrd(json, group);
    }
    assert.equal(json.wire, "json");
    assert.equal(proto.wire, "protobuf");
  });
});
