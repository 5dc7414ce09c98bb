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
import type { ContainerResources, ManagerOptions, OperatorDefinition } from "./operator.ts";
import { operatorLabels, rbacFor, type OperatorRbac } from "./rbac.ts";
import { sampleFor, type SampleObject } from "./samples.ts";
import { hasWebhooks, WEBHOOK_PORT, webhookManifestsFor, type WebhookManifests } from "./webhooks.ts";

export type { ContainerResources } from "./operator.ts";

/**
 * Options of {@link manifestsFor}.
 *
 * @example
 * ```ts
 * const m = manifestsFor(operator, { image: "ghcr.io/example/memcached-operator:0.1.0", namespace: "memcached-system", replicas: 2 } satisfies ManifestOptions);
 * ```
 */
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
  /** Manager replicas (default: the operator's `manager.replicas`, else 1; more only make sense with leader election). */
  replicas?: number;
  /** Pass `--leader-elect` to the manager (default true: safe during rolling updates). */
  leaderElection?: boolean;
  /** Default: the operator's `manager.resources`, else {@link DEFAULT_MANAGER_RESOURCES}. */
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

/**
 * The manager Deployment as generated (apiVersion/kind/metadata/spec always set).
 *
 * @example
 * ```ts
 * const deployment: DeploymentManifest = manifestsFor(operator, { image }).deployment;
 * console.log(deployment.spec.template.spec?.containers[0]?.image);
 * ```
 */
export type DeploymentManifest = Deployment & { apiVersion: "apps/v1"; kind: "Deployment"; metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: NonNullable<Deployment["spec"]> };

/**
 * Everything {@link manifestsFor} returns.
 *
 * @example
 * ```ts
 * const m: OperatorManifests = manifestsFor(operator, { image });
 * await writeFile("install.yaml", manifestsYaml(m.objects));
 * ```
 */
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

/**
 * Port of `/metrics` in the manager container: HTTPS, each request's token checked (TokenReview, SubjectAccessReview), as kubebuilder's scaffold.
 *
 * @example
 * ```ts
 * const metrics = { name: "https", port: METRICS_PORT, targetPort: "https" }; // the manager's --metrics-bind-address :8443
 * ```
 */
export const METRICS_PORT = 8443;
/**
 * Port of `/healthz` and `/readyz` in the manager container.
 *
 * @example
 * ```ts
 * const probe = { httpGet: { path: "/healthz", port: HEALTH_PORT } }; // the manager's --health-probe-bind-address :8081
 * ```
 */
export const HEALTH_PORT = 8081;

/**
 * The manager container's requests and limits unless the operator or the
 * user says otherwise. From measurements (bench/RESULTS.md, 2-core AMD EPYC,
 * Node.js 24): an idle manager with one controller is 94.3 MB resident when
 * operant runs from dist/ and 114.2 MB from TypeScript source, so the memory
 * request is 128Mi (134 MB); syncing 10,000 Pods peaks at 313.8 MB and
 * 10,000 ConfigMaps at 155.2 MB, so the limit is 512Mi, headroom above a
 * large cache before the OOM killer steps in. An idle manager uses next to
 * no CPU (10m); 500m caps a burst of reconciles on a shared node.
 *
 * @example
 * ```ts
 * DEFAULT_MANAGER_RESOURCES.requests.memory // "128Mi"
 * ```
 */
export const DEFAULT_MANAGER_RESOURCES = Object.freeze({ requests: Object.freeze({ cpu: "10m", memory: "128Mi" }), limits: Object.freeze({ cpu: "500m", memory: "512Mi" }) });

/**
 * Where the manager learns which namespaces to watch: a literal list, a Pod
 * annotation (OLM's `olm.targetNamespaces`), or its own namespace (a
 * `Namespaced` operator watching where it runs, wherever kustomize puts it).
 *
 * @example
 * ```ts
 * const own: WatchNamespaceSource = { ownNamespace: true };            // WATCH_NAMESPACE from the Pod's namespace
 * const olm: WatchNamespaceSource = { annotation: "olm.targetNamespaces" }; // as OLM sets it
 * ```
 */
export type WatchNamespaceSource = { readonly value: string } | { readonly annotation: string } | { readonly ownNamespace: true };

/** The manager container's resources: explicit, else the operator's, else {@link DEFAULT_MANAGER_RESOURCES}. */
function resourcesOf(operator: OperatorDefinition, options: ManifestOptions): ContainerResources {
  const res = options.resources ?? operator.manager?.resources ?? DEFAULT_MANAGER_RESOURCES;
  return { ...(res.requests && { requests: { ...res.requests } }), ...(res.limits && { limits: { ...res.limits } }) };
}

