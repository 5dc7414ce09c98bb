// The agent operator against the shared `full` control plane (three kwok
// Nodes; kwok plays the kubelet, so DaemonSet Pods become Running and
// Ready). The operator runs as real processes (src/main.ts), several
// replicas each bound to its own Pod object, as in seed 000's manual test;
// each test has its own namespace, and every replica is killed after it.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { findCondition, type Client, type Stored } from "operant";
import { ConfigMap, DaemonSet, Lease, Pod } from "operant/kinds";
import { eventually, testCluster, type TestCluster } from "operant/testing";
import { Agent, AGENT_LABEL, LEADER_LABEL, LEADER_SINCE_ANNOTATION } from "../src/api/agent.ts";
import operator from "../src/operator.ts";
import { Replica } from "./support/replicas.ts";

const SAMPLE = fileURLToPath(new URL("../samples/agent.yaml", import.meta.url));
const LOCK = operator.leaderElection.id;
let cluster: TestCluster;
let client: Client;

before(async () => {
  cluster = await testCluster({ resources: operator.resources });
  client = cluster.client;
});
after(() => cluster.close());

/** Pod objects for operator replicas (nothing runs in them: the replicas are processes of this test). */
async function operatorPods(ns: string, names: readonly string[]): Promise<Map<string, string>> {
  const pods = await Promise.all(names.map((name) => client.create(Pod, { metadata: { name, namespace: ns, labels: { app: "agent-operator" } }, spec: { nodeName: "kwok-node-0", containers: [{ name: "manager", image: "agent-operator:latest" }] } })));
  return new Map(pods.map((p) => [p.metadata.name, p.metadata.uid]));
}

const isReady = (p: Stored<Pod>) => !p.metadata.deletionTimestamp && p.status?.phase === "Running" && (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
// As the operator orders them: creationTimestamp (second precision), then name by code units.
const byAge = (a: Stored<Pod>, b: Stored<Pod>) => Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);
const agentPods = async (ns: string, name: string) => (await client.list(Pod, { namespace: ns, labelSelector: { [AGENT_LABEL]: name } })).items;
const labelled = (pods: readonly Stored<Pod>[]) => pods.filter((p) => p.metadata.labels?.[LEADER_LABEL] === "true").map((p) => p.metadata.name);

/**
 * Resolves once the Agent and its Pods have not changed for a second: a write a
 * SIGKILLed replica had already sent can still be committed after its process
 * is gone (later still on a loaded machine), and a test reading right after
 * the kill would see the state before it.
 */
async function quiet(ns: string, name: string): Promise<void> {
  const versions = async () => JSON.stringify([(await client.get(Agent, { namespace: ns, name })).metadata.resourceVersion, ...(await agentPods(ns, name)).map((p) => p.metadata.resourceVersion)]);
  let last = await versions();
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    await sleep(1_000);
    const now = await versions();
    if (now === last) return;
    last = now;
  }
  assert.fail(`agent ${ns}/${name} and its Pods kept changing for 20 s after the operator was killed`);
}

interface Converged {
  agent: Stored<Agent>;
  pods: Stored<Pod>[];
  leader: Stored<Pod>;
}

/**
 * Waits until the Agent has three agent Pods (none terminating), `ready` of
 * them Ready, exactly one labelled agent leader, and a status that names it.
 */
async function converged(ns: string, name: string, options: { ready?: number; not?: string } = {}): Promise<Converged> {
  const ready = options.ready ?? 3;
  return eventually(
    async () => {
      const pods = await agentPods(ns, name);
      assert.equal(pods.filter((p) => !p.metadata.deletionTimestamp).length, 3, "one agent Pod per Node");
      assert.equal(pods.filter(isReady).length, ready, "Ready agent Pods");
      assert.equal(new Set(pods.map((p) => p.spec?.nodeName)).size, 3, "on three Nodes");
      const marked = labelled(pods);
      assert.equal(marked.length, 1, `exactly one Pod labelled leader, got ${marked.join(", ") || "none"}`);
      const leader = pods.find((p) => p.metadata.name === marked[0])!;
      if (options.not) assert.notEqual(leader.metadata.name, options.not, "a new agent leader");
      assert.ok(isReady(leader), "the agent leader is Ready");
      const agent = await client.get(Agent, { namespace: ns, name });
      assert.deepEqual(agent.status?.leader, { pod: leader.metadata.name, uid: leader.metadata.uid, node: leader.spec?.nodeName, since: leader.metadata.annotations?.[LEADER_SINCE_ANNOTATION] });
      assert.equal(agent.status?.readyPods, ready);
      assert.equal(agent.status?.desiredPods, 3);
      assert.equal(findCondition(agent.status?.conditions ?? [], "LeaderElected")?.status, "True");
      assert.equal(findCondition(agent.status?.conditions ?? [], "Available")?.status, ready === 3 ? "True" : "False");
      return { agent, pods, leader };
    },
    { timeoutMs: 30_000, description: `${name}: 3 agent Pods, ${ready} Ready, one agent leader${options.not ? ` other than ${options.not}` : ""}` },
  );
}

