// Kubernetes' built-in kinds, each a value (the Kind, for API calls and
// controller wiring) and a type of the same name (its objects as JSON). The
// object types come from @kubernetes/client-node's generated models, with
// their Date fields turned into the RFC 3339 strings the API actually sends.
// Type-only imports: nothing of client-node is loaded at run time.
import type {
  CoreV1Event, EventsV1Event, V1ClusterRole, V1ClusterRoleBinding, V1ConfigMap, V1CronJob, V1CustomResourceDefinition, V1DaemonSet, V1Deployment, V1EndpointSlice, V1Endpoints, V1Ingress, V1Job, V1Lease, V1Namespace, V1NetworkPolicy, V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1PodDisruptionBudget, V1ReplicaSet, V1Role, V1RoleBinding, V1Secret, V1Service, V1ServiceAccount, V1StatefulSet, V1StorageClass, V2HorizontalPodAutoscaler, V1ValidatingWebhookConfiguration, V1MutatingWebhookConfiguration,
} from "@kubernetes/client-node";
import { defineKind, type Kind } from "../core/kind.ts";
import type { Wire } from "../core/object.ts";

/**
 * Namespaced `v1` Pod.
 *
 * @example
 * ```ts
 * const x: Pod = await client.get(Pod, { namespace: "default", name: "example" });
 * ```
 */
export type Pod = Wire<V1Pod>;
/**
 * The Pod kind, for the client, the cache and controllers (`Controller.for(Pod)`, `.owns(Pod)`).
 *
 * @example
 * ```ts
 * const all = await client.list(Pod);
 * ```
 */
export const Pod: Kind<Pod> = defineKind<Pod>({ group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true });

/**
 * Namespaced `v1` ConfigMap.
 *
 * @example
 * ```ts
 * const x: ConfigMap = await client.get(ConfigMap, { namespace: "default", name: "example" });
 * ```
 */
export type ConfigMap = Wire<V1ConfigMap>;
/**
 * The ConfigMap kind, for the client, the cache and controllers (`Controller.for(ConfigMap)`, `.owns(ConfigMap)`).
 *
 * @example
 * ```ts
 * const all = await client.list(ConfigMap);
 * ```
 */
export const ConfigMap: Kind<ConfigMap> = defineKind<ConfigMap>({ group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true });

/**
 * Namespaced `v1` Secret.
 *
 * @example
 * ```ts
 * const x: Secret = await client.get(Secret, { namespace: "default", name: "example" });
 * ```
 */
export type Secret = Wire<V1Secret>;
/**
 * The Secret kind, for the client, the cache and controllers (`Controller.for(Secret)`, `.owns(Secret)`).
 *
 * @example
 * ```ts
 * const all = await client.list(Secret);
 * ```
 */
export const Secret: Kind<Secret> = defineKind<Secret>({ group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true });

/**
 * Namespaced `v1` Service.
 *
 * @example
 * ```ts
 * const x: Service = await client.get(Service, { namespace: "default", name: "example" });
 * ```
 */
export type Service = Wire<V1Service>;
/**
 * The Service kind, for the client, the cache and controllers (`Controller.for(Service)`, `.owns(Service)`).
 *
 * @example
 * ```ts
 * const all = await client.list(Service);
 * ```
 */
export const Service: Kind<Service> = defineKind<Service>({ group: "", version: "v1", kind: "Service", plural: "services", namespaced: true });

/**
 * Namespaced `v1` ServiceAccount.
 *
 * @example
 * ```ts
 * const x: ServiceAccount = await client.get(ServiceAccount, { namespace: "default", name: "example" });
 * ```
 */
export type ServiceAccount = Wire<V1ServiceAccount>;
/**
 * The ServiceAccount kind, for the client, the cache and controllers (`Controller.for(ServiceAccount)`, `.owns(ServiceAccount)`).
 *
 * @example
 * ```ts
 * const all = await client.list(ServiceAccount);
 * ```
 */
export const ServiceAccount: Kind<ServiceAccount> = defineKind<ServiceAccount>({ group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true });

