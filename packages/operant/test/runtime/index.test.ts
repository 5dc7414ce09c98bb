// Reads by index in the reconcile context, through a real controller and
// manager on the control plane: an index declared with the controller
// (.index), read with ctx.byIndex, following ConfigMaps as they are created,
// changed and deleted; an undeclared name fails with UnknownIndex.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import Type from "typebox";
import { isOperantError } from "../../src/core/errors.ts";
import type { Cached } from "../../src/core/object.ts";
import { defineResource } from "../../src/crd/index.ts";
import { ConfigMap } from "../../src/kinds/index.ts";
import { Action } from "../../src/runtime/controller/action.ts";
import { Controller } from "../../src/runtime/controller/builder.ts";
import { Manager } from "../../src/runtime/manager/manager.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";

const group = `idx${randomBytes(3).toString("hex")}.example.com`;
const Board = defineResource({
  group,
  version: "v1",
  kind: "Board",
  scope: "Namespaced",
  spec: Type.Object({ app: Type.String() }),
  status: Type.Object({ configMaps: Type.Optional(Type.Array(Type.String())) }),
});
const BOARD_LABEL = `${group}/board`;

// Declared once, at module level: every controller that declares "app" on ConfigMaps must pass this same function.
const byApp = (cm: Cached<ConfigMap>) => (cm.data?.app ? [`${cm.metadata.namespace}/${cm.data.app}`] : []);

let cluster: TestCluster;
before(async () => {
  cluster = await testCluster({ resources: [Board] });
});
after(() => cluster.close());

describe("reads by index in the reconcile context", { timeout: 120_000 }, () => {
  test("ctx.byIndex returns the cached objects under a declared index, as they change; an undeclared name is UnknownIndex", async (t) => {
    const ns = await cluster.namespace("idx");
    const unknown: string[] = [];
    const def = Controller.for(Board)
      .named(`board-${ns}`)
      .watches(ConfigMap, { toRequests: (cm) => [{ namespace: cm.metadata.namespace, name: cm.metadata.labels?.[BOARD_LABEL] ?? "" }] })
      .index(ConfigMap, "app", byApp)
      .reconcile(async (board, ctx) => {
        const configMaps = ctx.byIndex(ConfigMap, "app", `${board.metadata.namespace}/${board.spec.app}`).map((cm) => cm.metadata.name).sort();
        try {
          ctx.byIndex(ConfigMap, "color" as "app", "red");
        } catch (err) {
          if (isOperantError(err, "UnknownIndex")) unknown.push(err.message);
          else throw err;
        }
        await ctx.updateStatus({ configMaps });
        return Action.awaitChange();
      });
    const manager = new Manager({ client: cluster.client, namespaces: [ns], metricsBindAddress: "127.0.0.1:0", healthBindAddress: "127.0.0.1:0", handleSignals: false, gracefulShutdownTimeout: "5s" });
    manager.add(def);
    const done = manager.start();
    t.after(async () => {
      manager.stop();
      await done;
    });

    const cm = (name: string, app: string) => ({ metadata: { name, namespace: ns, labels: { [BOARD_LABEL]: "b" } }, data: { app } });
    await cluster.client.create(ConfigMap, cm("one", "web"));
    await cluster.client.create(ConfigMap, cm("two", "db"));
    await cluster.client.create(ConfigMap, cm("three", "web"));
    await cluster.client.create(Board, { metadata: { name: "b", namespace: ns }, spec: { app: "web" } });
    const seen = (expected: string[]) =>
      eventually(async () => assert.deepEqual((await cluster.client.get(Board, { namespace: ns, name: "b" })).status?.configMaps, expected), { timeoutMs: 30_000, description: `status.configMaps ${expected.join(",")}` });
    await seen(["one", "three"]);
    await cluster.client.patch(ConfigMap, { namespace: ns, name: "two" }, { data: { app: "web" } });
    await seen(["one", "three", "two"]);
    await cluster.client.delete(ConfigMap, { namespace: ns, name: "one" });
    await seen(["three", "two"]);
    assert.ok(unknown.length > 0);
    assert.match(unknown[0]!, /v1, Kind=ConfigMap has no index named "color" \(have: namespace, owner, controller, app\)/);
  });
});
