// An operator's webhooks as a deployable whole: the names of the objects they
// need (Service, Secret, configurations), the manifests `operant generate`
// writes (config/webhook, the CRDs' spec.conversion, cert-manager's
// Certificate and Issuer), and the runnable that serves them on every replica.
import type { CustomResourceDefinitionManifest } from "../crd/manifest/manifest.ts";
import type { Logger } from "../core/logger.ts";
import type { Runnable } from "../runtime/manager/manager.ts";
import { CertificateDirectory } from "../webhook/certificates/directory.ts";
import { ManagedCertificates, serviceHosts } from "../webhook/certificates/managed.ts";
import { webhookConfigurations, withConversionWebhook, type WebhookConfigurationManifest } from "../webhook/manifests/manifests.ts";
import { WebhookServer } from "../webhook/server/server.ts";
import type { OperatorDefinition } from "./operator.ts";
import { assignmentWebhooks } from "../sharding/assignment-webhook.ts";
import { shardedControllersOf } from "../sharding/sharding.ts";
import type { AdmissionWebhook } from "../webhook/admission/admission.ts";

/**
 * The container port the webhook server listens on in a Pod (the Service's port 443 points at it).
 *
 * @example
 * ```ts
 * new WebhookServer({ webhooks, certificates, bindAddress: `:${WEBHOOK_PORT}` }); // the Service's 443 points here
 * ```
 */
export const WEBHOOK_PORT = 9443;

/**
 * Where the generated Deployment mounts the serving certificate when cert-manager provides it (kubebuilder's path).
 *
 * @example
 * ```ts
 * new CertificateDirectory({ directory: WEBHOOK_CERT_DIR }); // cert-manager's Secret, mounted by the generated Deployment
 * ```
 */
export const WEBHOOK_CERT_DIR = "/tmp/k8s-webhook-server/serving-certs";

/**
 * The names of an operator's webhook objects.
 *
 * @example
 * ```ts
 * webhookNames(operator).service // "memcached-operator-webhook-service"
 * ```
 */
export function webhookNames(operator: Pick<OperatorDefinition, "name">): { service: string; secret: string; validating: string; mutating: string; certificate: string; issuer: string } {
  const n = operator.name;
  return {
    service: `${n}-webhook-service`,
    secret: `${n}-webhook-server-cert`,
    validating: `${n}-validating-webhook-configuration`,
    mutating: `${n}-mutating-webhook-configuration`,
    certificate: `${n}-serving-cert`,
    issuer: `${n}-selfsigned-issuer`,
  };
}

/**
 * Whether the operator serves any webhook (admission or conversion).
 *
 * @example
 * ```ts
 * if (hasWebhooks(operator)) files.set("config/webhook/manifests.yaml", …);
 * ```
 */
export function hasWebhooks(operator: Pick<OperatorDefinition, "webhooks" | "conversions">): boolean {
  return operator.webhooks.length > 0 || operator.conversions.length > 0;
}

/**
 * The admission webhooks an operator's configurations list: its own, plus,
 * when it shards by default and serves webhooks anyway, the mutating webhooks
 * that assign new objects to a shard at creation (see docs/sharding.md). At
 * run time `--shard` serves those with the live ring (`sharded`); otherwise
 * they allow every request unchanged.
 *
 * @example
 * ```ts
 * admissionWebhooksOf(operator).map((w) => w.path) // ["/mutate-cache-example-com-v1-memcached", "/shard-memcached"]
 * ```
 */
export function admissionWebhooksOf(operator: OperatorDefinition, sharded?: readonly AdmissionWebhook[]): AdmissionWebhook[] {
  if (!operator.sharding.enabled || !hasWebhooks(operator)) return [...operator.webhooks];
  return [...operator.webhooks, ...(sharded ?? assignmentWebhooks(shardedControllersOf(operator.controllers), { ring: operator.name }))];
}

/**
 * The webhook objects of an operator: see {@link webhookManifestsFor}.
 *
 * @example
 * ```ts
 * const wh: WebhookManifests = webhookManifestsFor(operator, { namespace: "memcached-system", labels: operatorLabels(operator) });
 * console.log(wh.service.metadata.name, wh.validating?.webhooks.length);
 * ```
 */
export interface WebhookManifests {
  readonly service: { apiVersion: "v1"; kind: "Service"; metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: { selector: Record<string, string>; ports: { name: string; port: number; protocol: "TCP"; targetPort: string }[] } };
  readonly validating: WebhookConfigurationManifest | undefined;
  readonly mutating: WebhookConfigurationManifest | undefined;
  /** cert-manager's self-signed Issuer and the serving Certificate (config/certmanager). */
  readonly certManager: readonly Record<string, unknown>[];
  /** Sets `spec.conversion` on the CRD of a resource with a declared conversion; other CRDs are returned as they are. */
  withConversion(crd: CustomResourceDefinitionManifest, certManager?: boolean): CustomResourceDefinitionManifest;
}

