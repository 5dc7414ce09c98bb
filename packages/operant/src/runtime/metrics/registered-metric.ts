// "Get or create" for prom-client metrics: operant's metric families are
// created on a registry the first time and shared by everything that uses
// that registry afterwards (every controller, every work queue).
import type { Registry } from "prom-client";
import { OperantError } from "../../core/errors.ts";

/**
 * The metric `name` on `registry`: the one already there, or `create()`'s
 * (which registers it). Throws `MetricConflict` when a metric of that name
 * but of another type than `type` is already registered.
 *
 * @example
 * ```ts
 * const adds = registeredMetric(registry, "workqueue_adds_total", Counter, () => new Counter({ name: "workqueue_adds_total", help: "…", registers: [registry] }));
 * ```
 */
export function registeredMetric<M>(registry: Registry, name: string, type: abstract new (...args: never[]) => unknown, create: () => M): M {
  const existing = registry.getSingleMetric(name);
  if (existing === undefined) return create();
  if (existing instanceof type) return existing as M;
  const actual = (existing as unknown as { constructor: { name: string } }).constructor.name.toLowerCase();
  throw new OperantError("MetricConflict", `metric ${name} is already registered on this registry as a ${actual}, not a ${type.name.toLowerCase()}: remove it, or use a separate registry for your own metrics of that name.`);
}