/** The one replica leading, once every running replica agrees on it (leader-for-life: its Pod's name). */
async function operatorLeader(replicas: readonly Replica[], timeoutMs = 20_000): Promise<Replica> {
  return eventually(
    async () => {
      const running = replicas.filter((r) => r.running);
      const reports = await Promise.all(running.map((r) => r.status()));
      const leading = running.filter((_r, i) => reports[i]!.leading);
      assert.equal(leading.length, 1, `exactly one replica leads, got ${leading.map((r) => r.name).join(", ") || "none"}`);
      for (const [i, s] of reports.entries()) assert.equal(s.holder, leading[0]!.name, `${running[i]!.name} names the operator leader's Pod`);
      return leading[0]!;
    },
    { timeoutMs, intervalMs: 100, description: "one operator leader" },
  );
}

/** Every running replica's status page shows the same operator leader and agent leader. */
async function pagesAgree(replicas: readonly Replica[], operatorLeaderName: string, agent: string, agentLeader: string): Promise<void> {
  await eventually(
    async () => {
      for (const r of replicas.filter((x) => x.running)) {
        const s = await r.status();
        assert.equal(s.mode, "leader-for-life");
        assert.equal(s.holder, operatorLeaderName, `${r.name}: operator leader`);
        assert.equal(s.leading, r.name === operatorLeaderName);
        const rows = await r.agentLeaders();
        assert.equal(rows.length, 1);
        assert.equal(rows[0]!.agent, agent);
        assert.equal(rows[0]!.leader, agentLeader, `${r.name}: agent leader`);
        assert.deepEqual(rows[0]!.labelled, [agentLeader], `${r.name}: labelled Pods as its cache sees them`);
        assert.match(rows[0]!.ready, /^[0-3]\/3$/, "Ready agents of desired");
      }
    },
    { timeoutMs: 10_000, description: "every status page shows the same operator and agent leader" },
  );
}

