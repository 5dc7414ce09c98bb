/**
 * operant: build Kubernetes operators in TypeScript.
 *
 * The root module holds what an operator's code uses every day: define a
 * resource, write a controller, run it in a manager, and the helpers a
 * careful reconciler needs. Lower-level pieces have their own entry points:
 * `operant/client`, `operant/cache`, `operant/queue`, `operant/controller`
 * (the pieces a controller is built from), `operant/crd`,
 * `operant/events`, `operant/kinds` (built-in kinds), `operant/testing`
 * (a real local control plane).
 *
 * @example
 * ```ts
 * import Type from "typebox";
 * import { defineResource, Controller, Manager, Action, Condition } from "operant";
 * import { Deployment } from "operant/kinds";
 *
 * export const Memcached = defineResource({
 *   group: "cache.example.com", version: "v1alpha1", kind: "Memcached", scope: "Namespaced",
 *   spec: Type.Object({ size: Type.Integer({ minimum: 1 }) }),
 *   status: Type.Object({ nodes: Type.Array(Type.String()), conditions: Type.Array(Condition) }),
 * });
 *
 * const memcached = Controller.for(Memcached).owns(Deployment).reconcile(async (mc, ctx) => {
 *   await ctx.apply(Deployment, { metadata: { name: mc.metadata.name }, spec: { replicas: mc.spec.size, … } });
 *   return Action.awaitChange();
 * });
 *
 * await new Manager({ namespaces: ["default"] }).add(memcached).start();
 * ```
 * @module
 */

// Errors
export { OperantError, isOperantError } from "./core/errors.ts";
export { ApiError } from "./client/transport/api-error.ts";

// Objects and kinds
export { defineKind, type Kind, type ObjectOf, type InputOf, type KindInput } from "./core/kind.ts";
export { keyOf, refOf, objectKey, type KubeObject, type ObjectMeta, type ObjectRef, type OwnerReference, type Stored } from "./core/object.ts";
export type { Cached, ReadonlyDeep } from "./core/object.ts";
export type { Duration } from "./core/time.ts";
export { parseQuantity, compareQuantities, isQuantity, QUANTITY_PATTERN, type ParsedQuantity } from "./core/quantity.ts";
export type { Logger } from "./core/logger.ts";

// Defining resources
export { defineResource, AGE_COLUMN, type ResourceDefinition, type ResourceObject, type ResourceInput, type PrinterColumn } from "./crd/resource/resource.ts";
export { Condition } from "./crd/types/condition.ts";
export { IntOrString } from "./crd/types/int-or-string.ts";
export { Defaulted, type StaticOutput } from "./crd/types/defaulted.ts";
export { FreeForm } from "./crd/types/free-form.ts";
export { EmbeddedResource } from "./crd/types/embedded-resource.ts";
export { crdManifest, crdManifests } from "./crd/manifest/manifest.ts";
export { installCrds, uninstallCrds } from "./crd/install/install.ts";

// Controllers and the manager
export { Controller, ControllerBuilder, type AnyControllerDefinition, type CacheReader, type ControllerDefinition, type ControllerOptions, type PolicyRule, type Reconciler } from "./runtime/controller/builder.ts";
export { Action, TerminalError, type ReconcileAction } from "./runtime/controller/action.ts";
export { ReconcileContext, type IndexDeclaration } from "./runtime/controller/context.ts";
export { predicates, type ChangeEvent, type Predicate } from "./runtime/controller/predicates.ts";
export { Manager, type ManagerOptions, type MetricsServingOptions, type StatusPageOptions, type Runnable } from "./runtime/manager/manager.ts";
export type { LeaderElector, ElectionHost, ElectionClient } from "./leader/elector.ts";
export type { ControllerStatus } from "./runtime/controller/runner.ts";

// The client
export { Client } from "./client/client.ts";

// Helpers for reconcilers
export { setControllerReference, setOwnerReference, removeOwnerReference, isOwnedBy, controllerOf, type OwnedObject } from "./core/owners/owner-references.ts";
export { setCondition, findCondition, isConditionTrue, isConditionFalse, removeCondition, type ConditionInput, type ConditionStatus } from "./core/conditions/conditions.ts";
export { hasFinalizer, withFinalizer, withoutFinalizer, isBeingDeleted, type FinalizedObject } from "./core/finalizers/finalizers.ts";
export { createOrUpdate, createOrPatch, retryOnConflict } from "./client/mutate/index.ts";
export { labelMatcher, selectorToString, type LabelSelector } from "./core/label-selector.ts";

// High availability
export { LeaseElector, LeaderForLifeElector, FAST_LEASE_TIMINGS, DEFAULT_LEASE_TIMINGS, type LeaderElectionConfig } from "./leader/index.ts";
export { statusReport, renderStatusPage, statusPageRoutes, type StatusReport, type StatusSection, type StatusSectionData, type StatusSectionHost, type StatusSectionReport, type StatusSource } from "./runtime/status-page/status-page.ts";

// Operators as projects
export { defineOperator, type OperatorDefinition, type OperatorOptions } from "./operator/operator.ts";
export { runOperator, parseOperatorFlags, leaderElectionFromFlags, type OperatorFlags, type OperatorFlagSpec, type RunOperatorOptions } from "./operator/run.ts";
