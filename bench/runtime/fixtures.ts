// Objects of realistic size and shape for the runtime benchmarks: a Pod as a
// Deployment's ReplicaSet creates it and a kubelet reports it, and a
// ConfigMap of a few settings.
import type { ConfigMap, Pod } from "../../packages/operant/src/kinds/index.ts";

const hash = (i: number) => (0x5f3759df ^ (i * 2654435761)) >>> 0;

/** A Pod spec like one a ReplicaSet stamps out (two containers, probes, mounts, a projected token). */
export function realisticPod(namespace: string, i: number): Pod {
  const app = `svc-${i % 50}`;
  const tpl = (hash(i % 50) % 0xffffff).toString(16).padStart(6, "0");
  const name = `${app}-${tpl}-${(hash(i) % 0xfffff).toString(36).padStart(5, "x")}`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      labels: { app, "pod-template-hash": tpl, "app.kubernetes.io/version": "1.8.3", "app.kubernetes.io/part-of": "shop", tier: i % 3 ? "backend" : "frontend" },
      annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "9090", "kubectl.kubernetes.io/restartedAt": "2026-11-20T10:00:00Z" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `${app}-${tpl}`, uid: `6f1c2a3e-${tpl.slice(0, 4)}-4c1d-9e2f-${tpl}${tpl}`, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      serviceAccountName: "default",
      nodeName: `node-${i % 20}`,
      restartPolicy: "Always",
      dnsPolicy: "ClusterFirst",
      terminationGracePeriodSeconds: 30,
      schedulerName: "default-scheduler",
      securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 },
      containers: [
        {
          name: "app",
          image: `registry.example.com/shop/${app}:1.8.3`,
          imagePullPolicy: "IfNotPresent",
          ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }, { name: "metrics", containerPort: 9090, protocol: "TCP" }],
          env: [
            { name: "LOG_LEVEL", value: "info" },
            { name: "HTTP_PORT", value: "8080" },
            { name: "DB_HOST", value: "postgres-primary.shop.svc.cluster.local" },
            { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db-credentials", key: "password" } } },
            { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
          ],
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
          volumeMounts: [
            { name: "config", mountPath: "/etc/app", readOnly: true },
            { name: "tmp", mountPath: "/tmp" },
            { name: "kube-api-access", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
          ],
          livenessProbe: { httpGet: { path: "/healthz", port: 8080, scheme: "HTTP" }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
          readinessProbe: { httpGet: { path: "/ready", port: 8080, scheme: "HTTP" }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
        },
        {
          name: "proxy",
          image: "registry.example.com/infra/envoy:1.31.2",
          imagePullPolicy: "IfNotPresent",
          args: ["--config-path", "/etc/envoy/envoy.yaml", "--log-level", "warn"],
          ports: [{ name: "proxy", containerPort: 15001, protocol: "TCP" }],
          resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
          volumeMounts: [{ name: "kube-api-access", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true }],
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
        },
      ],
      volumes: [
        { name: "config", configMap: { name: `${app}-config`, defaultMode: 420 } },
        { name: "tmp", emptyDir: {} },
        {
          name: "kube-api-access",
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
              { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
            ],
          },
        },
      ],
      tolerations: [
        { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      ],
    },
  };
}

/** A Running, Ready status as a kubelet writes it. */
export function runningStatus(i: number): NonNullable<Pod["status"]> {
  const t = "2026-11-20T10:00:05Z";
  const id = (n: number) => `containerd://${(hash(i * 7 + n).toString(16) + hash(i * 13 + n).toString(16)).padEnd(64, "0").slice(0, 64)}`;
  return {
    phase: "Running",
    hostIP: `10.0.${i % 20}.10`,
    hostIPs: [{ ip: `10.0.${i % 20}.10` }],
    podIP: `10.244.${Math.floor(i / 250) % 250}.${i % 250}`,
    podIPs: [{ ip: `10.244.${Math.floor(i / 250) % 250}.${i % 250}` }],
    qosClass: "Burstable",
    startTime: t,
    conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({ type, status: "True", lastProbeTime: null as unknown as string, lastTransitionTime: t })),
    containerStatuses: [
      { name: "app", image: "registry.example.com/shop/app:1.8.3", imageID: `registry.example.com/shop/app@sha256:${"a1b2c3d4".repeat(8)}`, containerID: id(1), ready: true, started: true, restartCount: 0, state: { running: { startedAt: t } } },
      { name: "proxy", image: "registry.example.com/infra/envoy:1.31.2", imageID: `registry.example.com/infra/envoy@sha256:${"e5f6a7b8".repeat(8)}`, containerID: id(2), ready: true, started: true, restartCount: 0, state: { running: { startedAt: t } } },
    ],
  };
}

/** A ConfigMap of a few application settings (~0.5 KB of data). */
export function realisticConfigMap(namespace: string, i: number): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `settings-${i}`, namespace, labels: { app: `svc-${i % 50}`, "app.kubernetes.io/part-of": "shop" } },
    data: {
      "LOG_LEVEL": "info",
      "FEATURE_FLAGS": "checkout-v2,search-suggestions,new-pricing",
      "CACHE_TTL_SECONDS": String(300 + (i % 60)),
      "app.yaml": `server:\n  port: 8080\n  timeout: 30s\nupstreams:\n  - name: inventory\n    url: http://inventory.shop.svc:8080\n  - name: pricing\n    url: http://pricing.shop.svc:8080\nreplica: ${i}\n`,
    },
  };
}
