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
export { defineOperator, type OperatorDefinition, type OperatorOptions, type ManagerOptions, type OperatorSharding } from "./operator.ts";
export { runOperator, parseOperatorFlags, leaderElectionFromFlags, shardingFromFlags, type OperatorFlags, type OperatorFlagSpec, type RunOperatorOptions } from "./run.ts";
export { rbacFor, webhookCertificateRules, controllerRulesFor, leaderElectionRules, operatorLabels, type DerivedRule, type OperatorRbac, type RbacOptions, type RbacRoleManifest, type RbacBindingManifest, type ServiceAccountManifest } from "./rbac.ts";
export { manifestsFor, manifestsYaml, managerDeploymentSpec, serviceAccountNameOf, watchNamespacesFor, storageVersions, METRICS_PORT, HEALTH_PORT, DEFAULT_MANAGER_RESOURCES, type ManifestOptions, type OperatorManifests, type DeploymentManifest, type ContainerResources, type WatchNamespaceSource } from "./manifests.ts";
export { serviceMonitorFor, networkPolicyFor, crdRolesFor, type ServiceMonitorManifest, type NetworkPolicyManifest } from "./addons.ts";
export { renamed, namePrefixOf, BASE_NAMESPACE, type Naming } from "./base-objects.ts";
export { helmChartFor, type HelmChart, type HelmChartOptions } from "./helm-chart.ts";
export { sampleFor, sampleFileName, type SampleObject } from "./samples.ts";
export { bundleFor, checkBundleVersion, scorecardConfig, DEFAULT_ICON, SCORECARD_TEST_IMAGE, type BundleOptions, type OperatorBundle, type ClusterServiceVersionManifest, type CsvIcon } from "./bundle.ts";
export { admissionWebhooksOf, hasWebhooks, conversionCrdNames, webhookManifestsFor, webhookNames, webhookRunnable, WEBHOOK_CERT_DIR, WEBHOOK_PORT, type WebhookManifests, type WebhookRunnableOptions } from "./webhooks.ts";
