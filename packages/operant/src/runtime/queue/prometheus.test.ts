import assert from "node:assert/strict";
import { test } from "node:test";
import { Counter, Registry, register as globalRegistry } from "prom-client";
import { isOperantError } from "../../core/errors.ts";
import { ManualClock } from "../../core/clock.ts";
import { prometheusWorkQueueMetrics, WORK_QUEUE_METRIC_NAMES } from "./prometheus.ts";
import { Priority, WorkQueue } from "./work-queue.ts";

async function value(registry: Registry, metric: string, labels: Record<string, string>): Promise<number | undefined> {
  // Histogram series carry their own metricName (…_sum, …_count, …_bucket).
  const base = metric.replace(/_(sum|count|bucket)$/, "");
  const data = await registry.getSingleMetric(base)?.get();
  const values: { value: number; labels: Partial<Record<string, string | number>>; metricName?: string }[] = data?.values ?? [];
  return values.find((v) => (v.metricName ?? base) === metric && Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

test("registers controller-runtime's workqueue metric names on the given registry only", { timeout: 5_000 }, async () => {
  const before = globalRegistry.getMetricsAsArray().length;
  const registry = new Registry();
  prometheusWorkQueueMetrics({ registry, name: "memcached" });
  const names = registry.getMetricsAsArray().map((m) => m.name).sort();
  assert.deepEqual(names, [
    "workqueue_adds_total",
    "workqueue_depth",
    "workqueue_longest_running_processor_seconds",
    "workqueue_queue_duration_seconds",
    "workqueue_retries_total",
    "workqueue_unfinished_work_seconds",
    "workqueue_work_duration_seconds",
  ]);
  assert.deepEqual(names, [...WORK_QUEUE_METRIC_NAMES].sort());
  assert.equal(globalRegistry.getMetricsAsArray().length, before, "nothing on the global registry");
  const text = await registry.metrics();
  assert.match(text, /# TYPE workqueue_depth gauge/);
  assert.match(text, /# TYPE workqueue_adds_total counter/);
  assert.match(text, /# TYPE workqueue_queue_duration_seconds histogram/);
  assert.match(text, /# HELP workqueue_queue_duration_seconds How long in seconds an item stays in workqueue before being requested/);
  assert.match(text, /workqueue_adds_total\{name="memcached",controller="memcached"\} 0/);
  assert.match(text, /workqueue_retries_total\{name="memcached",controller="memcached"\} 0/);
  assert.match(text, /workqueue_unfinished_work_seconds\{name="memcached",controller="memcached"\} 0/);
  const buckets = [...text.matchAll(/workqueue_work_duration_seconds_bucket\{le="([^"]+)"/g)].map((m) => (m[1] === "+Inf" ? Infinity : Number(m[1])));
  assert.deepEqual(buckets, [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 100, 1000, Infinity], "ExponentialBuckets(10e-9, 10, 12)");
});

test("a queue's activity shows in the metrics, with name, controller and priority labels", { timeout: 5_000 }, async () => {
  const registry = new Registry();
  const clock = new ManualClock();
  const queue = new WorkQueue({ clock, metrics: prometheusWorkQueueMetrics({ registry, name: "web", controller: "web-controller" }) });
  const labels = { name: "web", controller: "web-controller" };
  queue.add("a");
  queue.add("b", { priority: Priority.Low });
  queue.add("c", { priority: Priority.Low });
  assert.equal(await value(registry, "workqueue_depth", { ...labels, priority: "0" }), 1);
  assert.equal(await value(registry, "workqueue_depth", { ...labels, priority: "-100" }), 2);
  assert.equal(await value(registry, "workqueue_adds_total", labels), 3);
  clock.advance(2_000);
  assert.equal(await queue.get(), "a");
  assert.equal(await value(registry, "workqueue_depth", { ...labels, priority: "0" }), 0);
  assert.equal(await value(registry, "workqueue_queue_duration_seconds_count", labels), 1);
  assert.equal(await value(registry, "workqueue_queue_duration_seconds_sum", labels), 2);
  clock.advance(1_500);
  assert.equal(await value(registry, "workqueue_longest_running_processor_seconds", labels), 1.5);
  assert.equal(await value(registry, "workqueue_unfinished_work_seconds", labels), 1.5);
  queue.done("a");
  assert.equal(await value(registry, "workqueue_work_duration_seconds_sum", labels), 1.5);
  assert.equal(await value(registry, "workqueue_longest_running_processor_seconds", labels), 0);
  queue.addRateLimited("a");
  queue.addRateLimited("a");
  assert.equal(await value(registry, "workqueue_retries_total", labels), 2);
  await queue.shutdown();
  assert.equal(await value(registry, "workqueue_depth", { ...labels, priority: "-100" }), 0);
});

test("queues share the metrics of one registry, one series per queue; a name taken by another type is an error", { timeout: 5_000 }, async () => {
  const registry = new Registry();
  const one = new WorkQueue({ clock: new ManualClock(), metrics: prometheusWorkQueueMetrics({ registry, name: "one" }) });
  const two = new WorkQueue({ clock: new ManualClock(), metrics: prometheusWorkQueueMetrics({ registry, name: "two" }) });
  one.add("a");
  two.add("a");
  two.add("b");
  assert.equal(await value(registry, "workqueue_adds_total", { name: "one" }), 1);
  assert.equal(await value(registry, "workqueue_adds_total", { name: "two" }), 2);

  const taken = new Registry();
  new Counter({ name: "workqueue_depth", help: "not a gauge", registers: [taken] });
  assert.throws(() => prometheusWorkQueueMetrics({ registry: taken, name: "x" }), (e) => isOperantError(e, "MetricConflict"));
});
