// Names and namespaces that would change a request's path (".", "..", "/",
// "%") are refused before anything is sent, against the real API server:
// without the check, list(Secret, { namespace: ".." }) listed the Secrets of
// every namespace and delete(ConfigMap, { namespace, name: ".." }) sent
// DELETE /api/v1/namespaces/<ns>/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "../../src/client/client.ts";
import type { ClusterConfig, Credentials } from "../../src/client/config/index.ts";
import { isOperantError } from "../../src/core/errors.ts";
import { ConfigMap, Namespace, Secret } from "../../src/kinds/index.ts";
import { testCluster, type TestCluster } from "../../src/testing/index.ts";
import { rejection } from "./cluster-fixtures.ts";

/** A client whose every request is counted: the transport asks for credentials before each one it sends. */
function countingClient(config: ClusterConfig): { client: Client; sent: () => number } {
  let sent = 0;
  const inner = config.credentials;
  const credentials: Credentials = {
    get: (signal) => {
      sent++;
      return inner.get(signal);
    },
    invalidate: () => inner.invalidate(),
  };
  return { client: Client.fromConfig({ ...config, credentials }, { qps: Infinity }), sent: () => sent };
}

describe("names and namespaces in request paths", { timeout: 60_000 }, () => {
  let cluster: TestCluster;
  let client: Client;
  let sent: () => number;
  let ns: string;
  before(async () => {
    cluster = await testCluster();
    ({ client, sent } = countingClient(cluster.client.transport.config));
    ns = await cluster.namespace("paths");
    await cluster.client.create(ConfigMap, { metadata: { name: "keep", namespace: ns }, data: { a: "1" } });
    await cluster.client.create(Secret, { metadata: { name: "other-tenant", namespace: ns }, stringData: { password: "x" } });
  });
  after(async () => {
    await client.close();
    await cluster.close();
  });

  test("list and watch in namespace '..' are refused with InvalidName and send nothing (no cluster-wide list)", async () => {
    for (const namespace of ["..", ".", "a/b", "50%", "../kube-system"]) {
      const before = sent();
      const err = await rejection(client.list(Secret, { namespace }));
      assert.ok(isOperantError(err, "InvalidName"), `${namespace}: ${String(err)}`);
      assert.match(err.message, /^list Secret: the namespace /);
      assert.match(err.message, /nothing was sent/);
      const werr = await rejection((async () => {
        for await (const _ of client.watch(Secret, { namespace, timeoutSeconds: 1 })) break;
      })());
      assert.ok(isOperantError(werr, "InvalidName"), `${namespace}: ${String(werr)}`);
      assert.equal(sent(), before, `a request was sent for namespace ${JSON.stringify(namespace)}`);
    }
  });

  test("get, delete, patch, update and apply of name '..' are refused and send nothing; the namespace is untouched", async () => {
    const before = sent();
    const refs = [{ namespace: ns, name: ".." }, { namespace: ns, name: "." }, { namespace: ns, name: "a/../keep" }, { namespace: ns, name: "%2e%2e" }, { namespace: "..", name: "keep" }];
    for (const ref of refs) {
      const calls: [string, Promise<unknown>][] = [
        ["get", client.get(ConfigMap, ref)],
        ["tryGet", client.tryGet(ConfigMap, ref)],
        ["delete", client.delete(ConfigMap, ref)],
        ["patch", client.patch(ConfigMap, ref, { data: { b: "2" } })],
        ["update", client.update(ConfigMap, { metadata: { ...ref, resourceVersion: "1" }, data: {} })],
        ["apply", client.apply(ConfigMap, { metadata: ref, data: {} })],
      ];
      // create posts to the collection: only the namespace is in its path (the server judges the name).
      if (ref.namespace !== ns) calls.push(["create", client.create(ConfigMap, { metadata: { name: "x", namespace: ref.namespace }, data: {} })]);
      for (const [verb, call] of calls) {
        const err = await rejection(call);
        assert.ok(isOperantError(err, "InvalidName"), `${verb} ${JSON.stringify(ref)}: ${String(err)}`);
        assert.match(err.message, new RegExp(`^${verb === "tryGet" ? "get" : verb} ConfigMap: the (name|namespace) `));
      }
    }
    assert.equal(sent(), before, "no request was sent");
    const left = await cluster.client.list(ConfigMap, { namespace: ns });
    assert.ok(left.items.some((c) => c.metadata.name === "keep"), "the ConfigMap is still there");
    assert.ok((await cluster.client.tryGet(Namespace, { name: ns })) !== undefined);
  });

  test("valid names still go through (the check costs nothing on the normal path)", async () => {
    const before = sent();
    const got = await client.get(ConfigMap, { namespace: ns, name: "keep" });
    assert.deepEqual(got.data, { a: "1" });
    assert.equal(sent() - before, 1);
  });
});