describe("agent operator", { timeout: 150_000 }, () => {
  test("seed 000 walkthrough: three replicas, one leads (ConfigMap lock owned by its Pod); an Agent gets a DaemonSet with 3 Running Pods and one agent leader, shown by every replica's status page", async (t) => {
    const ns = await cluster.namespace("agents");
    const names = ["agent-operator-1", "agent-operator-2", "agent-operator-3"];
    const replicas: Replica[] = [];
    t.after(() => Replica.killAll(replicas));
    const uids = await operatorPods(ns, names);
    replicas.push(...(await Promise.all(names.map((name) => Replica.launch({ kubeconfig: cluster.kubeconfigPath, namespace: ns, name, mode: "leader-for-life" })))));

    let leader = await operatorLeader(replicas);
    const lock = await client.get(ConfigMap, { namespace: ns, name: LOCK });
    assert.deepEqual(lock.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid]), [["Pod", leader.name, uids.get(leader.name)]], "the lock is owned by the leader's Pod");

    await cluster.kubectl("apply", "-n", ns, "-f", SAMPLE);
    let state = await converged(ns, "instana-agent");
    const ds = await client.get(DaemonSet, { namespace: ns, name: "instana-agent" });
    assert.deepEqual(ds.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid, o.controller]), [["Agent", "instana-agent", state.agent.metadata.uid, true]], "the DaemonSet is owned by the Agent");
    assert.ok(state.pods.every((p) => p.status?.phase === "Running"), "3 Running Pods");
    // Which Pod: the oldest of those Ready when the operator decided (kwok makes them Ready one by one, so
    // not necessarily the oldest of all three); the next subtest checks the order with all candidates Ready.
    await pagesAgree(replicas, leader.name, `${ns}/instana-agent`, state.leader.metadata.name);
    const html = await replicas[0]!.page();
    assert.match(html, /<h2>Agent leaders<\/h2>/);
    assert.ok(html.includes(`<td>${state.leader.metadata.name}</td>`) && html.includes(`<th>holder</th><td>${leader.name}</td>`), "the HTML page shows both leaders");
    const printed = await cluster.kubectl("get", "agent", "instana-agent", "-n", ns, "--no-headers");
    assert.match(printed, new RegExp(`^instana-agent\\s+${state.leader.metadata.name}\\s+${state.leader.spec!.nodeName}\\s+3\\s+3`), "kubectl get shows the agent leader");

    await t.test("the agent leader's Pod deleted: the DaemonSet recreates it, a new agent leader is elected and recorded; only one Pod labelled", async () => {
      const before = state;
      await client.delete(Pod, { namespace: ns, name: before.leader.metadata.name });
      state = await converged(ns, "instana-agent", { not: before.leader.metadata.name });
      assert.ok(!state.pods.some((p) => p.metadata.uid === before.leader.metadata.uid), "the old Pod is gone");
      assert.equal(state.pods.filter((p) => !before.pods.some((b) => b.metadata.uid === p.metadata.uid)).length, 1, "the DaemonSet recreated one Pod");
      // The oldest Ready Pod, ties (creationTimestamp has second precision) broken by name: the recreated Pod can
      // only win a tie, when it was created in the same second as the oldest remaining one and its name sorts first.
      const oldestRemaining = [...before.pods].filter((p) => p.metadata.uid !== before.leader.metadata.uid).sort(byAge)[0]!;
      const recreated = state.pods.find((p) => !before.pods.some((b) => b.metadata.uid === p.metadata.uid))!;
      const expected = state.leader.metadata.uid === recreated.metadata.uid && byAge(recreated, oldestRemaining) < 0 ? recreated : oldestRemaining;
      const seen = (p: Stored<Pod>) => `${p.metadata.name}@${p.metadata.creationTimestamp}`;
      assert.equal(state.leader.metadata.name, expected.metadata.name, `the oldest Ready Pod; remaining: ${before.pods.filter((p) => p !== before.leader).map(seen).join(", ")}; recreated: ${seen(recreated)}; the operator: ${JSON.stringify(leader.lines.filter((l) => l.msg === "agent leader chosen").map((l) => [l.leader, l.how, l.candidates]))}`);
      assert.ok(Date.parse(state.agent.status!.leader!.since) > Date.parse(before.agent.status!.leader!.since), "since: when it was elected");
      await pagesAgree(replicas, leader.name, `${ns}/instana-agent`, state.leader.metadata.name);
    });

    await t.test("the agent leader made unready (Ready False on its status): re-election; the unready Pod loses the label and stays", async () => {
      const before = state;
      const old = before.leader;
      const now = new Date().toISOString();
      const conditions = (old.status?.conditions ?? []).map((c) => (c.type === "Ready" || c.type === "ContainersReady" ? { ...c, status: "False", reason: "AgentUnhealthy", lastTransitionTime: now } : c));
      await client.patch(Pod, { namespace: ns, name: old.metadata.name }, { status: { conditions } }, { subresource: "status" });
      state = await converged(ns, "instana-agent", { ready: 2, not: old.metadata.name });
      const still = state.pods.find((p) => p.metadata.uid === old.metadata.uid);
      assert.ok(still && !isReady(still), "the unready Pod is still there (kwok leaves a patched status alone)");
      assert.equal(still.metadata.labels?.[LEADER_LABEL], undefined, "and no longer labelled");
      assert.equal(still.metadata.annotations?.[LEADER_SINCE_ANNOTATION], undefined);
      assert.equal(findCondition(state.agent.status?.conditions ?? [], "Available")?.message, "2/3 agent Pods ready");

      // The former agent leader Ready again: the agent leader stays (stable), its record unchanged.
      const elected = state;
      const fresh = await client.get(Pod, { namespace: ns, name: old.metadata.name });
      const ready = (fresh.status?.conditions ?? []).map((c) => (c.type === "Ready" || c.type === "ContainersReady" ? { ...c, status: "True", reason: "AgentHealthy", lastTransitionTime: new Date().toISOString() } : c));
      await client.patch(Pod, { namespace: ns, name: old.metadata.name }, { status: { conditions: ready } }, { subresource: "status" });
      state = await converged(ns, "instana-agent");
      assert.equal(state.leader.metadata.uid, elected.leader.metadata.uid, "a Pod becoming Ready again does not take over");
      assert.deepEqual(state.agent.status?.leader, elected.agent.status?.leader, "the same record, since included");
    });

    await t.test("the operator leader killed (its Pod deleted: the lock is garbage-collected; its process SIGKILLed): another replica leads within 10 s and keeps the agent leader", async (st) => {
      const before = state;
      const old = leader;
      const killedAt = Date.now();
      old.kill("SIGKILL");
      await client.delete(Pod, { namespace: ns, name: old.name });
      await old.exited;
      leader = await operatorLeader(replicas, 10_000);
      const tookOver = Date.now() - killedAt;
      assert.notEqual(leader.name, old.name);
      assert.ok(tookOver <= 10_000, `took over ${tookOver} ms after the kill`);
      st.diagnostic(`a new operator leader ${tookOver} ms after the kill`);
      const lock2 = await client.get(ConfigMap, { namespace: ns, name: LOCK });
      assert.notEqual(lock2.metadata.uid, lock.metadata.uid, "the old lock went with its Pod; a new one");
      assert.deepEqual(lock2.metadata.ownerReferences?.map((o) => o.name), [leader.name]);
      // The new leader has reconciled the Agent (after a full sync) and kept its agent leader.
      await eventually(async () => assert.ok(((await leader.status()).controllers[0]?.reconciles ?? 0) > 0, "reconciled"), { timeoutMs: 10_000 });
      await sleep(500);
      state = await converged(ns, "instana-agent");
      assert.equal(state.leader.metadata.uid, before.leader.metadata.uid, "the same agent leader (kept, not elected afresh)");
      assert.deepEqual(state.agent.status?.leader, before.agent.status?.leader, "the same record, since included");
      await pagesAgree(replicas, leader.name, `${ns}/instana-agent`, state.leader.metadata.name);
    });
  });

  test("the operator killed mid-way (lease mode) and a second leader label added meanwhile: the next replica converges to one agent leader, without re-electing a third", async (t) => {
    const ns = await cluster.namespace("agents");
    const replicas: Replica[] = [];
    t.after(() => Replica.killAll(replicas));
    const first = await Replica.launch({ kubeconfig: cluster.kubeconfigPath, namespace: ns, name: "op-a", mode: "lease" });
    replicas.push(first);
    await eventually(async () => assert.equal((await first.status()).leading, true), { timeoutMs: 10_000, description: "the first replica leads" });
    await client.create(Agent, { metadata: { name: "agent", namespace: ns }, spec: { image: "instana/agent:latest" } });

    // Stop it hard as soon as it has labelled an agent leader: maybe before it recorded it, or unlabelled nothing yet.
    await eventually(async () => labelled(await agentPods(ns, "agent")).length > 0, { timeoutMs: 30_000, intervalMs: 20, description: "a first agent leader labelled" });
    first.kill("SIGKILL");
    await first.exited;
    await quiet(ns, "agent");
    const recorded = (await client.get(Agent, { namespace: ns, name: "agent" })).status?.leader;

    // A second Ready Pod labelled too, as a hand edit or an interrupted handover would leave it.
    const pods = await eventually(async () => {
      const all = await agentPods(ns, "agent");
      assert.equal(all.filter(isReady).length, 3);
      return all;
    });
    const extra = pods.filter((p) => p.metadata.labels?.[LEADER_LABEL] !== "true").sort(byAge).at(-1)!;
    await client.patch(Pod, { namespace: ns, name: extra.metadata.name }, { metadata: { labels: { [LEADER_LABEL]: "true" }, annotations: { [LEADER_SINCE_ANNOTATION]: new Date().toISOString() } } });
    const now = await agentPods(ns, "agent");
    const both = labelled(now);
    assert.equal(both.length, 2);
    // Kept if recorded, else the oldest labelled Pod adopted; either way with its since: not elected afresh.
    const expected = recorded?.pod ?? now.filter((p) => both.includes(p.metadata.name)).sort(byAge)[0]!.metadata.name;
    const expectedSince = recorded?.since ?? now.find((p) => p.metadata.name === expected)!.metadata.annotations?.[LEADER_SINCE_ANNOTATION];

    const second = await Replica.launch({ kubeconfig: cluster.kubeconfigPath, namespace: ns, name: "op-b", mode: "lease" });
    replicas.push(second);
    const state = await converged(ns, "agent");
    assert.equal(state.leader.metadata.name, expected, recorded ? "the recorded agent leader is kept" : "the oldest labelled Ready Pod is adopted");
    assert.equal(state.agent.status?.leader?.since, expectedSince, "since carried over");
    const s = await second.status();
    assert.equal(s.mode, "lease");
    assert.equal(s.leading, true);
    const lease = await client.get(Lease, { namespace: ns, name: LOCK });
    assert.equal(lease.spec?.holderIdentity, s.identity, "the second replica holds the Lease");
    assert.equal((await second.agentLeaders())[0]?.leader, expected);

    await sleep(1_500);
    const later = await converged(ns, "agent");
    assert.equal(later.leader.metadata.uid, state.leader.metadata.uid, "stable: no flapping");
    assert.deepEqual(labelled(later.pods), [expected], "never two Pods labelled at the end");
  });
});
