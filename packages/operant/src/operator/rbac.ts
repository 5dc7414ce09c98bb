// Least-privilege RBAC for an operator, derived from what its controllers
// declare: the primary kind of each controller, the kinds it owns and
// watches, the extra rules it asks for, the events it records and the leader
// election it takes part in. Nothing is guessed from the reconcile code.
//
// How each rule is derived (one rule per API group and resource; verbs of
// rules for the same group and resource are merged; rules are sorted by
// group, then resource):
//
// | Source | Rule | Why |
// | --- | --- | --- |
// | `Controller.for(K)` | `K`: get, list, watch, update, patch | the informer lists and watches it; finalizers are added and removed by patch (`update` for reconcilers that write the object whole) |
// | `Controller.for(K)`, `K` has a status subresource | `K/status`: get, update, patch | `ctx.updateStatus` applies the status subresource |
// | `Controller.for(K)` | `K/finalizers`: update | owner references with `blockOwnerDeletion` pointing at `K` (set on everything the controller creates owned) need it where the OwnerReferencesPermissionEnforcement admission plugin runs (OpenShift and hardened clusters) |
// | `.owns(O)` | `O`: get, list, watch, create, update, patch, delete | watched through the cache; `ctx.apply` (server-side apply creates or patches), `ctx.create/update/delete` |
// | `.watches(W)` | `W`: get, list, watch | watched through the cache |
// | `.permissions(rules)`, `extraRules` | as given, split per group and resource | what the reconciler reads or writes directly |
// | any controller | `events.k8s.io` `events`: create, patch | the EventRecorder creates Events and patches their series |
// | leader election, `lease` mode | `coordination.k8s.io` `leases`: get, create, update (operator namespace only) | the Lease lock is read, created, renewed and released |
// | leader election, `leader-for-life` mode | `configmaps`: get, list, watch, create, delete; `pods`: get, delete (operator namespace only) | the lock ConfigMap is created owned by this replica's Pod (read with get) and watched until it is free; a holder Pod that was evicted, or whose Node is NotReady, is deleted (with its lock). Reading that Node is best effort and not granted: without it, a replica waits for the holder Pod to go away |
// | `sharding: { enabled: true }`, either election mode | `coordination.k8s.io` `leases`: get, list, watch, create, update (operator namespace only) | each replica creates and renews its member Lease; the sharder's election is a Lease; the sharder lists and watches the ring's Leases and re-reads one that looks expired |
//
// Where the rules go: a `Cluster`-scoped operator gets one ClusterRole and a
// ClusterRoleBinding. A `Namespaced` operator gets a Role and a RoleBinding
// in each namespace it watches (given at generation time; default: its own
// namespace), plus a ClusterRole for rules about cluster-scoped kinds (a Role
// cannot grant those). Leader election always gets a Role in the operator's
// namespace. Everything is bound to the operator's ServiceAccount.
import { OperantError } from "../core/errors.ts";
import { isDns1123Label } from "../core/names.ts";
import type { Kind } from "../core/kind.ts";
import type { ResourceDefinition } from "../crd/resource/resource.ts";
import type { KubeObject } from "../core/object.ts";
import type { ControllerDefinition, PolicyRule } from "../runtime/controller/builder.ts";
import type { OperatorDefinition } from "./operator.ts";
import { admissionWebhooksOf, conversionCrdNames, hasWebhooks, webhookNames } from "./webhooks.ts";

/**
 * A rule of the generated RBAC with the reasons it is there (for docs and review; not part of the manifests).
 *
 * @example
 * ```ts
 * for (const r of rbacFor(operator).rules as readonly DerivedRule[]) console.log(r.resources.join(","), r.verbs.join(","), r.reasons.join("; "));
 * ```
 */
export interface DerivedRule extends PolicyRule {
  /** One line per source: `controller memcached: for Memcached`. */
  readonly reasons: readonly string[];
  /** Whether the resource is cluster-scoped (a Role cannot grant it). `undefined`: not known (extra rules). */
  readonly clusterScoped: boolean | undefined;
}

