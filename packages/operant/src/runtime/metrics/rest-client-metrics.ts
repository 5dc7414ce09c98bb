// client-go's REST client metrics, under its names, labels and buckets, so
// dashboards written for Go operators (API request rate by code, latency by
// verb) work unchanged. Fed by the client's transport (`onRequestDone`).
import { Counter, Histogram, type Registry } from "prom-client";
import { registeredMetric } from "./registered-metric.ts";

/**
 * One finished API request attempt, as the client's transport reports it
 * (`onRequestDone`): its HTTP method, the API server's host:port, the status
 * code (or `<error>`) and its duration.
 *
 * @example
 * ```ts
 * const done: RestRequestDone = { method: "GET", host: "127.0.0.1:6443", code: "200", seconds: 0.004 };
 * ```
 */
export interface RestRequestDone {
  method: string;
  host: string;
  code: string;
  seconds: number;
}

/** client-go's `rest_client_request_duration_seconds` buckets (seconds). */
export const REST_CLIENT_DURATION_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

/**
 * Registers (once per registry) `rest_client_requests_total{code,method,host}`
 * and `rest_client_request_duration_seconds{verb,host}` and returns the
 * function a transport calls after each request attempt.
 *
 * @example
 * ```ts
 * const client = await Client.connect({ onRequestDone: restClientMetrics(registry) });
 * ```
 */
export function restClientMetrics(registry: Registry): (done: RestRequestDone) => void {
  const registers = [registry];
  const total = registeredMetric(registry, "rest_client_requests_total", Counter, () => new Counter({ name: "rest_client_requests_total", help: "Number of HTTP requests, partitioned by status code, method, and host.", labelNames: ["code", "method", "host"], registers }));
  const duration = registeredMetric(registry, "rest_client_request_duration_seconds", Histogram, () => new Histogram({ name: "rest_client_request_duration_seconds", help: "Request latency in seconds. Broken down by verb, and host.", labelNames: ["verb", "host"], buckets: REST_CLIENT_DURATION_BUCKETS, registers }));
  return (done) => {
    total.inc({ code: done.code, method: done.method, host: done.host });
    duration.observe({ verb: done.method, host: done.host }, done.seconds);
  };
}
