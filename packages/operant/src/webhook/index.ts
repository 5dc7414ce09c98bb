/**
 * operant/webhook: admission webhooks (validating and mutating, typed from a
 * resource definition or a built-in kind), conversion webhooks for
 * multi-version resources (hub and spoke), and the HTTPS server that serves
 * them on every replica, with certificates from operant (a Secret, rotated),
 * from mounted files (cert-manager) or given.
 *
 * @example
 * ```ts
 * import { Admission, defineValidatingWebhook, WebhookServer, ManagedCertificates, serviceHosts } from "operant/webhook";
 * const validateMemcached = defineValidatingWebhook({
 *   kind: Memcached,
 *   validate: (req) => (req.object!.spec.size <= 10 ? Admission.allow() : Admission.deny("spec.size may be at most 10")),
 * });
 * manager.add(new WebhookServer({ webhooks: [validateMemcached], certificates, bindAddress: ":9443" }));
 * ```
 * @module
 */
export { Admission, defineMutatingWebhook, defineValidatingWebhook, webhookPath, type AdmissionRequest, type AdmissionResult, type AdmissionWebhook, type AdmissionWebhookSettings, type MutatingWebhookOptions, type ValidatingWebhookOptions } from "./admission/admission.ts";
export { defineConversion, STASH_ANNOTATION, type ConversionDefinition, type ObjectBody, type SpokeFunctions, type Stash } from "./conversion/conversion.ts";
export { WebhookServer, type WebhookServerOptions, type WebhookServerStats } from "./server/server.ts";
export { staticCertificates, type CertificateSource } from "./certificates/source.ts";
export { CertificateDirectory, type CertificateDirectoryOptions } from "./certificates/directory.ts";
export { ManagedCertificates, needsRenewal, serviceHosts, type ManagedCertificatesOptions } from "./certificates/managed.ts";
export { applyJsonPatch, jsonEqual, jsonPatch, type JsonPatchOperation, type JsonValue } from "./json-patch/json-patch.ts";
export { admissionReview, conversionReview, parseAdmissionReview, parseConversionReview, type AdmissionRequestWire, type AdmissionResponseWire, type ConversionRequestWire, type ConversionResponseWire, type GroupVersionKind, type GroupVersionResource, type Operation, type UserInfo } from "./review/review.ts";
export { webhookConfigurations, withConversionWebhook, type WebhookConfigurationManifest, type WebhookConfigurationOptions, type WebhookTarget } from "./manifests/manifests.ts";
