// Leadership loss (issue 12, finding 8), against the real control plane with
// a scripted elector: after the loss, a reconcile that ignores ctx.signal can
// no longer write (Fenced), and with onLeadershipLost "exit" start() rejects
// with LeadershipLost at once instead of waiting for that reconcile.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Client } from "../../src/client/client.ts";
import { isOperantError } from "../../src/core/errors.ts";
import { ConfigMap } from "../../src/kinds/index.ts";
import type { LeaderElector } from "../../src/leader/elector.ts";
import { Action } from "../../src/runtime/controller/action.ts";
import { Controller } from "../../src/runtime/controller/builder.ts";
import { Manager } from "../../src/runtime/manager/manager.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";

let cluster: TestCluster;
let client: Client;
before(async () => {
  cluster = await testCluster();
  client = cluster.client;
});
after(() => cluster.close());

/** An elector that leads at once and loses when told. */
function scriptedElector(): LeaderElector & { lose(reason: Error): void } {
  const term = new AbortController();
  return {
    mode: "scripted",
    acquire: () => Promise.resolve(term.signal),
    release: () => Promise.resolve(),
    describe: () => ({ mode: "scripted" }),
    lose: (reason) => term.abort(reason),
  };
}

describe("leadership loss", { timeout: 120_000 }, () => {
  test("a reconcile that ignores ctx.signal cannot write after the loss (Fenced), and start() rejects with LeadershipLost without waiting for it", async (t) => {
    const ns = await cluster.namespace("loss");
    const elector = scriptedElector();
    const inReconcile = Promise.withResolvers<void>();
    const carryOn = Promise.withResolvers<void>();
    const outcome = Promise.withResolvers<string>();
    const def = Controller.for(ConfigMap)
      .named(`stubborn-${ns}`)
      .reconcile(async (cm, ctx) => {
        if (cm.metadata.name !== "trigger") return Action.awaitChange();
        inReconcile.resolve();
        await carryOn.promise; // ignores ctx.signal
        try {
          await ctx.client.create(ConfigMap, { metadata: { name: "written-after-loss", namespace: ns } });
          outcome.resolve("written");
        } catch (err) {
          outcome.resolve(isOperantError(err) ? err.code : String(err));
        }
        return Action.awaitChange();
      });
    const manager = new Manager({ client, namespaces: [ns], metricsBindAddress: false, healthBindAddress: false, handleSignals: false, gracefulShutdownTimeout: "60s", leaderElection: elector });
    manager.add(def);
    const ended = manager.start().then(
      () => "returned",
      (err: unknown) => err,
    );
    t.after(async () => {
      carryOn.resolve();
      manager.stop();
      await ended;
    });
    await client.create(ConfigMap, { metadata: { name: "trigger", namespace: ns } });
    await inReconcile.promise;

    elector.lose(new Error("lease lost (scripted)"));
    // The reconcile is still stuck: start() must not wait for it.
    const result = await ended;
    assert.ok(isOperantError(result, "LeadershipLost"), `start() rejects with LeadershipLost while the reconcile is still running (got ${String(result)})`);

    carryOn.resolve();
    assert.equal(await outcome.promise, "Fenced");
    await eventually(async () => assert.equal(await client.tryGet(ConfigMap, { namespace: ns, name: "written-after-loss" }), undefined));
  });
});
