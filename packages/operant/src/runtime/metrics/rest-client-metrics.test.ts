import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Registry } from "prom-client";
import { controllerMetrics } from "./controller-metrics.ts";
import { REST_CLIENT_DURATION_BUCKETS, restClientMetrics } from "./rest-client-metrics.ts";

describe("controller metrics", () => {
  test("every result series of controller_runtime_reconcile_total exists at 0 from the start, as controller-runtime's", async () => {
    const registry = new Registry();
    controllerMetrics(registry, "memcached");
    const text = await registry.metrics();
    for (const result of ["success", "error", "requeue", "requeue_after"]) {
      assert.match(text, new RegExp(`^controller_runtime_reconcile_total\\{controller="memcached",result="${result}"\\} 0$`, "m"), result);
    }
    assert.match(text, /^controller_runtime_reconcile_errors_total\{controller="memcached"\} 0$/m);
  });
});

describe("REST client metrics", () => {
  test("client-go's names, labels and buckets: requests by code, method and host; latency by verb and host", async () => {
    const registry = new Registry();
    const done = restClientMetrics(registry);
    done({ method: "GET", host: "127.0.0.1:6443", code: "200", seconds: 0.003 });
    done({ method: "GET", host: "127.0.0.1:6443", code: "200", seconds: 0.2 });
    done({ method: "PATCH", host: "127.0.0.1:6443", code: "409", seconds: 0.01 });
    done({ method: "GET", host: "127.0.0.1:6443", code: "<error>", seconds: 30 });
    const text = await registry.metrics();
    assert.match(text, /^rest_client_requests_total\{code="200",method="GET",host="127\.0\.0\.1:6443"\} 2$/m);
    assert.match(text, /^rest_client_requests_total\{code="409",method="PATCH",host="127\.0\.0\.1:6443"\} 1$/m);
    assert.match(text, /^rest_client_requests_total\{code="<error>",method="GET",host="127\.0\.0\.1:6443"\} 1$/m);
    assert.match(text, /^rest_client_request_duration_seconds_bucket\{le="0\.005",verb="GET",host="127\.0\.0\.1:6443"\} 1$/m);
    assert.match(text, /^rest_client_request_duration_seconds_bucket\{le="0\.25",verb="GET",host="127\.0\.0\.1:6443"\} 2$/m);
    assert.match(text, /^rest_client_request_duration_seconds_count\{verb="GET",host="127\.0\.0\.1:6443"\} 3$/m);
    assert.deepEqual(REST_CLIENT_DURATION_BUCKETS, [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60]);
    // A second call on the same registry shares the families.
    restClientMetrics(registry)({ method: "GET", host: "127.0.0.1:6443", code: "200", seconds: 0.001 });
    assert.match(await registry.metrics(), /^rest_client_requests_total\{code="200",method="GET",host="127\.0\.0\.1:6443"\} 3$/m);
  });
});