/**
 * The manager Deployment's spec: one container `manager` running the
 * image's entrypoint (`node src/main.ts`) with `--leader-elect` and the probe
 * and metrics addresses, POD_NAME/POD_NAMESPACE from the downward API,
 * WATCH_NAMESPACE, a non-root read-only security context, probes on
 * `:8081/healthz` and `/readyz`, resource requests and limits, and the
 * operator's `manager` options (scheduling, pull secrets, extra env and volumes).
 *
 * @example
 * ```ts
 * const spec = managerDeploymentSpec(operator, { image: "quay.io/me/memcached-operator:v0.1.0" }, { value: "" });
 * ```
 */
export function managerDeploymentSpec(operator: OperatorDefinition, options: ManifestOptions, watch: WatchNamespaceSource, serviceAccountName = serviceAccountNameOf(operator)): DeploymentManifest["spec"] {
  const m: Readonly<ManagerOptions> = operator.manager ?? {}; // absent in definitions made by an older defineOperator
  const replicas = options.replicas ?? m.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 0) throw new OperantError("InvalidArgument", `replicas must be a whole number ≥ 0 (got ${replicas}).`);
  const selector = { "app.kubernetes.io/name": operator.name, "control-plane": "controller-manager" };
  const watchEnv =
    "value" in watch
      ? { name: "WATCH_NAMESPACE", value: watch.value }
      : { name: "WATCH_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "annotation" in watch ? `metadata.annotations['${watch.annotation}']` : "metadata.namespace" } } };
  return {
    replicas,
    selector: { matchLabels: { ...selector } },
    template: {
      metadata: { labels: { ...selector }, annotations: { "kubectl.kubernetes.io/default-container": "manager" } },
      spec: {
        serviceAccountName,
        terminationGracePeriodSeconds: 40,
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        ...(m.priorityClassName !== undefined && { priorityClassName: m.priorityClassName }),
        ...(m.imagePullSecrets && m.imagePullSecrets.length > 0 && { imagePullSecrets: m.imagePullSecrets.map((name) => ({ name })) }),
        ...(m.nodeSelector && Object.keys(m.nodeSelector).length > 0 && { nodeSelector: { ...m.nodeSelector } }),
        ...(m.tolerations && m.tolerations.length > 0 && { tolerations: structuredClone(m.tolerations) }),
        ...(m.affinity && { affinity: structuredClone(m.affinity) }),
        containers: [
          {
            name: "manager",
            image: options.image ?? operator.image,
            args: [...((options.leaderElection ?? true) ? ["--leader-elect"] : []), `--health-probe-bind-address=:${HEALTH_PORT}`, `--metrics-bind-address=:${METRICS_PORT}`, ...(hasWebhooks(operator) ? [`--webhook-bind-address=:${WEBHOOK_PORT}`] : [])],
            env: [
              { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
              { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
              watchEnv,
              ...structuredClone(m.env ?? []),
            ],
            ports: [
              { name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" },
              { name: "health", containerPort: HEALTH_PORT, protocol: "TCP" },
              ...(hasWebhooks(operator) ? [{ name: "webhook", containerPort: WEBHOOK_PORT, protocol: "TCP" }] : []),
            ],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            livenessProbe: { httpGet: { path: "/healthz", port: HEALTH_PORT }, initialDelaySeconds: 15, periodSeconds: 20 },
            readinessProbe: { httpGet: { path: "/readyz", port: HEALTH_PORT }, initialDelaySeconds: 5, periodSeconds: 10 },
            resources: resourcesOf(operator, options),
            ...(m.volumeMounts && m.volumeMounts.length > 0 && { volumeMounts: structuredClone(m.volumeMounts) }),
          },
        ],
        ...(m.volumes && m.volumes.length > 0 && { volumes: structuredClone(m.volumes) }),
      },
    },
  };
}

/**
 * The manager's ServiceAccount: `<name>-controller-manager` (kubebuilder's
 * `controller-manager` behind the project's name prefix).
 *
 * @example
 * ```ts
 * serviceAccountNameOf(operator) // "memcached-operator-controller-manager"
 * ```
 */
export function serviceAccountNameOf(operator: Pick<OperatorDefinition, "name">): string {
  return `${operator.name}-controller-manager`;
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

/** A Namespaced operator watching only its own namespace reads it from the downward API, so a kustomize `namespace:` moves it along. */
function watchSource(operator: OperatorDefinition, options: ManifestOptions, watch: readonly string[]): WatchNamespaceSource {
  const own = options.namespace ?? operator.namespace;
  if (operator.scope === "Namespaced" && watch.length === 1 && watch[0] === own) return { ownNamespace: true };
  return { value: watch.join(",") };
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
    spec: managerDeploymentSpec(operator, options, watchSource(operator, options, watch)),
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
