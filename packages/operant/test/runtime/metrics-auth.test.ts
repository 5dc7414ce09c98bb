// The manager's secure metrics against the real API server: HTTPS, each
// request's ServiceAccount token checked with a TokenReview and its user
// authorised with a SubjectAccessReview for get /metrics. The manager runs
// under the operator's own ServiceAccount with only the generated
// metrics-auth ClusterRole, and readers are bound to the generated
// metrics-reader ClusterRole: what `operant generate` writes is what works.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { Client } from "../../src/client/client.ts";
import { ClusterRole, ClusterRoleBinding, ServiceAccount } from "../../src/kinds/index.ts";
import { defineOperator } from "../../src/operator/operator.ts";
import { rbacFor } from "../../src/operator/rbac.ts";
import { createCertificateAuthority } from "../../src/pki/pki.ts";
import { Manager } from "../../src/runtime/manager/manager.ts";
import { testCluster, type TestCluster } from "../../src/testing/index.ts";

const suffix = randomBytes(3).toString("hex");
const op = defineOperator({ name: `metrics-${suffix}`, controllers: [] });
const ca = createCertificateAuthority("metrics-test-ca");
const pair = ca.issue({ commonName: "metrics", hosts: ["127.0.0.1"], usage: "server" });

let cluster: TestCluster;
let ns: string;
let manager: Manager;
let stopped: Promise<void>;
const tokens: Record<"reader" | "stranger", string> = { reader: "", stranger: "" };
const cleanup: (() => Promise<unknown>)[] = [];

async function tokenOf(name: string): Promise<string> {
  const path = await cluster.controlPlane.serviceAccountKubeconfig({ namespace: ns, name });
  const kc = parse(await readFile(path, "utf8")) as { users: { user: { token: string } }[] };
  return kc.users[0]!.user.token;
}

/** GET over HTTPS, trusting only the test CA. */
function get(address: string, path: string, token?: string): Promise<{ status: number; body: string }> {
  const [host, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))];
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, ca: ca.certPem, servername: "127.0.0.1", headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 30_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} on ${address}: no answer in 30 s`)));
    req.on("error", reject);
    req.end();
  });
}

before(async () => {
  cluster = await testCluster();
  ns = await cluster.namespace("metrics-auth");
  // The generated metrics-auth (bound to the operator's ServiceAccount) and metrics-reader ClusterRoles.
  const rbac = rbacFor(op, { namespace: ns });
  const operatorAccount = rbac.serviceAccount.metadata.name;
  for (const name of [operatorAccount, "reader", "stranger"]) await cluster.client.create(ServiceAccount, { metadata: { name, namespace: ns } });
  for (const role of rbac.clusterRoles.filter((r) => r.metadata.name.startsWith(`${op.name}-metrics-`))) {
    await cluster.client.create(ClusterRole, role);
    cleanup.push(() => cluster.client.delete(ClusterRole, { name: role.metadata.name }));
  }
  for (const b of rbac.clusterRoleBindings.filter((x) => x.metadata.name === `${op.name}-metrics-auth`)) {
    await cluster.client.create(ClusterRoleBinding, b);
    cleanup.push(() => cluster.client.delete(ClusterRoleBinding, { name: b.metadata.name }));
  }
  await cluster.client.create(ClusterRoleBinding, {
    metadata: { name: `${op.name}-metrics-reader` },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${op.name}-metrics-reader` },
    subjects: [{ kind: "ServiceAccount", name: "reader", namespace: ns }],
  });
  cleanup.push(() => cluster.client.delete(ClusterRoleBinding, { name: `${op.name}-metrics-reader` }));
  tokens.reader = await tokenOf("reader");
  tokens.stranger = await tokenOf("stranger");
  // The manager under the operator's ServiceAccount: it can create the reviews and nothing else.
  const client = await Client.connect({ kubeconfig: await cluster.controlPlane.serviceAccountKubeconfig({ namespace: ns, name: operatorAccount }) });
  cleanup.push(() => client.close());
  manager = new Manager({
    client,
    namespaces: [ns],
    metricsBindAddress: "127.0.0.1:0",
    metricsServing: { secure: true, certificates: { start: () => Promise.resolve(pair), subscribe: () => () => undefined } },
    healthBindAddress: "127.0.0.1:0",
    statusPage: { bindAddress: "127.0.0.1:0" },
    handleSignals: false,
    gracefulShutdownTimeout: "1s",
  });
  // No controllers: a runnable that waits keeps the manager up until stop().
  manager.add({ name: "idle", start: (signal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })) });
  stopped = manager.start();
  // A start that fails says why (rather than "stopped before it was listening").
  await manager.listening.catch(async (err: unknown) => {
    await stopped;
    throw err;
  });
});

after(async () => {
  manager?.stop();
  await stopped?.catch(() => {});
  for (const c of cleanup.reverse()) await c().catch(() => {});
  await cluster?.close();
});

describe("secure metrics (TokenReview + SubjectAccessReview)", { timeout: 120_000 }, () => {
  test("a ServiceAccount bound to metrics-reader gets 200 and the metrics", async () => {
    const res = await get(manager.addresses.metrics!, "/metrics", tokens.reader);
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /process_cpu_user_seconds_total/);
  });

  test("a ServiceAccount without the binding gets 403, naming the user and the role to bind", async () => {
    const res = await get(manager.addresses.metrics!, "/metrics", tokens.stranger);
    assert.equal(res.status, 403);
    assert.match(res.body, new RegExp(`system:serviceaccount:${ns}:stranger" may not get /metrics`));
  });

  test("no token gets 401; a token the API server does not accept gets 401", async () => {
    const none = await get(manager.addresses.metrics!, "/metrics");
    assert.equal(none.status, 401);
    assert.match(none.body, /Authorization: Bearer/);
    const bogus = await get(manager.addresses.metrics!, "/metrics", "not-a-real-token");
    assert.equal(bogus.status, 401);
  });

  test("answers are cached per token: a second scrape makes no API call", async () => {
    await get(manager.addresses.metrics!, "/metrics", tokens.reader);
    const before = manager.metricsAuthorizer!.reviews;
    for (let i = 0; i < 3; i++) assert.equal((await get(manager.addresses.metrics!, "/metrics", tokens.reader)).status, 200);
    assert.equal(manager.metricsAuthorizer!.reviews, before);
  });

  test("the status page is not on the metrics port but on its own loopback listener", async () => {
    assert.equal((await get(manager.addresses.metrics!, "/status", tokens.reader)).status, 404);
    assert.match(manager.addresses.status!, /^127\.0\.0\.1:\d+$/);
    const res = await fetch(`http://${manager.addresses.status}/status`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { operator: string }).operator, "operant");
  });
});