/**
 * Cluster-scoped `v1` Namespace.
 *
 * @example
 * ```ts
 * const x: Namespace = await client.get(Namespace, { name: "example" });
 * ```
 */
export type Namespace = Wire<V1Namespace>;
/**
 * The Namespace kind, for the client, the cache and controllers (`Controller.for(Namespace)`, `.owns(Namespace)`).
 *
 * @example
 * ```ts
 * const all = await client.list(Namespace);
 * ```
 */
export const Namespace: Kind<Namespace> = defineKind<Namespace>({ group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false });

/**
 * Cluster-scoped `v1` Node.
 *
 * @example
 * ```ts
 * const x: Node = await client.get(Node, { name: "example" });
 * ```
 */
export type Node = Wire<V1Node>;
/**
 * The Node kind, for the client, the cache and controllers (`Controller.for(Node)`, `.owns(Node)`).
 *
 * @example
 * ```ts
 * const all = await client.list(Node);
 * ```
 */
export const Node: Kind<Node> = defineKind<Node>({ group: "", version: "v1", kind: "Node", plural: "nodes", namespaced: false });

/**
 * Namespaced `v1` PersistentVolumeClaim.
 *
 * @example
 * ```ts
 * const x: PersistentVolumeClaim = await client.get(PersistentVolumeClaim, { namespace: "default", name: "example" });
 * ```
 */
export type PersistentVolumeClaim = Wire<V1PersistentVolumeClaim>;
/**
 * The PersistentVolumeClaim kind, for the client, the cache and controllers (`Controller.for(PersistentVolumeClaim)`, `.owns(PersistentVolumeClaim)`).
 *
 * @example
 * ```ts
 * const all = await client.list(PersistentVolumeClaim);
 * ```
 */
