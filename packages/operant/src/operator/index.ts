/**
 * operant/operator: an operator as a deployable project — its definition,
 * how it runs, and what it generates (least-privilege RBAC, deployment
 * manifests, samples, an OLM bundle). The CLI is a thin layer over these.
 *
 * @example
 * ```ts
 * import { rbacFor, manifestsFor } from "operant/operator";
 * import operator from "./src/operator.ts";
 * const { roles } = rbacFor(operator);
 * ```
 * @module
 */
export { defineOperator, type OperatorDefinition, type OperatorOptions } from "./operator.ts";
export { runOperator, parseOperatorFlags, leaderElectionFromFlags, type OperatorFlags, type OperatorFlagSpec, type RunOperatorOptions } from "./run.ts";
export { rbacFor, webhookCertificateRules, controllerRulesFor, leaderElectionRules, operatorLabels, type DerivedRule, type OperatorRbac, type RbacOptions, type RbacRoleManifest, type RbacBindingManifest, type ServiceAccountManifest } from "./rbac.ts";
export { manifestsFor, manifestsYaml, managerDeploymentSpec, watchNamespacesFor, storageVersions, METRICS_PORT, HEALTH_PORT, type ManifestOptions, type OperatorManifests, type DeploymentManifest, type ContainerResources } from "./manifests.ts";
export { sampleFor, sampleFileName, type SampleObject } from "./samples.ts";
export { bundleFor, checkBundleVersion, type BundleOptions, type OperatorBundle, type ClusterServiceVersionManifest } from "./bundle.ts";
export { hasWebhooks, conversionCrdNames, webhookManifestsFor, webhookNames, webhookRunnable, WEBHOOK_CERT_DIR, WEBHOOK_PORT, type WebhookManifests, type WebhookRunnableOptions } from "./webhooks.ts";
