// What the API server needs to call the webhooks: a
// ValidatingWebhookConfiguration and a MutatingWebhookConfiguration with one
// entry per webhook (rules, policies, selectors, where to call), and a CRD's
// `spec.conversion` pointing at /convert. The target is a Service (generated
// manifests) or a URL (tests against a local control plane).
import type { CustomResourceDefinitionManifest } from "../../crd/manifest/manifest.ts";
import type { LabelSelector } from "../../core/label-selector.ts";
import type { AdmissionWebhook } from "../admission/admission.ts";

/**
 * Where the API server calls the webhook server: a Service in the cluster
 * (port default 443, the Service's port in front of the server's 9443), or a
 * base URL (`https://127.0.0.1:9443`, for a server outside the cluster).
 *
 * @example
 * ```ts
 * const target: WebhookTarget = { service: { name: "memcached-operator-webhook", namespace: "memcached-operator-system" } };
 * ```
 */
export type WebhookTarget = { service: { name: string; namespace: string; port?: number } } | { url: string };

/**
 * Options of {@link webhookConfigurations}.
 *
 * @example
 * ```ts
 * const { validating, mutating } = webhookConfigurations(webhooks, { name: "memcached-operator", target: { service: { name: "memcached-operator-webhook", namespace: "memcached-system" } } } satisfies WebhookConfigurationOptions);
 * ```
 */
export interface WebhookConfigurationOptions {
  /** Base of the configurations' names: `<name>-validating-webhook-configuration`, `<name>-mutating-webhook-configuration`. */
  name: string;
  target: WebhookTarget;
  /** PEM CA bundle to trust the server with (omit when cert-manager's cainjector or operant's managed certificates fill it in). */
  caBundle?: string;
  /** Annotations on both configurations (e.g. `cert-manager.io/inject-ca-from: <namespace>/<certificate>`). */
  annotations?: Record<string, string>;
  /** Labels on both configurations. */
  labels?: Record<string, string>;
}

interface ClientConfig {
  url?: string;
  service?: { name: string; namespace: string; path: string; port?: number };
  caBundle?: string;
}

interface WebhookEntry {
  name: string;
  admissionReviewVersions: string[];
  clientConfig: ClientConfig;
  rules: { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[]; scope: "Namespaced" | "Cluster" }[];
  failurePolicy: "Fail" | "Ignore";
  sideEffects: "None" | "NoneOnDryRun";
  timeoutSeconds: number;
  matchPolicy: "Exact" | "Equivalent";
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  reinvocationPolicy?: "Never" | "IfNeeded";
}

/**
 * A webhook configuration as {@link webhookConfigurations} generates it.
 *
 * @example
 * ```ts
 * const { validating }: { validating?: WebhookConfigurationManifest } = webhookConfigurations(hooks, options);
 * ```
 */
export interface WebhookConfigurationManifest {
  apiVersion: "admissionregistration.k8s.io/v1";
  kind: "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration";
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  webhooks: WebhookEntry[];
}

function clientConfig(target: WebhookTarget, path: string, caBundle: string | undefined): ClientConfig {
  const bundle = caBundle === undefined ? {} : { caBundle: Buffer.from(caBundle, "utf8").toString("base64") };
  if ("url" in target) return { url: `${target.url.replace(/\/$/, "")}${path}`, ...bundle };
  const { name, namespace, port } = target.service;
  return { service: { name, namespace, path, ...(port === undefined ? {} : { port }) }, ...bundle };
}

function entry(w: AdmissionWebhook, options: WebhookConfigurationOptions): WebhookEntry {
  const e: WebhookEntry = {
    name: w.name,
    admissionReviewVersions: ["v1"],
    clientConfig: clientConfig(options.target, w.path, options.caBundle),
    rules: [{ apiGroups: [w.kind.group], apiVersions: [w.kind.version], operations: [...w.operations], resources: [w.kind.plural], scope: w.kind.namespaced ? "Namespaced" : "Cluster" }],
    failurePolicy: w.failurePolicy,
    sideEffects: w.sideEffects,
    timeoutSeconds: w.timeoutSeconds,
    matchPolicy: w.matchPolicy,
  };
  if (w.namespaceSelector) e.namespaceSelector = w.namespaceSelector;
  if (w.objectSelector) e.objectSelector = w.objectSelector;
  if (w.type === "mutating") e.reinvocationPolicy = w.reinvocationPolicy ?? "Never";
  return e;
}

/**
 * The ValidatingWebhookConfiguration and MutatingWebhookConfiguration for a
 * set of admission webhooks (each absent when there is no webhook of its type).
 *
 * @example
 * ```ts
 * const { validating, mutating } = webhookConfigurations([validateMemcached, defaultMemcached], {
 *   name: "memcached-operator",
 *   target: { service: { name: "memcached-operator-webhook", namespace: "memcached-operator-system" } },
 * });
 * ```
 */
export function webhookConfigurations(webhooks: readonly AdmissionWebhook[], options: WebhookConfigurationOptions): { validating?: WebhookConfigurationManifest; mutating?: WebhookConfigurationManifest } {
  const out: { validating?: WebhookConfigurationManifest; mutating?: WebhookConfigurationManifest } = {};
  for (const type of ["validating", "mutating"] as const) {
    const mine = webhooks.filter((w) => w.type === type);
    if (mine.length === 0) continue;
    const metadata: WebhookConfigurationManifest["metadata"] = { name: `${options.name}-${type}-webhook-configuration` };
    if (options.labels) metadata.labels = { ...options.labels };
    if (options.annotations) metadata.annotations = { ...options.annotations };
    out[type] = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: type === "validating" ? "ValidatingWebhookConfiguration" : "MutatingWebhookConfiguration",
      metadata,
      webhooks: mine.map((w) => entry(w, options)),
    };
  }
  return out;
}

/**
 * A copy of a CRD whose versions the API server converts through the webhook
 * server's `/convert` (strategy Webhook, ConversionReview v1).
 *
 * @example
 * ```ts
 * const crd = withConversionWebhook(crdManifest(MemcachedV1), { service: { name: "memcached-operator-webhook", namespace: "memcached-operator-system" } });
 * ```
 */
export function withConversionWebhook(crd: CustomResourceDefinitionManifest, target: WebhookTarget, caBundle?: string): CustomResourceDefinitionManifest {
  return {
    ...crd,
    spec: {
      ...crd.spec,
      conversion: { strategy: "Webhook", webhook: { conversionReviewVersions: ["v1"], clientConfig: clientConfig(target, "/convert", caBundle) } },
    },
  };
}
