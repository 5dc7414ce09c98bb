// Objects of an operator under other names: the final objects (names
// `<name>-…`, the operator's namespace) rewritten to another name prefix and
// namespace, references included. config/ holds them with no prefix and the
// namespace `system` (kustomize's namePrefix and namespace put the final
// ones back); the Helm chart holds them with template expressions.
import type { KubeObject } from "../core/object.ts";
import type { OperatorDefinition } from "./operator.ts";

/**
 * The namespace config/'s bases use; config/default's `namespace:` replaces it.
 *
 * @example
 * ```ts
 * const sa = { metadata: { name: "controller-manager", namespace: BASE_NAMESPACE } }; // "system", replaced by config/default's namespace
 * ```
 */
export const BASE_NAMESPACE = "system";

/**
 * The prefix of every name an operator's objects have: `<operator name>-`.
 *
 * @example
 * ```ts
 * namePrefixOf(operator) // "memcached-operator-"
 * ```
 */
export function namePrefixOf(operator: Pick<OperatorDefinition, "name">): string {
  return `${operator.name}-`;
}

/**
 * A name prefix and the namespace that goes with it.
 *
 * @example
 * ```ts
 * const naming: Naming = { prefix: "memcached-operator-", namespace: "memcached-operator-system" };
 * ```
 */
export interface Naming {
  readonly prefix: string;
  readonly namespace: string;
}

type Obj = KubeObject & {
  kind: string;
  metadata: { name: string; namespace?: string };
  roleRef?: { name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
  spec?: { template?: { spec?: { serviceAccountName?: string } }; conversion?: { webhook?: { clientConfig?: { service?: ServiceRef } } } };
  webhooks?: { clientConfig?: { service?: ServiceRef } }[];
};

type ServiceRef = { name: string; namespace?: string };

/**
 * A copy of `object` moved from one naming to another, as kustomize's
 * `namePrefix:` and `namespace:` move it (in reverse when `to` has no
 * prefix): names that start with `from.prefix` get `to.prefix` instead, the
 * namespace `from.namespace` becomes `to.namespace`, in the object's own
 * metadata, a binding's roleRef and ServiceAccount subjects, and a
 * Deployment's serviceAccountName, and the Service a webhook configuration
 * calls (of a CRD's conversion Service only the namespace, as kustomize
 * rewrites only that). CRDs keep their names (kustomize does not
 * prefix them); a Namespace object named `from.namespace` is renamed to
 * `to.namespace`.
 *
 * @example
 * ```ts
 * renamed(deployment, { prefix: "memcached-operator-", namespace: "memcached-operator-system" }, { prefix: "", namespace: "system" }).metadata.name // "controller-manager"
 * ```
 */
export function renamed<T>(object: T, from: Naming, to: Naming): T {
  const o = structuredClone(object) as unknown as Obj;
  const name = (n: string) => (n.startsWith(from.prefix) ? to.prefix + n.slice(from.prefix.length) : n);
  if (o.kind === "Namespace") {
    if (o.metadata.name === from.namespace) o.metadata.name = to.namespace;
  } else if (o.kind !== "CustomResourceDefinition") o.metadata.name = name(o.metadata.name);
  if (o.metadata.namespace === from.namespace) o.metadata.namespace = to.namespace;
  if (o.roleRef) o.roleRef.name = name(o.roleRef.name);
  for (const s of o.subjects ?? []) {
    if (s.kind !== "ServiceAccount") continue;
    s.name = name(s.name);
    if (s.namespace === from.namespace) s.namespace = to.namespace;
  }
  const pod = o.kind === "Deployment" ? o.spec?.template?.spec : undefined;
  if (pod?.serviceAccountName) pod.serviceAccountName = name(pod.serviceAccountName);
  for (const svc of (o.webhooks ?? []).map((w) => w.clientConfig?.service)) {
    if (!svc) continue;
    svc.name = name(svc.name);
    if (svc.namespace === from.namespace) svc.namespace = to.namespace;
  }
  // A CRD's conversion Service: kustomize's namespace transformer sets its namespace, but no name
  // reference rewrites its name, so the name stays final (a different namePrefix needs a patch).
  const conversion = o.kind === "CustomResourceDefinition" ? o.spec?.conversion?.webhook?.clientConfig?.service : undefined;
  if (conversion?.namespace === from.namespace) conversion.namespace = to.namespace;
  return o as unknown as T;
}
