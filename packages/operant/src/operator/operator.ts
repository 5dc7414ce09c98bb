// An operator, described once: its name, the resources it defines and the
// controllers it runs. `main.ts` runs it; `operant generate` reads it to
// write CRDs, RBAC and deployment manifests.
import { OperantError } from "../core/errors.ts";
import { isDns1123Label, isDns1123Subdomain } from "../core/names.ts";
import type { ResourceDefinition } from "../crd/resource/resource.ts";
import type { Pod } from "../kinds/index.ts";
import type { AnyControllerDefinition, PolicyRule } from "../runtime/controller/builder.ts";
import type { ShardingOptions } from "../sharding/sharding.ts";
import type { AdmissionWebhook } from "../webhook/admission/admission.ts";
import type { ConversionDefinition } from "../webhook/conversion/conversion.ts";

/**
 * An operator's sharding: off unless `enabled` (or `--shard` at run time),
 * and how it shards when on.
 *
 * @example
 * ```ts
 * const s: OperatorSharding = { enabled: true, timings: "fast" };
 * ```
 */
export interface OperatorSharding extends ShardingOptions {
  /** Shard by default (`--shard`/`--no-shard` decide at run time). Default false. */
  readonly enabled: boolean;
}


type PodSpec = NonNullable<Pod["spec"]>;
type Container = PodSpec["containers"][number];

/**
 * CPU and memory of the manager container.
 *
 * @example
 * ```ts
 * const resources: ContainerResources = { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } };
 * defineOperator({ …, manager: { resources } });
 * ```
 */