/**
 * Options of {@link rbacFor}.
 *
 * @example
 * ```ts
 * const rbac = rbacFor(operator, { namespace: "memcached-system", watchNamespaces: ["team-a", "team-b"] } satisfies RbacOptions);
 * ```
 */
export interface RbacOptions {
  /**
   * Namespaces the operator watches. `Namespaced` operators get a Role and
   * RoleBinding in each (default: the operator's namespace); ignored for
   * `Cluster` operators, whose ClusterRole covers every namespace.
   */
  watchNamespaces?: readonly string[];
  /** Namespace the operator runs in (default: the operator's `namespace`). */
  namespace?: string;
}

/**
 * An RBAC object as generated (plain JSON, ready to apply).
 *
 * @example
 * ```ts
 * const roles: readonly RbacRoleManifest[] = [...rbacFor(operator).clusterRoles, ...rbacFor(operator).roles];
 * await writeFile("role.yaml", manifestsYaml(roles));
 * ```
 */
export interface RbacRoleManifest {
  apiVersion: "rbac.authorization.k8s.io/v1";
  kind: "Role" | "ClusterRole";
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  rules: (PolicyRule | NonResourceRule)[];
}

/** A rule for URLs that are not resources (`/metrics`), allowed in ClusterRoles only. */
export interface NonResourceRule {
  nonResourceURLs: string[];
  verbs: string[];
}

/**
 * A RoleBinding or ClusterRoleBinding as generated.
 *
 * @example
 * ```ts
 * const bindings: readonly RbacBindingManifest[] = rbacFor(operator).clusterRoleBindings;
 * ```
 */
export interface RbacBindingManifest {
  apiVersion: "rbac.authorization.k8s.io/v1";
  kind: "RoleBinding" | "ClusterRoleBinding";
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  roleRef: { apiGroup: "rbac.authorization.k8s.io"; kind: "Role" | "ClusterRole"; name: string };
  subjects: { kind: "ServiceAccount"; name: string; namespace: string }[];
}

/**
 * The operator's ServiceAccount as generated.
 *
 * @example
 * ```ts
 * const sa: ServiceAccountManifest = rbacFor(operator).serviceAccount;
 * console.log(sa.metadata.name); // "memcached-operator-controller-manager"
 * ```
 */
export interface ServiceAccountManifest {
  apiVersion: "v1";
  kind: "ServiceAccount";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
}

/**
 * Everything {@link rbacFor} returns.
 *
 * @example
 * ```ts
 * const rbac: OperatorRbac = rbacFor(operator);
 * await writeFile("config/rbac/all.yaml", manifestsYaml(rbac.manifests));
 * ```
 */
export interface OperatorRbac {
  /** The ServiceAccount the manager runs as. */
  readonly serviceAccount: ServiceAccountManifest;
  /** The controllers' rules, merged and sorted, with their reasons. */
  readonly rules: readonly DerivedRule[];
  /** The leader-election rules (granted in the operator's namespace only). */
  readonly leaderElectionRules: readonly DerivedRule[];
  /** ClusterRoles: the manager role (`Cluster` scope), or the cluster-scoped kinds' role (`Namespaced` scope, when there are any). */
  readonly clusterRoles: readonly RbacRoleManifest[];
  readonly clusterRoleBindings: readonly RbacBindingManifest[];
  /** Roles: one per watched namespace (`Namespaced` scope), then the leader-election Role. */
  readonly roles: readonly RbacRoleManifest[];
  readonly roleBindings: readonly RbacBindingManifest[];
  /** Every object, in apply order: ServiceAccount, roles, bindings. */
  readonly manifests: readonly (ServiceAccountManifest | RbacRoleManifest | RbacBindingManifest)[];
}

const VERB_ORDER = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

