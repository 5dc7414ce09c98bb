// The local control plane after an API-server outage longer than the node
// monitor grace period: the node lifecycle controller marks the fake Nodes'
// Pods not ready (their kubelet, kwok, could not renew its Leases), and once the
// API server is back they must be Ready again, as a real kubelet's Pods are, so
// that recovery tests can assert rollouts. A control plane of its own: the
// shared one must not go down under other tests.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { ControlPlane, eventually } from "../../src/testing/index.ts";
import { kubectlJson, kubectlOk } from "../support/kubectl.ts";

interface Condition {
  type: string;
  status: string;
}
interface Item {
  metadata: { name: string };
  spec?: { nodeName?: string };
  status?: { phase?: string; conditions?: Condition[] };
}
const ready = (o: Item) => o.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

const OUTAGE_MS = 45_000; // beyond kube-controller-manager's --node-monitor-grace-period (40 s)

test(`full profile: after the API server was down ${OUTAGE_MS / 1000} s, Nodes and the Pods that were running are Ready again and a Deployment scales`, { timeout: 360_000 }, async (t) => {
  const cp = await ControlPlane.start({ profile: "full" });
  t.after(() => cp.stop());
  const kc = cp.kubeconfigPath;
  const ns = `outage-${randomBytes(3).toString("hex")}`;
  await kubectlOk(kc, ["create", "namespace", ns]);
  await kubectlOk(kc, ["-n", ns, "create", "deployment", "web", "--image=nginx:1.27", "--replicas=3"]);
  const pods = () => kubectlJson<{ items: Item[] }>(kc, ["-n", ns, "pods", "-l", "app=web"]);
  await eventually(async () => assert.equal((await pods()).items.filter(ready).length, 3), { timeoutMs: 60_000, description: "3 Ready Pods before the outage" });
  const before = (await pods()).items.map((p) => p.metadata.name).sort();

  await cp.stopApiServer();
  await sleep(OUTAGE_MS);
  await cp.startApiServer(120_000);

  // The node lifecycle controller acts on the missed heartbeats once it can write again: it marks each Pod not ready
  // with a NodeNotReady event. That is the scenario; then kwok must answer as a kubelet would.
  await eventually(
    async () => {
      const events = await kubectlJson<{ items: { involvedObject: { kind: string; name: string } }[] }>(kc, ["-n", ns, "events", "--field-selector", "reason=NodeNotReady"]);
      assert.ok(events.items.some((e) => e.involvedObject.kind === "Pod" && before.includes(e.involvedObject.name)), "a NodeNotReady event for one of the Pods");
    },
    { timeoutMs: 120_000, intervalMs: 1_000, description: "the node lifecycle controller marked the Pods not ready (NodeNotReady)" },
  );
  await eventually(
    async () => {
      const nodes = await kubectlJson<{ items: Item[] }>(kc, ["nodes"]);
      const current = (await pods()).items;
      assert.deepEqual(nodes.items.filter((n) => !ready(n)).map((n) => n.metadata.name), [], "every Node Ready");
      assert.deepEqual(current.filter((p) => !ready(p)).map((p) => p.metadata.name), [], "every Pod Ready");
      assert.deepEqual(current.map((p) => p.metadata.name).sort(), before, "the same Pods (none evicted or replaced)");
    },
    { timeoutMs: 120_000, intervalMs: 1_000, description: "Nodes and Pods Ready again after the outage" },
  );
  // Stable, not a moment between two marks: Ready a while later too.
  await sleep(10_000);
  assert.equal((await pods()).items.filter(ready).length, 3, "still 3 Ready Pods 10 s later");

  await kubectlOk(kc, ["-n", ns, "scale", "deployment", "web", "--replicas=5"]);
  // Components whose watches failed through the outage (scheduler, kwok, controllers) may still be in client-go's
  // backoff (up to 30 s) before they see the new Pods: two minutes, and the Pods' state if it is not enough.
  await eventually(
    async () => {
      const deployment = await kubectlJson<{ status: { readyReplicas?: number } }>(kc, ["-n", ns, "deployment", "web"]);
      const now = (await pods()).items.map((p) => `${p.metadata.name} ${p.status?.phase ?? "-"} on ${p.spec?.nodeName ?? "no Node"}${ready(p) ? " Ready" : ""}`);
      assert.equal(deployment.status.readyReplicas, 5, `Ready replicas; the Pods: ${now.join(", ")}`);
    },
    { timeoutMs: 120_000, intervalMs: 1_000, description: "the Deployment scaled to 5 Ready replicas" },
  );
});
