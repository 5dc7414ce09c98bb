// Everything an operator needs in a cluster, as plain objects: its
// Namespace, ServiceAccount and RBAC, the manager Deployment, a Service for
// its metrics, its CRDs and sample objects. `operant generate` writes them
// to config/; `operant bundle` puts the same Deployment and RBAC into a
// ClusterServiceVersion. Deterministic: same operator and options, same
// objects, same order, same YAML.
import { stringify } from "yaml";
import { OperantError } from "../core/errors.ts";
import type { KubeObject } from "../core/object.ts";
import { crdManifests, type CustomResourceDefinitionManifest } from "../crd/manifest/manifest.ts";
import type { Deployment } from "../kinds/index.ts";
import type { OperatorDefinition } from "./operator.ts";
import { operatorLabels, rbacFor, type OperatorRbac } from "./rbac.ts";
import { sampleFor, type SampleObject } from "./samples.ts";
import { hasWebhooks, WEBHOOK_PORT, webhookManifestsFor, type WebhookManifests } from "./webhooks.ts";

/** CPU and memory of the manager container. */
export interface ContainerResources {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

/** Options of {@link manifestsFor}. */
export interface ManifestOptions {
  /** Manager image (default: the operator's `image`). */
  image?: string;
  /** Namespace the operator runs in (default: the operator's `namespace`). */
  namespace?: string;
  /**
   * Namespaces to watch, passed as `WATCH_NAMESPACE`. Default: all namespaces
   * for a `Cluster` operator, the operator's namespace for a `Namespaced` one.
   */
  watchNamespaces?: readonly string[];
  /** Manager replicas (default 1; more only make sense with leader election). */
  replicas?: number;
  /** Pass `--leader-elect` to the manager (default true: safe during rolling updates). */
  leaderElection?: boolean;
  /** Default: requests 10m CPU / 64Mi, limits 500m CPU / 256Mi. */
  resources?: ContainerResources;
}

/** A Namespace as generated. */
export interface NamespaceManifest {
  apiVersion: "v1";
  kind: "Namespace";
  metadata: { name: string; labels: Record<string, string> };
}

/** The metrics Service as generated. */
export interface ServiceManifest {
  apiVersion: "v1";
  kind: "Service";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { selector: Record<string, string>; ports: { name: string; port: number; protocol: "TCP"; targetPort: string }[] };
}

/** The manager Deployment as generated (apiVersion/kind/metadata/spec always set). */
export type DeploymentManifest = Deployment & { apiVersion: "apps/v1"; kind: "Deployment"; metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: NonNullable<Deployment["spec"]> };

/** Everything {@link manifestsFor} returns. */
export interface OperatorManifests {
  readonly namespace: NamespaceManifest;
  readonly rbac: OperatorRbac;
  readonly deployment: DeploymentManifest;
  readonly metricsService: ServiceManifest;
  /** The webhook Service, configurations and cert-manager objects, when the operator has webhooks or conversions. */
  readonly webhooks: WebhookManifests | undefined;
  readonly crds: readonly CustomResourceDefinitionManifest[];
  /** One sample object per resource (storage version), built from its schema. Not part of {@link objects}. */
  readonly samples: readonly SampleObject[];
  /** What a deployment applies, in order: Namespace, CRDs, ServiceAccount, roles, bindings, Deployment, Service. */
  readonly objects: readonly KubeObject[];
}

/** Port of `/metrics` (and the status page) in the manager container. */
export const METRICS_PORT = 8080;
/** Port of `/healthz` and `/readyz` in the manager container. */
export const HEALTH_PORT = 8081;

const DEFAULT_RESOURCES: Required<ContainerResources> = { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } };

/** Where the manager learns which namespaces to watch: a literal list, or a Pod annotation (OLM's `olm.targetNamespaces`). */
export type WatchNamespaceSource = { readonly value: string } | { readonly annotation: string };

/**
 * The manager Deployment's spec: one container `manager` running the
 * image's entrypoint (`node src/main.ts`) with `--leader-elect` and the probe
 * and metrics addresses, POD_NAME/POD_NAMESPACE from the downward API,
 * WATCH_NAMESPACE, a non-root read-only security context, probes on
 * `:8081/healthz` and `/readyz`, and resource requests and limits.
 *
 * @example
 * ```ts
 * const spec = managerDeploymentSpec(operator, { image: "quay.io/me/memcached-operator:v0.1.0" }, { value: "" });
 * ```
 */
