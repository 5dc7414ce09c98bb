// Invalid Agents are refused by the API server from the CRD's schema alone
// (no operator running), with the API server's own message.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ApiError, type Client } from "operant";
import { testCluster, type TestCluster } from "operant/testing";
import { Agent } from "../src/api/agent.ts";

let cluster: TestCluster;
let client: Client;
let ns: string;

before(async () => {
  cluster = await testCluster({ resources: [Agent] });
  client = cluster.client;
  ns = await cluster.namespace("agents-val");
});
after(() => cluster.close());

const cases: [string, Record<string, unknown>, RegExp][] = [
  ["no image", {}, /spec\.image: Required value/],
  ["an empty image", { image: "" }, /spec\.image: Invalid value: "": spec\.image in body should be at least 1 chars long/],
  ["a node selector value that is not a string", { image: "agent", nodeSelector: { zone: 3 } }, /spec\.nodeSelector\.zone: Invalid value: "integer": spec\.nodeSelector\.zone in body must be of type string/],
  ["a leader label that is not a label key", { image: "agent", leaderLabel: "leader label!" }, /spec\.leaderLabel: Invalid value: "leader label!": spec\.leaderLabel in body should match/],
  ["the Pods' selector label as leader label", { image: "agent", leaderLabel: "agents.example.com/agent" }, /spec\.leaderLabel: Invalid value: "agents\.example\.com\/agent": leaderLabel cannot be agents\.example\.com\/agent: that label selects the Agent's Pods/],
];

describe("Agent schema", () => {
  for (const [what, spec, message] of cases) {
    test(`refused: ${what}`, async () => {
      await assert.rejects(
        client.create(Agent, { metadata: { name: "bad", namespace: ns }, spec } as unknown as Agent),
        (err) => err instanceof ApiError && err.status === 422 && message.test(err.message),
      );
    });
  }

  test("a valid Agent is accepted (custom leader label, node selector)", async () => {
    const created = await client.create(Agent, { metadata: { name: "good", namespace: ns }, spec: { image: "instana/agent:latest", nodeSelector: { "kubernetes.io/os": "linux" }, leaderLabel: "instana.io/agent-leader" } }, { dryRun: true });
    assert.equal(created.spec.leaderLabel, "instana.io/agent-leader");
  });
});
