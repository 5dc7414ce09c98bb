// Controller metrics under controller-runtime's names, labels and buckets, so
// dashboards and alerts written for Go operators work unchanged.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { registeredMetric } from "./registered-metric.ts";

/** controller-runtime's reconcile duration buckets (seconds). */
export const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40,
  50, 60,
];

/** The outcome label of `controller_runtime_reconcile_total`. */
export type ReconcileResultLabel = "success" | "error" | "requeue" | "requeue_after";

/** One controller's view of the shared metric families. */
export interface ControllerMetrics {
  reconciled(result: ReconcileResultLabel, seconds: number): void;
  errored(kind: "error" | "terminal" | "panic"): void;
  workers(max: number): void;
  active(delta: number): void;
}

/**
 * Registers (once per registry) controller-runtime's controller metric
 * families and returns a handle labelled for one controller.
 *
 * @example
 * ```ts
 * const m = controllerMetrics(registry, "memcached");
 * m.reconciled("success", 0.012);
 * ```
 */
export function controllerMetrics(registry: Registry, controller: string): ControllerMetrics {
  const registers = [registry];
  const total = registeredMetric(registry, "controller_runtime_reconcile_total", Counter, () => new Counter({ name: "controller_runtime_reconcile_total", help: "Total number of reconciliations per controller", labelNames: ["controller", "result"], registers }));
  const errors = registeredMetric(registry, "controller_runtime_reconcile_errors_total", Counter, () => new Counter({ name: "controller_runtime_reconcile_errors_total", help: "Total number of reconciliation errors per controller", labelNames: ["controller"], registers }));
  const terminal = registeredMetric(registry, "controller_runtime_terminal_reconcile_errors_total", Counter, () => new Counter({ name: "controller_runtime_terminal_reconcile_errors_total", help: "Total number of terminal reconciliation errors per controller", labelNames: ["controller"], registers }));
  const panics = registeredMetric(registry, "controller_runtime_reconcile_panics_total", Counter, () => new Counter({ name: "controller_runtime_reconcile_panics_total", help: "Total number of reconciliation panics per controller", labelNames: ["controller"], registers }));
  const time = registeredMetric(registry, "controller_runtime_reconcile_time_seconds", Histogram, () => new Histogram({ name: "controller_runtime_reconcile_time_seconds", help: "Length of time per reconciliation per controller", labelNames: ["controller"], buckets: RECONCILE_TIME_BUCKETS, registers }));
  const maxWorkers = registeredMetric(registry, "controller_runtime_max_concurrent_reconciles", Gauge, () => new Gauge({ name: "controller_runtime_max_concurrent_reconciles", help: "Maximum number of concurrent reconciles per controller", labelNames: ["controller"], registers }));
  const activeWorkers = registeredMetric(registry, "controller_runtime_active_workers", Gauge, () => new Gauge({ name: "controller_runtime_active_workers", help: "Number of currently used workers per controller", labelNames: ["controller"], registers }));
  // Children bound to this controller's labels: no label hashing per observation.
  const byResult = { success: total.labels(controller, "success"), error: total.labels(controller, "error"), requeue: total.labels(controller, "requeue"), requeue_after: total.labels(controller, "requeue_after") };
  const errorsC = errors.labels(controller);
  const terminalC = terminal.labels(controller);
  const panicsC = panics.labels(controller);
  const timeC = time.labels(controller);
  const activeC = activeWorkers.labels(controller);
  // Every series from the start, at 0, as controller-runtime does: dashboards and alerts see them before the first error.
  for (const c of Object.values(byResult)) c.inc(0);
  errorsC.inc(0);
  terminalC.inc(0);
  panicsC.inc(0);
  activeC.set(0);
  return {
    reconciled(result, seconds) {
      byResult[result].inc();
      timeC.observe(seconds);
    },
    errored(kind) {
      errorsC.inc();
      if (kind === "terminal") terminalC.inc();
      if (kind === "panic") panicsC.inc();
    },
    workers: (max) => maxWorkers.labels(controller).set(max),
    active: (delta) => activeC.inc(delta),
  };
}
