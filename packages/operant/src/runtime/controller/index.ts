/**
 * operant/controller: the pieces a controller is made of, public, for a
 * controller the builder does not describe. Sources turn changes into
 * requests (`fromInformer` with `enqueueSelf` / `enqueueOwner` / a map
 * function, `fromRequests` for any async source); the {@link ControllerRunner}
 * owns the queue and the workers and runs the reconcile contract; the
 * reconcile context reads the cache and writes through the
 * {@link CacheAwareClient}. `Controller.for(…)` is sugar over these.
 *
 * @example
 * ```ts
 * import { ControllerRunner, fromRequests } from "operant/controller";
 * const runner = new ControllerRunner(Controller.for(Site).reconcile(reconcileSite), { client, cache, recorder });
 * runner.addSource(fromRequests(uptimeAlerts()));
 * runner.prepare();
 * cache.start(signal);
 * await runner.run(signal);
 * ```
 * @module
 */
export { Action, TerminalError, type ReconcileAction } from "./action.ts";
export { Controller, ControllerBuilder, type AnyControllerDefinition, type CacheReader, type ControllerDefinition, type ControllerOptions, type ForOptions, type OwnsOptions, type PolicyRule, type Reconciler, type WatchesOptions } from "./builder.ts";
export { CacheAwareClient, type WriteObserver } from "./cache-aware-client.ts";
export { ReconcileContext, type ContextApplyOptions, type ContextDeps, type IndexDeclaration, type IndexNameOf } from "./context.ts";
export { predicates, type ChangeEvent, type Predicate } from "./predicates.ts";
export { ControllerRunner, type ControllerStatus, type RunnerCache, type RunnerDeps } from "./runner.ts";
export { enqueueOwner, enqueueSelf, fromInformer, fromRequests, type InformerSourceOptions, type RequestMapper, type RequestSink, type RequestSource, type Subscribe } from "./sources.ts";