export function managerDeploymentSpec(operator: OperatorDefinition, options: ManifestOptions, watch: WatchNamespaceSource): DeploymentManifest["spec"] {
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 0) throw new OperantError("InvalidArgument", `replicas must be a whole number ≥ 0 (got ${replicas}).`);
  const selector = { "app.kubernetes.io/name": operator.name, "control-plane": "controller-manager" };
  const res = options.resources ?? DEFAULT_RESOURCES;
  return {
    replicas,
    selector: { matchLabels: { ...selector } },
    template: {
      metadata: { labels: { ...selector }, annotations: { "kubectl.kubernetes.io/default-container": "manager" } },
      spec: {
        serviceAccountName: operator.name,
        terminationGracePeriodSeconds: 40,
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "manager",
            image: options.image ?? operator.image,
            args: [...((options.leaderElection ?? true) ? ["--leader-elect"] : []), `--health-probe-bind-address=:${HEALTH_PORT}`, `--metrics-bind-address=:${METRICS_PORT}`, ...(hasWebhooks(operator) ? [`--webhook-bind-address=:${WEBHOOK_PORT}`] : [])],
            env: [
              { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
              { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
              "value" in watch ? { name: "WATCH_NAMESPACE", value: watch.value } : { name: "WATCH_NAMESPACE", valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${watch.annotation}']` } } },
            ],
            ports: [
              { name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" },
              { name: "health", containerPort: HEALTH_PORT, protocol: "TCP" },
              ...(hasWebhooks(operator) ? [{ name: "webhook", containerPort: WEBHOOK_PORT, protocol: "TCP" }] : []),
            ],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            livenessProbe: { httpGet: { path: "/healthz", port: HEALTH_PORT }, initialDelaySeconds: 15, periodSeconds: 20 },
            readinessProbe: { httpGet: { path: "/readyz", port: HEALTH_PORT }, initialDelaySeconds: 5, periodSeconds: 10 },
            resources: { ...(res.requests && { requests: { ...res.requests } }), ...(res.limits && { limits: { ...res.limits } }) },
          },
        ],
      },
    },
  };
}

/**
 * The watch namespaces an operator gets by default and after options:
 * `[]` (all) for a `Cluster` operator, its own namespace for a `Namespaced` one.
 *
 * @example
 * ```ts
 * watchNamespacesFor(operator, {}) // [] for a Cluster-scoped operator
 * ```
 */
export function watchNamespacesFor(operator: OperatorDefinition, options: Pick<ManifestOptions, "watchNamespaces" | "namespace">): string[] {
  if (options.watchNamespaces && options.watchNamespaces.length > 0) return [...new Set(options.watchNamespaces)].sort();
  return operator.scope === "Cluster" ? [] : [options.namespace ?? operator.namespace];
}

/**
 * Every object an operator needs in a cluster (see {@link OperatorManifests}).
 * RBAC comes from {@link rbacFor}, CRDs from `crdManifests`, samples from
 * `sampleFor`.
 *
 * @throws OperantError `InvalidName`, `InvalidArgument`, and the CRD errors of `crdManifests`
 * @example
 * ```ts
 * const m = manifestsFor(operator, { image: "quay.io/me/memcached-operator:v0.1.0" });
 * process.stdout.write(manifestsYaml(m.objects));
 * ```
 */
export function manifestsFor(operator: OperatorDefinition, options: ManifestOptions = {}): OperatorManifests {
  const namespace = options.namespace ?? operator.namespace;
  const watch = watchNamespacesFor(operator, options);
  const rbac = rbacFor(operator, { namespace, watchNamespaces: watch });
  const labels = operatorLabels(operator);
  const ns: NamespaceManifest = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { ...labels, "control-plane": "controller-manager" } } };
  const deployment: DeploymentManifest = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `${operator.name}-controller-manager`, namespace, labels: { ...labels, "control-plane": "controller-manager" } },
    spec: managerDeploymentSpec(operator, options, { value: watch.join(",") }),
  };
  const service: ServiceManifest = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${operator.name}-metrics`, namespace, labels: { ...labels, "control-plane": "controller-manager" } },
    spec: { selector: { "app.kubernetes.io/name": operator.name, "control-plane": "controller-manager" }, ports: [{ name: "metrics", port: METRICS_PORT, protocol: "TCP", targetPort: "metrics" }] },
  };
  const webhooks = hasWebhooks(operator) ? webhookManifestsFor(operator, { namespace, labels: { ...labels, "control-plane": "controller-manager" } }) : undefined;
  const crds = (operator.resources.length > 0 ? crdManifests(...operator.resources) : []).map((c) => webhooks?.withConversion(c) ?? c);
  const webhookObjects = webhooks ? [webhooks.service, ...(webhooks.validating ? [webhooks.validating] : []), ...(webhooks.mutating ? [webhooks.mutating] : [])] : [];
  const samples = storageVersions(operator).map(sampleFor);
  return Object.freeze({
    namespace: ns,
    rbac,
    deployment,
    metricsService: service,
    crds,
    samples,
    webhooks,
    objects: [ns, ...crds, ...rbac.manifests, deployment, service, ...webhookObjects],
  });
}

/**
 * One definition per resource of the operator: its storage version (else its
 * highest-priority version), sorted by group and kind.
 *
 * @example
 * ```ts
 * storageVersions(operator).map((r) => r.apiVersion) // ["cache.example.com/v1alpha1"]
 * ```
 */
export function storageVersions(operator: OperatorDefinition): OperatorDefinition["resources"] {
  const seen = new Set<string>();
  const out: OperatorDefinition["resources"][number][] = [];
  for (const r of operator.resources) {
    const key = `${r.kind}.${r.group}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r.versions.find((v) => v.storage === true) ?? r.versions[0] ?? r);
  }
  return out.sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`));
}

/**
 * Objects as one YAML stream (`---` between documents), deterministic: keys
 * keep their order, long strings are not folded, no anchors.
 *
 * @example
 * ```ts
 * await writeFile("config/rbac/role.yaml", manifestsYaml(rbacFor(operator).clusterRoles));
 * ```
 */
export function manifestsYaml(objects: readonly unknown[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n");
}
