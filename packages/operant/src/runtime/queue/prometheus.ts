// WorkQueueMetrics on prom-client, with controller-runtime's metric names,
// help texts, labels and buckets (pkg/metrics/workqueue.go), so existing
// dashboards and alerts for Go operators work unchanged.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { registeredMetric } from "../metrics/registered-metric.ts";
import type { WorkQueueMetrics } from "./metrics.ts";

/**
 * The names of the work-queue metrics, as controller-runtime exports them.
 *
 * @example
 * ```ts
 * for (const name of WORK_QUEUE_METRIC_NAMES) registry.removeSingleMetric(name);
 * ```
 */
export const WORK_QUEUE_METRIC_NAMES = [
  "workqueue_depth",
  "workqueue_adds_total",
  "workqueue_queue_duration_seconds",
  "workqueue_work_duration_seconds",
  "workqueue_unfinished_work_seconds",
  "workqueue_longest_running_processor_seconds",
  "workqueue_retries_total",
] as const;

/**
 * controller-runtime's histogram buckets: `prometheus.ExponentialBuckets(10e-9, 10, 12)`, 10 ns to 1000 s.
 *
 * @example
 * ```ts
 * new Histogram({ name: "my_queue_wait_seconds", help: "…", buckets: [...WORK_QUEUE_DURATION_BUCKETS], registers: [registry] });
 * ```
 */
export const WORK_QUEUE_DURATION_BUCKETS: readonly number[] = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 100, 1000];

/**
 * Options of {@link prometheusWorkQueueMetrics}.
 *
 * @example
 * ```ts
 * const options: PrometheusWorkQueueMetricsOptions = { registry, name: "memcached" };
 * ```
 */
export interface PrometheusWorkQueueMetricsOptions {
  /** Where the metrics are registered (created on first use, shared by all queues using this registry). Never the global registry unless you pass it. */
  registry: Registry;
  /** Value of the `name` label: the queue's name, by convention the controller's name. */
  name: string;
  /** Value of the `controller` label (default: `name`, as controller-runtime does). */
  controller?: string;
}

type Labels = "name" | "controller";

/**
 * Work-queue metrics for a prom-client `Registry`, named and labelled
 * exactly as controller-runtime's: `workqueue_depth{name,controller,priority}`
 * (priority as an integer string, "0" or "-100"), and
 * `workqueue_adds_total`, `workqueue_queue_duration_seconds`,
 * `workqueue_work_duration_seconds`, `workqueue_unfinished_work_seconds`,
 * `workqueue_longest_running_processor_seconds`, `workqueue_retries_total`
 * with `{name,controller}`; histograms use buckets 1e-8 … 1e3 s. The metrics
 * are created on `registry` the first time and reused by later queues.
 * Throws `MetricConflict` if one of these names is registered there
 * with another metric type.
 *
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * const registry = new Registry();
 * const queue = new WorkQueue({ metrics: prometheusWorkQueueMetrics({ registry, name: "memcached" }) });
 * ```
 */
export function prometheusWorkQueueMetrics(options: PrometheusWorkQueueMetricsOptions): WorkQueueMetrics {
  const { registry, name } = options;
  const controller = options.controller ?? name;
  const registers = [registry];

  const depth = registeredMetric(registry, "workqueue_depth", Gauge, () => new Gauge<Labels | "priority">({ name: "workqueue_depth", help: "Current depth of workqueue by workqueue and priority", labelNames: ["name", "controller", "priority"], registers }));
  const adds = registeredMetric(registry, "workqueue_adds_total", Counter, () => new Counter<Labels>({ name: "workqueue_adds_total", help: "Total number of adds handled by workqueue", labelNames: ["name", "controller"], registers }));
  const latency = registeredMetric(registry, "workqueue_queue_duration_seconds", Histogram, () => new Histogram<Labels>({ name: "workqueue_queue_duration_seconds", help: "How long in seconds an item stays in workqueue before being requested", labelNames: ["name", "controller"], buckets: [...WORK_QUEUE_DURATION_BUCKETS], registers }));
  const workDuration = registeredMetric(registry, "workqueue_work_duration_seconds", Histogram, () => new Histogram<Labels>({ name: "workqueue_work_duration_seconds", help: "How long in seconds processing an item from workqueue takes.", labelNames: ["name", "controller"], buckets: [...WORK_QUEUE_DURATION_BUCKETS], registers }));
  const unfinished = registeredMetric(registry, "workqueue_unfinished_work_seconds", Gauge, () => new Gauge<Labels>({ name: "workqueue_unfinished_work_seconds", help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.", labelNames: ["name", "controller"], registers }));
  const longest = registeredMetric(registry, "workqueue_longest_running_processor_seconds", Gauge, () => new Gauge<Labels>({ name: "workqueue_longest_running_processor_seconds", help: "How many seconds has the longest running processor for workqueue been running.", labelNames: ["name", "controller"], registers }));
  const retries = registeredMetric(registry, "workqueue_retries_total", Counter, () => new Counter<Labels>({ name: "workqueue_retries_total", help: "Total number of retries handled by workqueue", labelNames: ["name", "controller"], registers }));

  const labels = { name, controller };
  const addsChild = adds.labels(labels);
  const latencyChild = latency.labels(labels);
  const workChild = workDuration.labels(labels);
  const unfinishedChild = unfinished.labels(labels);
  const longestChild = longest.labels(labels);
  const retriesChild = retries.labels(labels);
  // Every series exists from the queue's creation on, as in controller-runtime
  // (which creates them with WithLabelValues when the queue is built).
  addsChild.inc(0);
  retriesChild.inc(0);
  latency.zero(labels);
  workDuration.zero(labels);
  unfinishedChild.set(0);
  longestChild.set(0);
  const depthChildren = new Map<number, Gauge.Internal<Labels | "priority">>();
  const depthOf = (priority: number) => {
    let child = depthChildren.get(priority);
    if (!child) {
      child = depth.labels({ name, controller, priority: String(priority) });
      depthChildren.set(priority, child);
    }
    return child;
  };

  return {
    depth: (priority, delta) => depthOf(priority).inc(delta),
    added: () => addsChild.inc(),
    queueDuration: (seconds) => latencyChild.observe(seconds),
    workDuration: (seconds) => workChild.observe(seconds),
    unfinishedWork: (unfinishedSeconds, longestRunningSeconds) => {
      unfinishedChild.set(unfinishedSeconds);
      longestChild.set(longestRunningSeconds);
    },
    retried: () => retriesChild.inc(),
  };
}
