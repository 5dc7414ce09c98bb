// chooseAgentLeader on its own (no cluster): stable while the recorded
// leader is Ready, adopts a labelled Ready Pod, otherwise elects the oldest
// Ready Pod with ties broken by name.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Cached } from "operant";
import type { Pod } from "operant/kinds";
import { LEADER_LABEL, LEADER_SINCE_ANNOTATION } from "../src/api/agent.ts";
import { chooseAgentLeader, isReadyAgent } from "../src/controllers/agent-leader.ts";

const NOW = new Date("2025-06-01T12:00:00.000Z");

function pod(name: string, created: string, options: { ready?: boolean; phase?: string; deleting?: boolean; labels?: Record<string, string>; annotations?: Record<string, string>; uid?: string } = {}): Cached<Pod> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "ns",
      uid: options.uid ?? `uid-${name}`,
      resourceVersion: "1",
      creationTimestamp: created,
      labels: options.labels ?? {},
      annotations: options.annotations ?? {},
      ...(options.deleting && { deletionTimestamp: "2025-06-01T11:59:00Z" }),
    },
    spec: { nodeName: `node-of-${name}`, containers: [{ name: "agent", image: "agent" }] },
    status: { phase: options.phase ?? "Running", conditions: [{ type: "Ready", status: options.ready === false ? "False" : "True" }] },
  };
}

const names = (pods: readonly Cached<Pod>[]) => pods.map((p) => p.metadata.name);

describe("chooseAgentLeader", () => {
  test("elects the oldest Ready Pod, ties broken by name; the candidates are the Ready Pods, oldest first", () => {
    const pods = [pod("agent-c", "2025-06-01T10:00:01Z"), pod("agent-b", "2025-06-01T10:00:00Z"), pod("agent-a", "2025-06-01T10:00:01Z"), pod("agent-0", "2025-06-01T09:00:00Z", { ready: false })];
    const choice = chooseAgentLeader(pods, undefined, LEADER_LABEL, NOW);
    assert.equal(choice.how, "elected");
    assert.equal(choice.leader?.metadata.name, "agent-b");
    assert.deepEqual(choice.record, { pod: "agent-b", uid: "uid-agent-b", node: "node-of-agent-b", since: NOW.toISOString() });
    assert.deepEqual(names(choice.candidates), ["agent-b", "agent-a", "agent-c"]);
    const tie = chooseAgentLeader([pods[0]!, pods[2]!], undefined, LEADER_LABEL, NOW);
    assert.equal(tie.leader?.metadata.name, "agent-a", "same second: by name");
    assert.equal(chooseAgentLeader([...pods].reverse(), undefined, LEADER_LABEL, NOW).leader?.metadata.name, "agent-b", "the order of the list does not matter");
  });

  test("keeps the recorded leader while it is Ready, even if an older Pod is Ready, with its since", () => {
    const pods = [pod("agent-old", "2025-06-01T09:00:00Z"), pod("agent-new", "2025-06-01T10:00:00Z")];
    const current = { pod: "agent-new", uid: "uid-agent-new", node: "node-of-agent-new", since: "2025-06-01T10:00:05.000Z" };
    const choice = chooseAgentLeader(pods, current, LEADER_LABEL, NOW);
    assert.equal(choice.how, "kept");
    assert.deepEqual(choice.record, current);
  });

  test("replaces a recorded leader that is gone, unready, being deleted, not Running, or a new Pod under the same name", () => {
    const current = { pod: "agent-a", uid: "uid-agent-a", node: "node-of-agent-a", since: "2025-06-01T10:00:05.000Z" };
    const other = pod("agent-b", "2025-06-01T10:00:00Z");
    for (const [what, a] of [
      ["gone", undefined],
      ["unready", pod("agent-a", "2025-06-01T09:00:00Z", { ready: false })],
      ["being deleted", pod("agent-a", "2025-06-01T09:00:00Z", { deleting: true })],
      ["pending", pod("agent-a", "2025-06-01T09:00:00Z", { phase: "Pending" })],
      ["recreated", pod("agent-a", "2025-06-01T09:00:00Z", { uid: "uid-2" })],
    ] as const) {
      const choice = chooseAgentLeader(a ? [a, other] : [other], current, LEADER_LABEL, NOW);
      if (what === "recreated") {
        assert.equal(choice.how, "elected", what);
        assert.equal(choice.record?.uid, "uid-2", "the new Pod is older, so elected, as a new leader");
        assert.equal(choice.record?.since, NOW.toISOString());
      } else {
        assert.equal(choice.how, "elected", what);
        assert.equal(choice.leader?.metadata.name, "agent-b", what);
      }
    }
  });

  test("adopts a Ready Pod that already carries the leader label (with its since annotation) before electing the oldest", () => {
    const pods = [pod("agent-a", "2025-06-01T09:00:00Z"), pod("agent-b", "2025-06-01T10:00:00Z", { labels: { "example.com/lead": "true" }, annotations: { [LEADER_SINCE_ANNOTATION]: "2025-06-01T10:01:00.000Z" } })];
    const adopted = chooseAgentLeader(pods, { pod: "gone", uid: "uid-gone", node: "n", since: "2025-01-01T00:00:00Z" }, "example.com/lead", NOW);
    assert.equal(adopted.how, "adopted");
    assert.deepEqual(adopted.record, { pod: "agent-b", uid: "uid-agent-b", node: "node-of-agent-b", since: "2025-06-01T10:01:00.000Z" });
    assert.equal(chooseAgentLeader(pods, undefined, LEADER_LABEL, NOW).leader?.metadata.name, "agent-a", "another label key is not the leader label");
    const unready = [pods[0]!, pod("agent-b", "2025-06-01T10:00:00Z", { ready: false, labels: { "example.com/lead": "true" } })];
    assert.equal(chooseAgentLeader(unready, undefined, "example.com/lead", NOW).leader?.metadata.name, "agent-a", "an unready labelled Pod is not adopted");
    const badSince = [pod("agent-b", "2025-06-01T10:00:00Z", { labels: { [LEADER_LABEL]: "true" }, annotations: { [LEADER_SINCE_ANNOTATION]: "yesterday" } })];
    assert.equal(chooseAgentLeader(badSince, undefined, LEADER_LABEL, NOW).record?.since, NOW.toISOString());
  });

  test("no Ready Pod: no leader", () => {
    const choice = chooseAgentLeader([pod("agent-a", "2025-06-01T09:00:00Z", { ready: false })], { pod: "agent-a", uid: "uid-agent-a", node: "n", since: "2025-06-01T09:00:00Z" }, LEADER_LABEL, NOW);
    assert.deepEqual({ how: choice.how, leader: choice.leader, record: choice.record, candidates: choice.candidates }, { how: "none", leader: undefined, record: undefined, candidates: [] });
  });

  test("isReadyAgent: Running, Ready True, not being deleted", () => {
    assert.equal(isReadyAgent(pod("a", "2025-06-01T09:00:00Z")), true);
    assert.equal(isReadyAgent(pod("a", "2025-06-01T09:00:00Z", { ready: false })), false);
    assert.equal(isReadyAgent(pod("a", "2025-06-01T09:00:00Z", { phase: "Pending" })), false);
    assert.equal(isReadyAgent(pod("a", "2025-06-01T09:00:00Z", { deleting: true })), false);
  });
});