/** Built-in kinds served with a `/status` subresource (group/plural). */
const BUILTIN_STATUS = new Set([
  "/pods",
  "/services",
  "/namespaces",
  "/nodes",
  "/persistentvolumeclaims",
  "/persistentvolumes",
  "/replicationcontrollers",
  "apps/deployments",
  "apps/replicasets",
  "apps/statefulsets",
  "apps/daemonsets",
  "batch/jobs",
  "batch/cronjobs",
  "apiextensions.k8s.io/customresourcedefinitions",
  "policy/poddisruptionbudgets",
  "networking.k8s.io/ingresses",
  "autoscaling/horizontalpodautoscalers",
]);

/**
 * Verbs in a stable order: the usual read, write, delete order for known
 * verbs, then any others alphabetically. `*` stays alone.
 */
function sortVerbs(verbs: Iterable<string>): string[] {
  const set = new Set(verbs);
  if (set.has("*")) return ["*"];
  const rank = (v: string) => {
    const i = VERB_ORDER.indexOf(v);
    return i < 0 ? VERB_ORDER.length : i;
  };
  return [...set].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function hasStatusSubresource(kind: Kind): boolean {
  const sub = (kind as Partial<ResourceDefinition>).subresources;
  if (sub !== undefined) return sub.status;
  return BUILTIN_STATUS.has(`${kind.group}/${kind.plural}`);
}

interface Draft {
  apiGroup: string;
  resource: string;
  resourceNames: string[] | undefined;
  verbs: Set<string>;
  reasons: string[];
  clusterScoped: boolean | undefined;
}

/** Collects rules, merging those for the same group, resource and resource names. */
class RuleSet {
  readonly #drafts = new Map<string, Draft>();

  add(apiGroup: string, resource: string, verbs: readonly string[], reason: string, clusterScoped: boolean | undefined, resourceNames?: readonly string[]): void {
    const names = resourceNames && resourceNames.length > 0 ? [...new Set(resourceNames)].sort() : undefined;
    const key = `${apiGroup}\u0000${resource}\u0000${names?.join(",") ?? ""}`;
    let d = this.#drafts.get(key);
    if (!d) {
      d = { apiGroup, resource, resourceNames: names, verbs: new Set(), reasons: [], clusterScoped };
      this.#drafts.set(key, d);
    }
    for (const v of verbs) d.verbs.add(v);
    if (!d.reasons.includes(reason)) d.reasons.push(reason);
    if (d.clusterScoped === undefined) d.clusterScoped = clusterScoped;
  }

  addRule(rule: PolicyRule, reason: string): void {
    if (rule.apiGroups.length === 0 || rule.resources.length === 0 || rule.verbs.length === 0) {
      throw new OperantError("InvalidRbacRule", `the extra RBAC rule ${JSON.stringify(rule)} (${reason}) has no apiGroups, resources or verbs: give at least one of each, e.g. { apiGroups: [""], resources: ["secrets"], verbs: ["get"] }.`);
    }
    for (const g of rule.apiGroups) for (const r of rule.resources) this.add(g, r, rule.verbs, reason, undefined, rule.resourceNames);
  }

  rules(): DerivedRule[] {
    return [...this.#drafts.values()]
      .sort((a, b) => a.apiGroup.localeCompare(b.apiGroup) || a.resource.localeCompare(b.resource) || (a.resourceNames?.join(",") ?? "").localeCompare(b.resourceNames?.join(",") ?? ""))
      .map((d) =>
        Object.freeze({
          apiGroups: [d.apiGroup],
          resources: [d.resource],
          ...(d.resourceNames && { resourceNames: d.resourceNames }),
          verbs: sortVerbs(d.verbs),
          reasons: Object.freeze([...d.reasons]),
          clusterScoped: d.clusterScoped,
        }),
      );
  }
}

function controllerRules(set: RuleSet, c: ControllerDefinition<KubeObject>): void {
  const k: Kind = c.kind;
  const at = `controller ${c.name}`;
  set.add(k.group, k.plural, ["get", "list", "watch", "update", "patch"], `${at}: for ${k.kind}`, !k.namespaced);
  if (hasStatusSubresource(k)) set.add(k.group, `${k.plural}/status`, ["get", "update", "patch"], `${at}: status of ${k.kind}`, !k.namespaced);
  set.add(k.group, `${k.plural}/finalizers`, ["update"], `${at}: owner references to ${k.kind} (blockOwnerDeletion)`, !k.namespaced);
  for (const o of c.owns) set.add(o.kind.group, o.kind.plural, ["get", "list", "watch", "create", "update", "patch", "delete"], `${at}: owns ${o.kind.kind}`, !o.kind.namespaced);
  for (const w of c.watches) set.add(w.kind.group, w.kind.plural, ["get", "list", "watch"], `${at}: watches ${w.kind.kind}`, !w.kind.namespaced);
  for (const r of c.extraRules) set.addRule(r, `${at}: permissions()`);
  set.add("events.k8s.io", "events", ["create", "patch"], `${at}: records events`, false);
}

/**
 * The controllers' rules of an operator, merged per API group and resource
 * and sorted (see the table at the top of this module for how each is
 * derived). Leader election is not included: see {@link leaderElectionRules}.
 *
 * @example
 * ```ts
 * for (const r of controllerRulesFor(operator)) console.log(r.apiGroups[0], r.resources[0], r.verbs.join(","), r.reasons.join("; "));
 * ```
 */
export function controllerRulesFor(operator: OperatorDefinition): DerivedRule[] {
  const set = new RuleSet();
  for (const c of operator.controllers) controllerRules(set, c as ControllerDefinition<KubeObject>);
  for (const r of operator.extraRules) set.addRule(r, `operator ${operator.name}: extraRules`);
  return set.rules();
}

/**
 * The rules leader election needs, in the operator's namespace: the Lease
 * (`lease` mode) or the lock ConfigMap and the Pods that own it
 * (`leader-for-life` mode); with `sharding`, the Leases of the shard ring
 * and of the sharder's election as well, whatever the mode.
 *
 * @example
 * ```ts
 * leaderElectionRules("lease") // [{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update"], … }]
 * leaderElectionRules("leader-for-life", { sharding: true }) // the lock ConfigMap, Pods, and the Leases
 * ```
 */
export function leaderElectionRules(mode: "lease" | "leader-for-life", options: { sharding?: boolean } = {}): DerivedRule[] {
  const set = new RuleSet();
  if (options.sharding) {
    set.add("coordination.k8s.io", "leases", ["get", "list", "watch", "create", "update"], "sharding: each replica creates and renews its member Lease, the sharder is elected on a Lease and lists and watches the ring's Leases", false);
  }
  if (mode === "lease") {
    set.add("coordination.k8s.io", "leases", ["get", "list", "watch", "create", "update"], "leader election (lease): read, take, renew and release the Lease; candidates watch it to take over the moment it is released", false);
  } else {
    set.add("", "configmaps", ["get", "list", "watch", "create", "delete"], "leader election (leader-for-life): the lock ConfigMap, created, watched until free, deleted when stale", false);
    set.add("", "pods", ["get", "delete"], "leader election (leader-for-life): this replica's Pod owns the lock; an evicted holder Pod is deleted", false);
  }
  return set.rules();
}

/** A rule as it goes into a manifest: without the reasons. */
function plain(r: DerivedRule): PolicyRule {
  return { apiGroups: [...r.apiGroups], resources: [...r.resources], ...(r.resourceNames && { resourceNames: [...r.resourceNames] }), verbs: [...r.verbs] };
}

/**
 * The labels every generated object of the operator carries.
 *
 * @example
 * ```ts
 * operatorLabels(operator) // { "app.kubernetes.io/name": "memcached-operator", "app.kubernetes.io/managed-by": "operant" }
 * ```
 */
export function operatorLabels(operator: OperatorDefinition): Record<string, string> {
  return { "app.kubernetes.io/name": operator.name, "app.kubernetes.io/managed-by": "operant" };
}

function checkNamespace(ns: string, what: string): void {
  if (!isDns1123Label(ns)) {
    throw new OperantError("InvalidName", `${what} "${ns}" is not a valid namespace name: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit.`);
  }
}

/**
 * Least-privilege RBAC for an operator: its ServiceAccount, the roles with
 * the rules its controllers need (see the table at the top of this module),
 * the leader-election Role in its namespace, and the bindings. Deterministic:
 * the same operator and options give the same objects in the same order.
 *
 * Names: ServiceAccount `<name>-controller-manager`; ClusterRole/ClusterRoleBinding
 * `<name>-manager` (for a `Namespaced` operator, a Role/RoleBinding
 * `<name>-manager` per watched namespace and, for cluster-scoped kinds, a
 * ClusterRole/ClusterRoleBinding `<name>-manager-cluster`); Role/RoleBinding
 * `<name>-leader-election` in the operator's namespace.
 *
 * @throws OperantError `InvalidName` for an invalid namespace, `InvalidRbacRule` for an extra rule without groups, resources or verbs
 * @example
 * ```ts
 * const rbac = rbacFor(operator);
 * await writeFile("config/rbac/role.yaml", manifestsYaml(rbac.clusterRoles));
 * ```
 */
export function rbacFor(operator: OperatorDefinition, options: RbacOptions = {}): OperatorRbac {
  const namespace = options.namespace ?? operator.namespace;
  checkNamespace(namespace, "the operator namespace");
  const labels = operatorLabels(operator);
  const saName = `${operator.name}-controller-manager`;
  const sa: ServiceAccountManifest = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: saName, namespace, labels: { ...labels } } };
  const subject = () => [{ kind: "ServiceAccount" as const, name: saName, namespace }];
  const rules = controllerRulesFor(operator);
  const leRules = leaderElectionRules(operator.leaderElection.mode, { sharding: operator.sharding.enabled });
  const role = (kind: "Role" | "ClusterRole", name: string, ns: string | undefined, rs: readonly DerivedRule[]): RbacRoleManifest => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: { name, ...(ns !== undefined && { namespace: ns }), labels: { ...labels } },
    rules: rs.map(plain),
  });
  const binding = (kind: "RoleBinding" | "ClusterRoleBinding", name: string, ns: string | undefined): RbacBindingManifest => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: { name, ...(ns !== undefined && { namespace: ns }), labels: { ...labels } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: kind === "RoleBinding" ? "Role" : "ClusterRole", name },
    subjects: subject(),
  });

  const clusterRoles: RbacRoleManifest[] = [];
  const clusterRoleBindings: RbacBindingManifest[] = [];
  const roles: RbacRoleManifest[] = [];
  const roleBindings: RbacBindingManifest[] = [];
  const manager = `${operator.name}-manager`;
  if (operator.scope === "Cluster") {
    clusterRoles.push(role("ClusterRole", manager, undefined, rules));
    clusterRoleBindings.push(binding("ClusterRoleBinding", manager, undefined));
  } else {
    const watch = [...new Set(options.watchNamespaces && options.watchNamespaces.length > 0 ? options.watchNamespaces : [namespace])].sort();
    for (const ns of watch) checkNamespace(ns, "the watch namespace");
    const clusterWide = rules.filter((r) => r.clusterScoped === true);
    const namespaced = rules.filter((r) => r.clusterScoped !== true);
    if (clusterWide.length > 0) {
      clusterRoles.push(role("ClusterRole", `${manager}-cluster`, undefined, clusterWide));
      clusterRoleBindings.push(binding("ClusterRoleBinding", `${manager}-cluster`, undefined));
    }
    for (const ns of watch) {
      roles.push(role("Role", manager, ns, namespaced));
      roleBindings.push(binding("RoleBinding", manager, ns));
    }
  }
  const le = `${operator.name}-leader-election`;
  roles.push(role("Role", le, namespace, leRules));
  roleBindings.push(binding("RoleBinding", le, namespace));
  // Secure metrics: the manager checks each scrape's token (TokenReview) and permission (SubjectAccessReview); readers are bound to metrics-reader.
  clusterRoles.push(role("ClusterRole", `${operator.name}-metrics-auth`, undefined, metricsAuthRules()));
  clusterRoleBindings.push(binding("ClusterRoleBinding", `${operator.name}-metrics-auth`, undefined));
  clusterRoles.push({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: `${operator.name}-metrics-reader`, labels: { ...labels } }, rules: [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }] });
  if (hasWebhooks(operator)) {
    const wh = webhookCertificateRules(operator);
    roles.push(role("Role", `${operator.name}-webhook-certificates`, namespace, wh.namespaced));
    roleBindings.push(binding("RoleBinding", `${operator.name}-webhook-certificates`, namespace));
    if (wh.cluster.length > 0) {
      clusterRoles.push(role("ClusterRole", `${operator.name}-webhook-ca-injector`, undefined, wh.cluster));
      clusterRoleBindings.push(binding("ClusterRoleBinding", `${operator.name}-webhook-ca-injector`, undefined));
    }
  }
  return Object.freeze({
    serviceAccount: sa,
    rules,
    leaderElectionRules: leRules,
    clusterRoles,
    clusterRoleBindings,
    roles,
    roleBindings,
    manifests: [sa, ...clusterRoles, ...roles, ...clusterRoleBindings, ...roleBindings],
  });
}