export interface ContainerResources {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

/**
 * How the manager Deployment runs: what `operant generate` writes into
 * config/manager/manager.yaml, the Helm chart's default values and the
 * bundle's install strategy. Everything is optional; a user's kustomize
 * patch (config/default/manager_patch.yaml) still applies on top.
 *
 * @example
 * ```ts
 * defineOperator({ name: "memcached-operator", domain: "example.com", controllers: [memcached],
 *   manager: { replicas: 2, resources: { requests: { cpu: "100m", memory: "128Mi" } }, nodeSelector: { "kubernetes.io/os": "linux" } } satisfies ManagerOptions });
 * ```
 */
export interface ManagerOptions {
  /** Replicas (default 1; more only make sense with leader election). */
  replicas?: number;
  /** Requests and limits of the manager container (default: see `DEFAULT_MANAGER_RESOURCES`). */
  resources?: ContainerResources;
  /** Extra environment variables of the manager container (after POD_NAME, POD_NAMESPACE, WATCH_NAMESPACE). */
  env?: Container["env"];
  tolerations?: PodSpec["tolerations"];
  nodeSelector?: Readonly<Record<string, string>>;
  affinity?: PodSpec["affinity"];
  priorityClassName?: string;
  /** Names of Secrets to pull the image with. */
  imagePullSecrets?: readonly string[];
  /** Extra volumes of the Pod, mounted with {@link ManagerOptions.volumeMounts}. */
  volumes?: PodSpec["volumes"];
  /** Extra mounts of the manager container. */
  volumeMounts?: Container["volumeMounts"];
}

/**
 * How the operator is deployed and what it may touch.
 *
 * @example
 * ```ts
 * export const operator: OperatorDefinition = defineOperator({ name: "memcached-operator", domain: "example.com", resources: [Memcached], controllers: [memcachedController] });
 * await runOperator(operator, { argv: process.argv, env: process.env, exitOnFailure: true });
 * ```
 */
export interface OperatorDefinition {
  /** DNS-1123 name, e.g. `memcached-operator`: names the Deployment, ServiceAccount, RBAC and the leader-election lock. */
  readonly name: string;
  /** Custom resources the operator defines (their CRDs are generated and installed). */
  readonly resources: readonly ResourceDefinition[];
  /** Controllers the operator runs. */
  readonly controllers: readonly AnyControllerDefinition[];
  /**
   * `Cluster` (default): watches all namespaces (or those given at run time) with a ClusterRole.
   * `Namespaced`: only ever watches the namespaces given at run time; RBAC is a Role per namespace.
   */
  readonly scope: "Cluster" | "Namespaced";
  /** Namespace the operator is deployed to (default `<name>-system`). */
  readonly namespace: string;
  /** Container image in generated manifests (default `<name>:latest`). */
  readonly image: string;
  /** Leader election defaults (`--leader-elect` turns it on). */
  readonly leaderElection: { readonly id: string; readonly mode: "lease" | "leader-for-life" };
  /** Permissions beyond what the controllers declare (e.g. reading a Secret by name). */
  readonly extraRules: readonly PolicyRule[];
  /** Sharding across replicas (see docs/sharding.md): off by default; `--shard` turns it on. */
  readonly sharding: OperatorSharding;
  /**
   * Admission webhooks (`defineValidatingWebhook`, `defineMutatingWebhook` from
   * operant/webhook): served by every replica, written to config/webhook by
   * `operant generate`.
   */
  readonly webhooks: readonly AdmissionWebhook[];
  /** Conversions of multi-version resources (`defineConversion`): served at /convert, set in the CRDs' `spec.conversion`. */
  readonly conversions: readonly ConversionDefinition[];
  /** How the manager Deployment runs (replicas, resources, scheduling, extra env and volumes). */
  readonly manager: Readonly<ManagerOptions>;
}

/**
 * Input of {@link defineOperator}: everything but name, resources and controllers has a default.
 *
 * @example
 * ```ts
 * const options: OperatorOptions = { name: "memcached-operator", domain: "example.com", scope: "Namespaced", resources: [Memcached], controllers: [memcachedController] };
 * export const operator = defineOperator(options);
 * ```
 */
export interface OperatorOptions {
  name: string;
  resources?: readonly ResourceDefinition[];
  controllers: readonly AnyControllerDefinition[];
  scope?: "Cluster" | "Namespaced";
  namespace?: string;
  image?: string;
  leaderElection?: { id?: string; mode?: "lease" | "leader-for-life" };
  extraRules?: readonly PolicyRule[];
  /** Sharding across replicas: `{ enabled: true }` shards by default; options apply when `--shard` is given. */
  sharding?: Partial<OperatorSharding>;
  webhooks?: readonly AdmissionWebhook[];
  conversions?: readonly ConversionDefinition[];
  manager?: ManagerOptions;
}

function checkManager(name: string, m: ManagerOptions): Readonly<ManagerOptions> {
  if (m.replicas !== undefined && (!Number.isInteger(m.replicas) || m.replicas < 0)) {
    throw new OperantError("InvalidArgument", `manager.replicas of ${name} must be a whole number ≥ 0 (got ${m.replicas}).`);
  }
  for (const s of m.imagePullSecrets ?? []) {
    if (!isDns1123Subdomain(s)) throw new OperantError("InvalidName", `manager.imagePullSecrets of ${name}: "${s}" is not a Secret name (lower-case letters, digits, '-' and '.').`);
  }
  return Object.freeze(structuredClone(m));
}

/**
 * Describes an operator. Export it as the default export of `src/operator.ts`:
 * that is what `operant generate`, `operant run` and `main.ts` read.
 *
 * @example
 * ```ts
 * export default defineOperator({
 *   name: "memcached-operator",
 *   resources: [Memcached],
 *   controllers: [memcachedController],
 *   manager: { replicas: 2, priorityClassName: "system-cluster-critical" },
 * });
 * ```
 */
export function defineOperator(options: OperatorOptions): OperatorDefinition {
  if (!isDns1123Label(options.name, 52)) {
    throw new OperantError("InvalidName", `operator name "${options.name}" is not valid: use at most 52 lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. "memcached-operator").`);
  }
  const names = new Set<string>();
  for (const c of options.controllers) {
    if (names.has(c.name)) throw new OperantError("InvalidName", `two controllers of ${options.name} are named "${c.name}": rename one with .named(…).`);
    names.add(c.name);
  }
  const hooks = new Set<string>();
  for (const w of options.webhooks ?? []) {
    if (hooks.has(w.name) || hooks.has(w.path)) throw new OperantError("InvalidWebhook", `two webhooks of ${options.name} share the name or path of ${w.name} (${w.path}): give one another name and path.`);
    hooks.add(w.name);
    hooks.add(w.path);
  }
  for (const c of options.conversions ?? []) {
    if (!(options.resources ?? []).some((r) => r.group === c.group && r.kind === c.kind)) {
      throw new OperantError("InvalidWebhook", `${options.name} declares a conversion for ${c.kind}.${c.group}, which is not among its resources: add the resource to resources.`);
    }
  }
  return Object.freeze({
    name: options.name,
    resources: [...(options.resources ?? [])],
    controllers: [...options.controllers],
    scope: options.scope ?? "Cluster",
    namespace: options.namespace ?? `${options.name}-system`,
    image: options.image ?? `${options.name}:latest`,
    leaderElection: { id: options.leaderElection?.id ?? `${options.name}-leader`, mode: options.leaderElection?.mode ?? "lease" },
    extraRules: [...(options.extraRules ?? [])],
    sharding: Object.freeze({ ...options.sharding, enabled: options.sharding?.enabled ?? false }),
    webhooks: [...(options.webhooks ?? [])],
    conversions: [...(options.conversions ?? [])],
    manager: checkManager(options.name, options.manager ?? {}),
  });
}