export const PersistentVolumeClaim: Kind<PersistentVolumeClaim> = defineKind<PersistentVolumeClaim>({ group: "", version: "v1", kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims", namespaced: true });

/**
 * Namespaced `v1` Endpoints.
 *
 * @example
 * ```ts
 * const x: Endpoints = await client.get(Endpoints, { namespace: "default", name: "example" });
 * ```
 */
export type Endpoints = Wire<V1Endpoints>;
/**
 * The Endpoints kind, for the client, the cache and controllers (`Controller.for(Endpoints)`, `.owns(Endpoints)`).
 *
 * @example
 * ```ts
 * const all = await client.list(Endpoints);
 * ```
 */
export const Endpoints: Kind<Endpoints> = defineKind<Endpoints>({ group: "", version: "v1", kind: "Endpoints", plural: "endpoints", namespaced: true });

/**
 * The core/v1 Event (what `kubectl get events` shows by default); prefer {@link Event} (events.k8s.io/v1) for writing.
 *
 * @example
 * ```ts
 * const x: CoreEvent = await client.get(CoreEvent, { namespace: "default", name: "example" });
 * ```
 */
export type CoreEvent = Wire<CoreV1Event>;
/**
 * The CoreEvent kind, for the client, the cache and controllers (`Controller.for(CoreEvent)`, `.owns(CoreEvent)`).
 *
 * @example
 * ```ts
 * const all = await client.list(CoreEvent);
 * ```
 */
export const CoreEvent: Kind<CoreEvent> = defineKind<CoreEvent>({ group: "", version: "v1", kind: "Event", plural: "events", namespaced: true });

/**
 * Namespaced `apps/v1` Deployment.
 *
 * @example
 * ```ts
 * const x: Deployment = await client.get(Deployment, { namespace: "default", name: "example" });
 * ```
 */
export type Deployment = Wire<V1Deployment>;
/**
 * The Deployment kind, for the client, the cache and controllers (`Controller.for(Deployment)`, `.owns(Deployment)`).
 *
 * @example
 * ```ts
 * const all = await client.list(Deployment);
 * ```
 */
export const Deployment: Kind<Deployment> = defineKind<Deployment>({ group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true });

/**
 * Namespaced `apps/v1` ReplicaSet.
 *
 * @example
 * ```ts
 * const x: ReplicaSet = await client.get(ReplicaSet, { namespace: "default", name: "example" });
 * ```
 */
export type ReplicaSet = Wire<V1ReplicaSet>;
/**
 * The ReplicaSet kind, for the client, the cache and controllers (`Controller.for(ReplicaSet)`, `.owns(ReplicaSet)`).
 *
 * @example
 * ```ts
 * const all = await client.list(ReplicaSet);
 * ```
 */
export const ReplicaSet: Kind<ReplicaSet> = defineKind<ReplicaSet>({ group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", namespaced: true });

/**
 * Namespaced `apps/v1` StatefulSet.
 *
 * @example
 * ```ts
 * const x: StatefulSet = await client.get(StatefulSet, { namespace: "default", name: "example" });
 * ```
 */
export type StatefulSet = Wire<V1StatefulSet>;
/**
 * The StatefulSet kind, for the client, the cache and controllers (`Controller.for(StatefulSet)`, `.owns(StatefulSet)`).
 *
 * @example
 * ```ts
 * const all = await client.list(StatefulSet);
 * ```
 */
export const StatefulSet: Kind<StatefulSet> = defineKind<StatefulSet>({ group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", namespaced: true });

/**
 * Namespaced `apps/v1` DaemonSet.
 *
 * @example
 * ```ts
 * const x: DaemonSet = await client.get(DaemonSet, { namespace: "default", name: "example" });
 * ```
 */
export type DaemonSet = Wire<V1DaemonSet>;
/**
 * The DaemonSet kind, for the client, the cache and controllers (`Controller.for(DaemonSet)`, `.owns(DaemonSet)`).
 *
 * @example
 * ```ts
 * const all = await client.list(DaemonSet);
 * ```
 */
export const DaemonSet: Kind<DaemonSet> = defineKind<DaemonSet>({ group: "apps", version: "v1", kind: "DaemonSet", plural: "daemonsets", namespaced: true });

/**
 * Namespaced `batch/v1` Job.
 *
 * @example
 * ```ts
 * const x: Job = await client.get(Job, { namespace: "default", name: "example" });
 * ```
 */
export type Job = Wire<V1Job>;
/**
 * The Job kind, for the client, the cache and controllers (`Controller.for(Job)`, `.owns(Job)`).
 *
 * @example
 * ```ts
 * const all = await client.list(Job);
 * ```
 */
export const Job: Kind<Job> = defineKind<Job>({ group: "batch", version: "v1", kind: "Job", plural: "jobs", namespaced: true });

/**
 * Namespaced `batch/v1` CronJob.
 *
 * @example
 * ```ts
 * const x: CronJob = await client.get(CronJob, { namespace: "default", name: "example" });
 * ```
 */
export type CronJob = Wire<V1CronJob>;
/**
 * The CronJob kind, for the client, the cache and controllers (`Controller.for(CronJob)`, `.owns(CronJob)`).
 *
 * @example
 * ```ts
 * const all = await client.list(CronJob);
 * ```
 */
export const CronJob: Kind<CronJob> = defineKind<CronJob>({ group: "batch", version: "v1", kind: "CronJob", plural: "cronjobs", namespaced: true });

/**
 * Namespaced `coordination.k8s.io/v1` Lease.
 *
 * @example
 * ```ts
 * const x: Lease = await client.get(Lease, { namespace: "default", name: "example" });
 * ```
 */
export type Lease = Wire<V1Lease>;
/**
 * The Lease kind, for the client, the cache and controllers (`Controller.for(Lease)`, `.owns(Lease)`).
 *
 * @example
 * ```ts
 * const all = await client.list(Lease);
 * ```
 */
export const Lease: Kind<Lease> = defineKind<Lease>({ group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true });

/**
 * An events.k8s.io/v1 Event (what operant's event recorder writes).
 *
 * @example
 * ```ts
 * const x: Event = await client.get(Event, { namespace: "default", name: "example" });
 * ```
 */
export type Event = Wire<EventsV1Event>;
/**
 * The Event kind, for the client, the cache and controllers (`Controller.for(Event)`, `.owns(Event)`).
 *
 * @example
 * ```ts
 * const all = await client.list(Event);
 * ```
 */
export const Event: Kind<Event> = defineKind<Event>({ group: "events.k8s.io", version: "v1", kind: "Event", plural: "events", namespaced: true });

/**
 * Namespaced `rbac.authorization.k8s.io/v1` Role.
 *
 * @example
 * ```ts
 * const x: Role = await client.get(Role, { namespace: "default", name: "example" });
 * ```
 */
export type Role = Wire<V1Role>;
/**
 * The Role kind, for the client, the cache and controllers (`Controller.for(Role)`, `.owns(Role)`).
 *
 * @example
 * ```ts
 * const all = await client.list(Role);
 * ```
 */
export const Role: Kind<Role> = defineKind<Role>({ group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", plural: "roles", namespaced: true });

/**
 * Namespaced `rbac.authorization.k8s.io/v1` RoleBinding.
 *
 * @example
 * ```ts
 * const x: RoleBinding = await client.get(RoleBinding, { namespace: "default", name: "example" });
 * ```
 */
export type RoleBinding = Wire<V1RoleBinding>;
/**
 * The RoleBinding kind, for the client, the cache and controllers (`Controller.for(RoleBinding)`, `.owns(RoleBinding)`).
 *
 * @example
 * ```ts
 * const all = await client.list(RoleBinding);
 * ```
 */
export const RoleBinding: Kind<RoleBinding> = defineKind<RoleBinding>({ group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding", plural: "rolebindings", namespaced: true });

/**
 * Cluster-scoped `rbac.authorization.k8s.io/v1` ClusterRole.
 *
 * @example
 * ```ts
 * const x: ClusterRole = await client.get(ClusterRole, { name: "example" });
 * ```
 */
export type ClusterRole = Wire<V1ClusterRole>;
/**
 * The ClusterRole kind, for the client, the cache and controllers (`Controller.for(ClusterRole)`, `.owns(ClusterRole)`).
 *
 * @example
 * ```ts
 * const all = await client.list(ClusterRole);
 * ```
 */
export const ClusterRole: Kind<ClusterRole> = defineKind<ClusterRole>({ group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole", plural: "clusterroles", namespaced: false });

/**
 * Cluster-scoped `rbac.authorization.k8s.io/v1` ClusterRoleBinding.
 *
 * @example
 * ```ts
 * const x: ClusterRoleBinding = await client.get(ClusterRoleBinding, { name: "example" });
 * ```
 */
export type ClusterRoleBinding = Wire<V1ClusterRoleBinding>;
/**
 * The ClusterRoleBinding kind, for the client, the cache and controllers (`Controller.for(ClusterRoleBinding)`, `.owns(ClusterRoleBinding)`).
 *
 * @example
 * ```ts
 * const all = await client.list(ClusterRoleBinding);
 * ```
 */
export const ClusterRoleBinding: Kind<ClusterRoleBinding> = defineKind<ClusterRoleBinding>({ group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding", plural: "clusterrolebindings", namespaced: false });

/**
 * Cluster-scoped `apiextensions.k8s.io/v1` CustomResourceDefinition.
 *
 * @example
 * ```ts
 * const x: CustomResourceDefinition = await client.get(CustomResourceDefinition, { name: "example" });
 * ```
 */
export type CustomResourceDefinition = Wire<V1CustomResourceDefinition>;
/**
 * The CustomResourceDefinition kind, for the client, the cache and controllers (`Controller.for(CustomResourceDefinition)`, `.owns(CustomResourceDefinition)`).
 *
 * @example
 * ```ts
 * const all = await client.list(CustomResourceDefinition);
 * ```
 */
export const CustomResourceDefinition: Kind<CustomResourceDefinition> = defineKind<CustomResourceDefinition>({ group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions", namespaced: false });

/**
 * Namespaced `discovery.k8s.io/v1` EndpointSlice.
 *
 * @example
 * ```ts
 * const x: EndpointSlice = await client.get(EndpointSlice, { namespace: "default", name: "example" });
 * ```
 */
export type EndpointSlice = Wire<V1EndpointSlice>;
/**
 * The EndpointSlice kind, for the client, the cache and controllers (`Controller.for(EndpointSlice)`, `.owns(EndpointSlice)`).
 *
 * @example
 * ```ts
 * const all = await client.list(EndpointSlice);
 * ```
 */
export const EndpointSlice: Kind<EndpointSlice> = defineKind<EndpointSlice>({ group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice", plural: "endpointslices", namespaced: true });

/**
 * Namespaced `policy/v1` PodDisruptionBudget.
 *
 * @example
 * ```ts
 * const x: PodDisruptionBudget = await client.get(PodDisruptionBudget, { namespace: "default", name: "example" });
 * ```
 */
export type PodDisruptionBudget = Wire<V1PodDisruptionBudget>;
/**
 * The PodDisruptionBudget kind, for the client, the cache and controllers (`Controller.for(PodDisruptionBudget)`, `.owns(PodDisruptionBudget)`).
 *
 * @example
 * ```ts
 * const all = await client.list(PodDisruptionBudget);
 * ```
 */
export const PodDisruptionBudget: Kind<PodDisruptionBudget> = defineKind<PodDisruptionBudget>({ group: "policy", version: "v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", namespaced: true });

/**
 * Namespaced `networking.k8s.io/v1` Ingress.
 *
 * @example
 * ```ts
 * const x: Ingress = await client.get(Ingress, { namespace: "default", name: "example" });
 * ```
 */
export type Ingress = Wire<V1Ingress>;
/**
 * The Ingress kind, for the client, the cache and controllers (`Controller.for(Ingress)`, `.owns(Ingress)`).
 *
 * @example
 * ```ts
 * const all = await client.list(Ingress);
 * ```
 */
export const Ingress: Kind<Ingress> = defineKind<Ingress>({ group: "networking.k8s.io", version: "v1", kind: "Ingress", plural: "ingresses", namespaced: true });

/**
 * Namespaced `networking.k8s.io/v1` NetworkPolicy.
 *
 * @example
 * ```ts
 * const x: NetworkPolicy = await client.get(NetworkPolicy, { namespace: "default", name: "example" });
 * ```
 */
export type NetworkPolicy = Wire<V1NetworkPolicy>;
/**
 * The NetworkPolicy kind, for the client, the cache and controllers (`Controller.for(NetworkPolicy)`, `.owns(NetworkPolicy)`).
 *
 * @example
 * ```ts
 * const all = await client.list(NetworkPolicy);
 * ```
 */
export const NetworkPolicy: Kind<NetworkPolicy> = defineKind<NetworkPolicy>({ group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy", plural: "networkpolicies", namespaced: true });

/**
 * Namespaced `autoscaling/v2` HorizontalPodAutoscaler.
 *
 * @example
 * ```ts
 * const x: HorizontalPodAutoscaler = await client.get(HorizontalPodAutoscaler, { namespace: "default", name: "example" });
 * ```
 */
export type HorizontalPodAutoscaler = Wire<V2HorizontalPodAutoscaler>;
/**
 * The HorizontalPodAutoscaler kind, for the client, the cache and controllers (`Controller.for(HorizontalPodAutoscaler)`, `.owns(HorizontalPodAutoscaler)`).
 *
 * @example
 * ```ts
 * const all = await client.list(HorizontalPodAutoscaler);
 * ```
 */
export const HorizontalPodAutoscaler: Kind<HorizontalPodAutoscaler> = defineKind<HorizontalPodAutoscaler>({ group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers", namespaced: true });

/**
 * Cluster-scoped `v1` PersistentVolume.
 *
 * @example
 * ```ts
 * const x: PersistentVolume = await client.get(PersistentVolume, { name: "example" });
 * ```
 */
export type PersistentVolume = Wire<V1PersistentVolume>;
/**
 * The PersistentVolume kind, for the client, the cache and controllers (`Controller.for(PersistentVolume)`, `.owns(PersistentVolume)`).
 *
 * @example
 * ```ts
 * const all = await client.list(PersistentVolume);
 * ```
 */
export const PersistentVolume: Kind<PersistentVolume> = defineKind<PersistentVolume>({ group: "", version: "v1", kind: "PersistentVolume", plural: "persistentvolumes", namespaced: false });

/**
 * Cluster-scoped `storage.k8s.io/v1` StorageClass.
 *
 * @example
 * ```ts
 * const x: StorageClass = await client.get(StorageClass, { name: "standard" });
 * ```
 */
export type StorageClass = Wire<V1StorageClass>;
/**
 * The StorageClass kind, for the client, the cache and controllers (`Controller.for(StorageClass)`, `.owns(StorageClass)`).
 *
 * @example
 * ```ts
 * const all = await client.list(StorageClass);
 * ```
 */
export const StorageClass: Kind<StorageClass> = defineKind<StorageClass>({ group: "storage.k8s.io", version: "v1", kind: "StorageClass", plural: "storageclasses", namespaced: false });

/**
 * Every built-in kind above, for lookups by apiVersion and kind.
 *
 * @example
 * ```ts
 * const kind = BUILTIN_KINDS.find((k) => k.apiVersion === "apps/v1" && k.kind === "Deployment"); // Deployment
 * ```
 */
export const BUILTIN_KINDS: readonly Kind[] = [Pod, ConfigMap, Secret, Service, ServiceAccount, Namespace, Node, PersistentVolumeClaim, Endpoints, CoreEvent, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, Lease, Event, Role, RoleBinding, ClusterRole, ClusterRoleBinding, CustomResourceDefinition, EndpointSlice, PodDisruptionBudget, Ingress, NetworkPolicy, HorizontalPodAutoscaler, PersistentVolume, StorageClass];

/**
 * Cluster-scoped `admissionregistration.k8s.io/v1` ValidatingWebhookConfiguration.
 *
 * @example
 * ```ts
 * const x: ValidatingWebhookConfiguration = await client.get(ValidatingWebhookConfiguration, { name: "example" });
 * ```
 */
export type ValidatingWebhookConfiguration = Wire<V1ValidatingWebhookConfiguration>;
/**
 * The ValidatingWebhookConfiguration kind, for the client, the cache and controllers (`Controller.for(ValidatingWebhookConfiguration)`, `.owns(ValidatingWebhookConfiguration)`).
 *
 * @example
 * ```ts
 * const all = await client.list(ValidatingWebhookConfiguration);
 * ```
 */
export const ValidatingWebhookConfiguration: Kind<ValidatingWebhookConfiguration> = defineKind<ValidatingWebhookConfiguration>({ group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingWebhookConfiguration", plural: "validatingwebhookconfigurations", namespaced: false });

/**
 * Cluster-scoped `admissionregistration.k8s.io/v1` MutatingWebhookConfiguration.
 *
 * @example
 * ```ts
 * const x: MutatingWebhookConfiguration = await client.get(MutatingWebhookConfiguration, { name: "example" });
 * ```
 */
export type MutatingWebhookConfiguration = Wire<V1MutatingWebhookConfiguration>;
/**
 * The MutatingWebhookConfiguration kind, for the client, the cache and controllers (`Controller.for(MutatingWebhookConfiguration)`, `.owns(MutatingWebhookConfiguration)`).
 *
 * @example
 * ```ts
 * const all = await client.list(MutatingWebhookConfiguration);
 * ```
 */
export const MutatingWebhookConfiguration: Kind<MutatingWebhookConfiguration> = defineKind<MutatingWebhookConfiguration>({ group: "admissionregistration.k8s.io", version: "v1", kind: "MutatingWebhookConfiguration", plural: "mutatingwebhookconfigurations", namespaced: false });
