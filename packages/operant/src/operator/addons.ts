// The optional parts of a deployment that kubebuilder's config/ scaffolds
// and a project turns on or off as kustomize components (or Helm values): a
// ServiceMonitor for the metrics Service, a NetworkPolicy that lets only
// chosen namespaces reach /metrics, and admin/editor/viewer ClusterRoles per
// custom resource, aggregated to the built-in admin, edit and view roles.
// Names and namespaces are final (`<name>-…` in the operator's namespace);
// config/ holds them without the prefix, which kustomize's namePrefix adds.
import type { OperatorDefinition } from "./operator.ts";
import { METRICS_PORT, storageVersions } from "./manifests.ts";
import { operatorLabels, type RbacRoleManifest } from "./rbac.ts";

/**
 * A ServiceMonitor (monitoring.coreos.com/v1, the Prometheus Operator's) as generated.
 *
 * @example
 * ```ts
 * const monitor: ServiceMonitorManifest = serviceMonitorFor(operator);
 * await writeFile("config/prometheus/monitor.yaml", manifestsYaml([monitor]));
 * ```
 */
export interface ServiceMonitorManifest {
  apiVersion: "monitoring.coreos.com/v1";
  kind: "ServiceMonitor";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { endpoints: { path: string; port: string; scheme: "https"; bearerTokenFile: string; tlsConfig: { insecureSkipVerify: boolean } }[]; selector: { matchLabels: Record<string, string> } };
}

/**
 * A NetworkPolicy as generated.
 *
 * @example
 * ```ts
 * const policy: NetworkPolicyManifest = networkPolicyFor(operator, "memcached-system");
 * ```
 */
export interface NetworkPolicyManifest {
  apiVersion: "networking.k8s.io/v1";
  kind: "NetworkPolicy";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: ["Ingress"];
    ingress: { from: { namespaceSelector: { matchLabels: Record<string, string> } }[]; ports: { port: number; protocol: "TCP" }[] }[];
  };
}

function managerSelector(operator: OperatorDefinition): Record<string, string> {
  return { "app.kubernetes.io/name": operator.name, "control-plane": "controller-manager" };
}

/**
 * A ServiceMonitor that has the Prometheus Operator scrape the manager's
 * metrics Service (port `metrics`, path `/metrics`) over HTTPS with
 * Prometheus' ServiceAccount token (bind that ServiceAccount to the
 * generated `<operator>-metrics-reader` ClusterRole). The manager's
 * certificate is self-signed unless one is mounted (`--metrics-cert-dir`),
 * hence `insecureSkipVerify`, as kubebuilder's scaffold. Needs the
 * Prometheus Operator's CRDs in the cluster.
 *
 * @example
 * ```ts
 * serviceMonitorFor(operator, "memcached-operator-system").metadata.name // "memcached-operator-controller-manager-metrics-monitor"
 * ```
 */
export function serviceMonitorFor(operator: OperatorDefinition, namespace = operator.namespace): ServiceMonitorManifest {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: `${operator.name}-controller-manager-metrics-monitor`, namespace, labels: { ...operatorLabels(operator), "control-plane": "controller-manager" } },
    spec: {
      endpoints: [{ path: "/metrics", port: "metrics", scheme: "https", bearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token", tlsConfig: { insecureSkipVerify: true } }],
      selector: { matchLabels: managerSelector(operator) },
    },
  };
}

/**
 * A NetworkPolicy that admits traffic to the manager's metrics port only
 * from namespaces labelled `metrics: enabled` (label the namespace your
 * Prometheus runs in). Other ingress to the manager's Pods is then denied
 * by clusters that enforce NetworkPolicies.
 *
 * @example
 * ```ts
 * networkPolicyFor(operator).spec.ingress[0].ports // [{ port: 8443, protocol: "TCP" }]
 * ```
 */
export function networkPolicyFor(operator: OperatorDefinition, namespace = operator.namespace): NetworkPolicyManifest {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `${operator.name}-allow-metrics-traffic`, namespace, labels: { ...operatorLabels(operator), "control-plane": "controller-manager" } },
    spec: {
      podSelector: { matchLabels: managerSelector(operator) },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { metrics: "enabled" } } }], ports: [{ port: METRICS_PORT, protocol: "TCP" }] }],
    },
  };
}

const ROLE_KINDS = [
  { role: "admin", aggregateTo: "admin", verbs: ["*"] },
  { role: "editor", aggregateTo: "edit", verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] },
  { role: "viewer", aggregateTo: "view", verbs: ["get", "list", "watch"] },
] as const;

/**
 * Three ClusterRoles per custom resource, for the people who use it, not for
 * the operator: `<name>-<singular>-admin-role` (every verb), `-editor-role`
 * (create, delete, get, list, patch, update, watch) and `-viewer-role` (get,
 * list, watch), each with `get` on the status, labelled to aggregate into
 * the built-in `admin`, `edit` and `view` ClusterRoles.
 *
 * @example
 * ```ts
 * crdRolesFor(operator).map((r) => r.metadata.name) // ["memcached-operator-memcached-admin-role", …]
 * ```
 */
export function crdRolesFor(operator: OperatorDefinition): RbacRoleManifest[] {
  const out: RbacRoleManifest[] = [];
  for (const r of storageVersions(operator)) {
    for (const k of ROLE_KINDS) {
      out.push({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: `${operator.name}-${r.names.singular}-${k.role}-role`, labels: { ...operatorLabels(operator), [`rbac.authorization.k8s.io/aggregate-to-${k.aggregateTo}`]: "true" } },
        rules: [
          { apiGroups: [r.group], resources: [r.names.plural], verbs: [...k.verbs] },
          { apiGroups: [r.group], resources: [`${r.names.plural}/status`], verbs: ["get"] },
        ],
      });
    }
  }
  return out;
}
