// testCluster().startOperator on the shared control plane: the operator's
// controllers reconcile in the test process, only in the namespace given,
// and stop with stop(), with the test (stopAfter) or with close().
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Action } from "../../src/runtime/controller/action.ts";
import { Controller } from "../../src/runtime/controller/builder.ts";
import { ConfigMap } from "../../src/kinds/index.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";

/** An operator whose one controller marks every ConfigMap it reconciles. */
const marker = {
  name: "marker",
  controllers: [
    Controller.for(ConfigMap)
      .named("marker")
      .reconcile(async (cm, ctx) => {
        if (cm.metadata.annotations?.["test/marked"] !== "yes") await ctx.client.patch(ConfigMap, { namespace: cm.metadata.namespace, name: cm.metadata.name }, { metadata: { annotations: { "test/marked": "yes" } } });
        return Action.awaitChange();
      }),
  ],
};

const marked = async (cluster: TestCluster, namespace: string, name: string) => (await cluster.client.get(ConfigMap, { namespace, name })).metadata.annotations?.["test/marked"] === "yes";

describe("testCluster().startOperator", { timeout: 60_000 }, () => {
  let cluster: TestCluster;
  before(async () => (cluster = await testCluster()));
  after(() => cluster.close());

  test("reconciles in its namespace only, serves probes when asked, and stops with stop()", async () => {
    const [watched, other] = [await cluster.namespace("op"), await cluster.namespace("other")];
    const running = cluster.startOperator(marker, { namespace: watched, serve: true });
    await cluster.client.create(ConfigMap, { metadata: { name: "a", namespace: watched } });
    await cluster.client.create(ConfigMap, { metadata: { name: "a", namespace: other } });
    await eventually(async () => assert.ok(await marked(cluster, watched, "a")), { description: "the ConfigMap in the watched namespace is reconciled" });
    await eventually(async () => assert.equal((await fetch(`http://${running.manager.addresses.health}/readyz`)).status, 200), { description: "/readyz answers" });
    assert.equal(await marked(cluster, other, "a"), false, "the other namespace is not watched");

    await running.stop();
    await running.stop(); // twice is fine
    await cluster.client.create(ConfigMap, { metadata: { name: "b", namespace: watched } });
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await marked(cluster, watched, "b"), false, "nothing reconciles after stop()");
  });

  test("stopAfter stops the operator when the test ends", async (t) => {
    const ns = await cluster.namespace("op");
    let running: ReturnType<TestCluster["startOperator"]> | undefined;
    await t.test("inner", async (inner) => {
      running = cluster.startOperator(marker, { namespace: ns, stopAfter: inner });
      await cluster.client.create(ConfigMap, { metadata: { name: "a", namespace: ns } });
      await eventually(async () => assert.ok(await marked(cluster, ns, "a")));
    });
    assert.ok(running?.manager.stopping, "stopped once the inner test ended");
    await cluster.client.create(ConfigMap, { metadata: { name: "b", namespace: ns } });
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await marked(cluster, ns, "b"), false);
  });

  test("close() stops the operators still running", async () => {
    const own = await testCluster();
    const ns = await own.namespace("op");
    const running = own.startOperator(marker, { namespace: ns });
    await own.client.create(ConfigMap, { metadata: { name: "a", namespace: ns } });
    await eventually(async () => assert.ok(await marked(cluster, ns, "a")));
    await own.close();
    assert.ok(running.manager.stopping);
    await cluster.client.create(ConfigMap, { metadata: { name: "b", namespace: ns } });
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await marked(cluster, ns, "b"), false);
  });
});
