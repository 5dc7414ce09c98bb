/**
 * The work queue controllers pull reconcile keys from: deduplicated, one
 * worker per key, priorities that cannot starve, delayed and rate-limited
 * retries, metrics hooks (with a prom-client adapter using
 * controller-runtime's metric names), and an injectable clock.
 *
 * @example
 * ```ts
 * import { WorkQueue, Priority, prometheusWorkQueueMetrics } from "operant/queue";
 * const queue = new WorkQueue({ metrics: prometheusWorkQueueMetrics({ registry, name: "memcached" }) });
 * queue.add("default/web", { priority: Priority.Low });
 * const key = await queue.get(signal);
 * ```
 * @module
 */
export { WorkQueue, Priority, type AddOptions, type ShutdownOptions, type WorkQueueOptions } from "./work-queue.ts";
export {
  BucketRateLimiter,
  ExponentialBackoffRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  type BucketRateLimiterOptions,
  type ControllerRateLimiterOptions,
  type ExponentialBackoffOptions,
  type RateLimiter,
} from "./rate-limiter.ts";
export type { WorkQueueMetrics } from "./metrics.ts";
export { prometheusWorkQueueMetrics, WORK_QUEUE_DURATION_BUCKETS, WORK_QUEUE_METRIC_NAMES, type PrometheusWorkQueueMetricsOptions } from "./prometheus.ts";
export { ManualClock, systemClock, type Clock, type Timer, type TimerOptions } from "../../core/clock.ts";