/**
 * What the secure metrics server needs: `create` on TokenReviews and
 * SubjectAccessReviews (cluster-scoped, so a ClusterRole).
 *
 * @example
 * ```ts
 * metricsAuthRules().map((r) => r.resources[0]) // ["tokenreviews", "subjectaccessreviews"]
 * ```
 */
export function metricsAuthRules(): DerivedRule[] {
  const why = "secure metrics: authenticate each scrape's token and authorize its user for get /metrics";
  return [
    { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"], reasons: [why], clusterScoped: true },
    { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"], reasons: [why], clusterScoped: true },
  ];
}

/**
 * What operant-managed certificates need: the Secret in the operator's
 * namespace (a Role), and updating the webhook configurations and CRDs it
 * injects the CA bundle into (a ClusterRole, limited to those names).
 *
 * @example
 * ```ts
 * const { namespaced, cluster } = webhookCertificateRules(operator);
 * ```
 */
export function webhookCertificateRules(operator: OperatorDefinition): { namespaced: DerivedRule[]; cluster: DerivedRule[] } {
  const names = webhookNames(operator);
  const why = "webhook certificates (operant-managed): the CA and serving certificate Secret";
  const namespaced: DerivedRule[] = [
    { apiGroups: [""], resources: ["secrets"], verbs: ["create"], reasons: [why], clusterScoped: false },
    { apiGroups: [""], resources: ["secrets"], resourceNames: [names.secret], verbs: ["get", "update"], reasons: [why], clusterScoped: false },
  ];
  const cluster: DerivedRule[] = [];
  const inject = "webhook certificates (operant-managed): inject the CA bundle";
  const webhooks = admissionWebhooksOf(operator);
  if (webhooks.some((w) => w.type === "validating")) cluster.push({ apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingwebhookconfigurations"], resourceNames: [names.validating], verbs: ["get", "update"], reasons: [inject], clusterScoped: true });
  if (webhooks.some((w) => w.type === "mutating")) cluster.push({ apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], resourceNames: [names.mutating], verbs: ["get", "update"], reasons: [inject], clusterScoped: true });
  const crds = conversionCrdNames(operator);
  if (crds.length > 0) cluster.push({ apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], resourceNames: crds, verbs: ["get", "update"], reasons: [inject], clusterScoped: true });
  return { namespaced, cluster };
}
