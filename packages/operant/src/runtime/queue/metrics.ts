// What a work queue reports, as plain callbacks: the queue does not depend
// on any metrics library. prometheus.ts maps these onto controller-runtime's
// workqueue_* metrics.

/**
 * Callbacks a {@link WorkQueue} calls as it works; every one is optional.
 * They mirror what client-go's workqueue reports (`MetricsProvider`), and
 * are called synchronously, so keep them cheap.
 *
 * @example
 * ```ts
 * let depth = 0;
 * const metrics: WorkQueueMetrics = { depth: (_priority, delta) => (depth += delta) };
 * const queue = new WorkQueue({ metrics });
 * ```
 */
export interface WorkQueueMetrics {
  /**
   * The number of keys waiting at `priority` changed by `delta` (+1 or -1).
   * A key waits from when it is added (or, for a delayed add, falls due)
   * until a worker gets it; a key parked behind its own in-flight run counts.
   */
  depth?(priority: number, delta: number): void;
  /** A key started waiting (an add that was not deduplicated). */
  added?(): void;
  /** A worker got a key that had waited `seconds` since it was added. */
  queueDuration?(seconds: number): void;
  /** A worker called `done` for a key it had held for `seconds`. */
  workDuration?(seconds: number): void;
  /**
   * Periodic while keys are in flight (and once with zeros when the last one
   * is done): the summed age of all in-flight keys, and the age of the oldest.
   * Large or steadily growing values mean stuck workers.
   */
  unfinishedWork?(unfinishedSeconds: number, longestRunningSeconds: number): void;
  /** `addAfter` or `addRateLimited` was called (a retry was handled). */
  retried?(): void;
}
