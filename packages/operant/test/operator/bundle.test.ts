// The OLM bundle against the real operator-framework validators
// (github.com/operator-framework/api, built once into ~/.cache/operant/tools),
// and the core v1 Events a bundled manager writes, against the real API server.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import Type from "typebox";
import { validateBundleDir } from "../../src/cli/bundle/validate.ts";
import { defineResource } from "../../src/crd/resource/resource.ts";
import { Condition } from "../../src/crd/types/condition.ts";
import { ConfigMap, CoreEvent, Deployment, Namespace, Pod, Secret } from "../../src/kinds/index.ts";
import { bundleFor, type BundleOptions } from "../../src/operator/bundle.ts";
import { defineOperator, type OperatorDefinition } from "../../src/operator/operator.ts";
import { Controller } from "../../src/runtime/controller/builder.ts";
import { EventRecorder } from "../../src/runtime/events/recorder.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";

const Memcached = defineResource({
  group: "cache.example.com",
  version: "v1alpha1",
  kind: "Memcached",
  scope: "Namespaced",
  description: "Memcached runs a memcached Deployment of spec.size Pods.",
  spec: Type.Object({ size: Type.Integer({ minimum: 1, description: "Number of memcached Pods" }) }),
  status: Type.Object({ nodes: Type.Optional(Type.Array(Type.String(), { description: "Names of the memcached Pods" })), conditions: Type.Optional(Type.Array(Condition)) }),
});
const MemcachedV1 = Memcached.defineVersion("v1", { spec: Type.Object({ replicas: Type.Integer({ minimum: 1, description: "Number of memcached Pods" }) }), storage: true });
const reconcile = () => {
  throw new Error("not run in this test");
};
const cluster = defineOperator({
  name: "memcached-operator",
  resources: [MemcachedV1],
  controllers: [Controller.for(MemcachedV1).owns(Deployment).watches(Pod, { toRequests: () => [] }).reconcile(reconcile)],
  extraRules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }],
});
const namespaced = defineOperator({ name: "mc", scope: "Namespaced", resources: [Memcached], controllers: [Controller.for(Memcached).owns(ConfigMap).watches(Namespace, { toRequests: () => [] }).watches(Secret, { toRequests: () => [] }).reconcile(reconcile)] });

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), "operant-bundle-"));
});
after(() => rm(work, { recursive: true, force: true }));

async function writeBundle(op: OperatorDefinition, options: BundleOptions): Promise<string> {
  const dir = await mkdtemp(join(work, "b-"));
  for (const [rel, text] of Object.entries(bundleFor(op, options).files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return join(dir, "bundle");
}

describe("operant bundle against the operator-framework validators", { timeout: 1_800_000 }, () => {
  before(async () => {
    const started = Date.now();
    // The first run builds the validator (minutes); later ones find it in the cache.
    await validateBundleDir(await writeBundle(cluster, { version: "0.0.1" }), { onProgress: (p) => p.phase === "done" && process.stderr.write(`bundle validator built in ${Math.round(p.elapsedMs / 1000)} s\n`) });
    if (Date.now() - started > 5000) process.stderr.write(`bundle validator ready after ${Math.round((Date.now() - started) / 1000)} s\n`);
  });

  for (const [what, op, options] of [
    ["a Cluster operator with two served versions", cluster, { version: "0.1.0", image: "quay.io/example/memcached-operator:v0.1.0", channels: ["candidate", "stable"], defaultChannel: "stable", replaces: "memcached-operator.v0.0.9" }],
    ["a Namespaced operator", namespaced, { version: "1.2.3-rc.1", image: "quay.io/example/mc:v1.2.3-rc.1" }],
  ] as const) {
    test(`${what}: 0 errors, 0 warnings`, async () => {
      const { errors, warnings } = await validateBundleDir(await writeBundle(op, options));
      assert.deepEqual(errors, []);
      assert.deepEqual(warnings, []);
    });
  }

  test("what the validators say reaches the caller: a stray channel name is a warning, an owned kind that is not in the bundle an error", async () => {
    const dir = await writeBundle(cluster, { version: "0.1.0", channels: ["alpha"] });
    const csvPath = join(dir, "manifests", "memcached-operator.clusterserviceversion.yaml");
    const { readFile } = await import("node:fs/promises");
    const csv = await readFile(csvPath, "utf8");
    await writeFile(csvPath, csv.replace("kind: Memcached\n", "kind: Memcache\n"));
    const { errors, warnings } = await validateBundleDir(dir);
    assert.ok(warnings.some((w) => w.validator === "GoodPractices" && /channel\(s\) \["alpha"\] are not following the recommended naming convention/.test(w.detail)), JSON.stringify(warnings));
    assert.ok(errors.some((e) => e.validator === "Bundle" && /owned CRD "cache\.example\.com\/v1, Kind=Memcache" not found in bundle/.test(e.detail)), JSON.stringify(errors));
  });
});

describe("a bundled manager's events: the core group's v1 Events", { timeout: 60_000 }, () => {
  let tc: TestCluster;
  before(async () => {
    tc = await testCluster();
  });
  after(() => tc.close());

  test("the recorder with api v1 creates a core Event and counts repeats in its series", async () => {
    const ns = await tc.namespace("core-events");
    const cm = await tc.client.create(ConfigMap, { metadata: { name: "subject", namespace: ns } });
    let now = Date.now();
    const recorder = new EventRecorder(tc.client, { reportingController: "example.com/bundled", reportingInstance: "pod-1", api: "v1", seriesInterval: "0s", now: () => now });
    recorder.event(cm, { type: "Normal", reason: "Checked", action: "Reconcile", note: "all good" });
    await recorder.flush();
    now += 1000;
    recorder.event(cm, { type: "Normal", reason: "Checked", action: "Reconcile", note: "all good" });
    await recorder.close();
    assert.equal(recorder.stats().failures, 0);
    await eventually(async () => {
      const events = (await tc.client.list(CoreEvent, { namespace: ns })).items;
      assert.equal(events.length, 1);
      const e = events[0]!;
      assert.equal(e.involvedObject.name, "subject");
      assert.equal(e.message, "all good");
      assert.equal(e.reportingComponent, "example.com/bundled");
      assert.equal(e.series?.count, 2);
    }, { timeoutMs: 20_000, description: "the core Event with a series of 2" });
  });
});
