// A continue token that expires in the middle of a paged list, for real: an
// API server of our own that compacts etcd every second and serves
// ConfigMaps without the watch cache, so the next page is answered with 410.
// listPages starts over (restarted: true) and list() returns every object
// exactly once.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { Client } from "../../src/client/client.ts";
import { loadClusterConfig, type ClusterConfig } from "../../src/client/config/index.ts";
import { ConfigMap, Namespace } from "../../src/kinds/index.ts";
import { ControlPlane } from "../../src/testing/index.ts";
import { inPool } from "./cluster-fixtures.ts";

describe("an expired continue token restarts the list", { timeout: 90_000 }, () => {
  let cp: ControlPlane;
  let admin: Client;
  let config: ClusterConfig;
  const ns = "paged";
  let written = 0;
  /** Writes an object and waits for two compactions, so every earlier continue token is too old. */
  const outdate = async () => {
    await admin.create(ConfigMap, { metadata: { name: `late-${written++}`, namespace: ns } });
    await sleep(2500);
    await admin.create(ConfigMap, { metadata: { name: `late-${written++}`, namespace: ns } });
    await sleep(2500);
  };

  before(async () => {
    cp = await ControlPlane.start({ profile: "minimal", apiServerFlags: ["--etcd-compaction-interval=1s", "--watch-cache-sizes=configmaps#0"] });
    admin = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity });
    await admin.create(Namespace, { metadata: { name: ns } });
    await inPool(
      Array.from({ length: 50 }, (_, i) => `cm-${i}`),
      8,
      (name) => admin.create(ConfigMap, { metadata: { name, namespace: ns } }),
    );
    config = await loadClusterConfig({ kubeconfig: cp.kubeconfigPath, env: {} });
  });
  after(async () => {
    await admin?.close();
    await cp?.stop();
  });

  test("listPages yields restarted: true on the first page of the new pass", async () => {
    const client = Client.fromConfig(config, { qps: Infinity });
    try {
      const pages = client.listPages(ConfigMap, { namespace: ns, limit: 20 });
      const first = await pages.next();
      assert.equal(first.done, false);
      assert.equal(first.value.restarted, false);
      assert.equal(first.value.items.length, 20);
      await outdate();
      const names: string[] = [];
      let restarts = 0;
      for (let page = await pages.next(); !page.done; page = await pages.next()) {
        if (page.value.restarted) {
          restarts++;
          names.length = 0;
        }
        names.push(...page.value.items.map((c) => c.metadata.name));
      }
      assert.equal(restarts, 1);
      assert.equal(names.length, 50 + written);
      assert.equal(new Set(names).size, names.length);
      assert.ok(names.includes(`late-${written - 1}`), "the new pass sees what was written in between");
    } finally {
      await client.close();
    }
  });

  test("list() starts over and returns each object exactly once", async () => {
    let gets = 0;
    const slowSecondPage: ClusterConfig = {
      ...config,
      credentials: {
        get: async (signal) => {
          if (++gets === 2) await outdate(); // just before the request of page 2
          return config.credentials.get(signal);
        },
        invalidate: () => config.credentials.invalidate(),
      },
    };
    const client = Client.fromConfig(slowSecondPage, { qps: Infinity });
    try {
      const before = written;
      const list = await client.list(ConfigMap, { namespace: ns, limit: 20 });
      assert.ok(written > before, "the continue token was outdated mid-list");
      const names = list.items.map((c) => c.metadata.name);
      assert.equal(new Set(names).size, names.length, "no duplicates from the abandoned pass");
      assert.equal(names.length, 50 + written);
      assert.ok(gets > 4, `${gets} requests: a restart happened`);
    } finally {
      await client.close();
    }
  });
});