/**
 * The Service, webhook configurations, cert-manager objects and CRD
 * conversion settings of an operator. With `certManager`, the configurations
 * (and converted CRDs) carry cert-manager's `inject-ca-from` annotation;
 * without, operant's managed certificates inject the CA bundle at run time.
 *
 * @example
 * ```ts
 * const w = webhookManifestsFor(operator, { namespace: "memcached-operator-system", labels });
 * manifestsYaml([w.service, w.validating, w.mutating].filter(Boolean));
 * ```
 */
export function webhookManifestsFor(operator: OperatorDefinition, options: { namespace: string; labels: Record<string, string>; certManager?: boolean }): WebhookManifests {
  const names = webhookNames(operator);
  const target = { service: { name: names.service, namespace: options.namespace, port: 443 } };
  const inject = { "cert-manager.io/inject-ca-from": `${options.namespace}/${names.certificate}` };
  const { validating, mutating } = webhookConfigurations(admissionWebhooksOf(operator), { name: operator.name, target, labels: options.labels, ...(options.certManager && { annotations: inject }) });
  const selector = { "app.kubernetes.io/name": operator.name, "control-plane": "controller-manager" };
  return {
    service: {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: names.service, namespace: options.namespace, labels: { ...options.labels } },
      spec: { selector, ports: [{ name: "webhook", port: 443, protocol: "TCP", targetPort: "webhook" }] },
    },
    validating,
    mutating,
    certManager: [
      { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: names.issuer, namespace: options.namespace, labels: { ...options.labels } }, spec: { selfSigned: {} } },
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: names.certificate, namespace: options.namespace, labels: { ...options.labels } },
        spec: { dnsNames: serviceHosts(names.service, options.namespace), issuerRef: { kind: "Issuer", name: names.issuer }, secretName: names.secret },
      },
    ],
    withConversion(crd, certManager = options.certManager ?? false) {
      if (!operator.conversions.some((c) => c.group === crd.spec.group && c.kind === crd.spec.names.kind)) return crd;
      const converted = withConversionWebhook(crd, target);
      return certManager ? { ...converted, metadata: { ...converted.metadata, annotations: { ...converted.metadata.annotations, ...inject } } } : converted;
    },
  };
}

/**
 * Names of the CRDs whose conversion the operator serves (their caBundle is injected).
 *
 * @example
 * ```ts
 * conversionCrdNames(operator) // ["memcacheds.cache.example.com"] when Memcached has a conversion
 * ```
 */
export function conversionCrdNames(operator: OperatorDefinition): string[] {
  return operator.conversions.map((c) => `${operator.resources.find((r) => r.group === c.group && r.kind === c.kind)!.plural}.${c.group}`).sort();
}

/**
 * Options of {@link webhookRunnable}.
 *
 * @example
 * ```ts
 * manager.add(webhookRunnable(operator, { bindAddress: ":9443", namespace: "memcached-system" } satisfies WebhookRunnableOptions));
 * ```
 */
export interface WebhookRunnableOptions {
  /** Where to listen (`--webhook-bind-address`; default `127.0.0.1:9443`, the generated Deployment passes `:9443`). */
  bindAddress?: string;
  /** Serve the certificate files of this directory (cert-manager's Secret, mounted) instead of operant-managed certificates. */
  certDir?: string;
  /** The operator's namespace, where the managed certificates' Secret lives (default: the definition's). */
  namespace?: string;
  logger?: Logger;
  /** `--shard`: the assignment webhooks bound to this replica's view of the ring (see {@link admissionWebhooksOf}). */
  shardWebhooks?: readonly AdmissionWebhook[];
}

/**
 * The manager runnable that serves the operator's webhooks on every replica
 * (not only the leader), with operant-managed certificates (a Secret shared by
 * the replicas, the CA bundle injected) or the files of `certDir`.
 *
 * @example
 * ```ts
 * if (hasWebhooks(operator)) manager.add(webhookRunnable(operator, { bindAddress: ":9443", namespace: env.POD_NAMESPACE }));
 * ```
 */
export function webhookRunnable(operator: OperatorDefinition, options: WebhookRunnableOptions = {}): Runnable {
  const names = webhookNames(operator);
  const namespace = options.namespace ?? operator.namespace;
  const webhooks = admissionWebhooksOf(operator, options.shardWebhooks);
  return {
    name: "webhook-server",
    needsLeaderElection: false,
    start(signal, manager) {
      const certificates = options.certDir
        ? new CertificateDirectory({ directory: options.certDir, ...(options.logger && { logger: options.logger }) })
        : new ManagedCertificates({
            client: manager.client,
            namespace,
            secretName: names.secret,
            hosts: serviceHosts(names.service, namespace),
            inject: {
              validating: webhooks.some((w) => w.type === "validating") ? [names.validating] : [],
              mutating: webhooks.some((w) => w.type === "mutating") ? [names.mutating] : [],
              crds: conversionCrdNames(operator),
            },
            ...(options.logger && { logger: options.logger }),
          });
      const server = new WebhookServer({ webhooks, conversions: operator.conversions, certificates, ...(options.bindAddress && { bindAddress: options.bindAddress }), ...(options.logger && { logger: options.logger }) });
      return server.start(signal);
    },
  };
}
