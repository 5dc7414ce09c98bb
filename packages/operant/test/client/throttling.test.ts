// 429 Too Many Requests for real: an API server of our own that admits one
// request at a time (max-in-flight filter, priority and fairness off) answers
// concurrent requests with 429 and `Retry-After: 1`. The client waits and
// retries; with maxRetries 0 it surfaces TooManyRequests. The limit does not
// apply to system:masters (the admin kubeconfig), so the requests come from a
// user bound to cluster-admin instead.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "../../src/client/client.ts";
import { loadClusterConfig, type ClusterConfig } from "../../src/client/config/index.ts";
import { ApiError } from "../../src/client/transport/api-error.ts";
import { ClusterRoleBinding, ConfigMap, Namespace } from "../../src/kinds/index.ts";
import { ControlPlane } from "../../src/testing/index.ts";
import { inPool } from "./cluster-fixtures.ts";

/** The config with credentials that count requests sent (one `get()` per attempt). */
function countingAttempts(config: ClusterConfig): { config: ClusterConfig; attempts: () => number } {
  let attempts = 0;
  return {
    config: {
      ...config,
      credentials: {
        get: (signal) => {
          attempts++;
          return config.credentials.get(signal);
        },
        invalidate: () => config.credentials.invalidate(),
      },
    },
    attempts: () => attempts,
  };
}

describe("429 Too Many Requests from a real API server", { timeout: 90_000 }, () => {
  let cp: ControlPlane;
  let admin: Client;
  let userConfig: ClusterConfig;
  const ns = "throttled";
  before(async () => {
    cp = await ControlPlane.start({
      profile: "minimal",
      apiServerFlags: ["--max-requests-inflight=1", "--max-mutating-requests-inflight=1", "--enable-priority-and-fairness=false"],
    });
    admin = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity });
    await admin.create(Namespace, { metadata: { name: ns } });
    await admin.create(ClusterRoleBinding, {
      metadata: { name: "throttled-user-admin" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "throttled-user" }],
    });
    // Lists big enough (~2 MB) that concurrent ones overlap on the server.
    const blob = "x".repeat(4096);
    await inPool(
      Array.from({ length: 500 }, (_, i) => `cm-${i}`),
      8,
      (name) => admin.create(ConfigMap, { metadata: { name, namespace: ns }, data: { blob } }),
    );
    userConfig = await loadClusterConfig({ kubeconfig: await cp.userKubeconfig({ user: "throttled-user" }), env: {} });
  });
  after(async () => {
    await admin?.close();
    await cp?.stop();
  });

  test("concurrent requests beyond the in-flight limit are retried after Retry-After and all succeed", async (t) => {
    const c = countingAttempts(userConfig);
    const client = Client.fromConfig(c.config, { qps: Infinity, maxRetries: 8 });
    try {
      let requests = 0;
      const started = Date.now();
      // Usually the first round already collides; a few rounds make sure it did.
      for (let round = 0; round < 5 && c.attempts() === requests; round++) {
        const lists = await Promise.all(Array.from({ length: 3 }, () => client.list(ConfigMap, { namespace: ns, limit: 1000 })));
        requests += lists.length;
        for (const list of lists) assert.equal(list.items.length, 500);
      }
      const retries = c.attempts() - requests;
      assert.ok(retries >= 1, `the API server never answered 429 (${requests} requests, ${c.attempts()} attempts)`);
      const took = Date.now() - started;
      t.diagnostic(`${requests} requests, ${retries} retried after 429, ${took} ms`);
      assert.ok(took >= 900, "each retry waited for Retry-After (1 s)");
    } finally {
      await client.close();
    }
  });

  test("with maxRetries 0, a 429 surfaces as TooManyRequests (retryable) with retryAfterSeconds", async () => {
    const client = Client.fromConfig(userConfig, { qps: Infinity, maxRetries: 0 });
    try {
      let refused: ApiError | undefined;
      for (let round = 0; round < 5 && !refused; round++) {
        const results = await Promise.allSettled(Array.from({ length: 4 }, () => client.list(ConfigMap, { namespace: ns, limit: 1000 })));
        for (const r of results) {
          if (r.status === "fulfilled") continue;
          assert.ok(r.reason instanceof ApiError, String(r.reason));
          refused = r.reason;
        }
        assert.ok(results.some((r) => r.status === "fulfilled"), "one request at a time is still admitted");
      }
      assert.ok(refused, "the API server never answered 429");
      assert.equal(refused.code, "TooManyRequests");
      assert.equal(refused.status, 429);
      assert.equal(refused.retryable, true);
      assert.equal(refused.retryAfterSeconds, 1);
      assert.match(refused.message, /Too many requests, please try again later/);
      assert.match(refused.message, /retry after the indicated delay/);
    } finally {
      await client.close();
    }
  });

  test("the admin (system:masters) is never throttled", async () => {
    const c = countingAttempts(await loadClusterConfig({ kubeconfig: cp.kubeconfigPath, env: {} }));
    const client = Client.fromConfig(c.config, { qps: Infinity, maxRetries: 0 });
    try {
      const lists = await Promise.all(Array.from({ length: 4 }, () => client.list(ConfigMap, { namespace: ns, limit: 1000 })));
      assert.ok(lists.every((l) => l.items.length === 500));
      assert.equal(c.attempts(), 4);
    } finally {
      await client.close();
    }
  });
});
