// Defaulted fields on a real API server: the CRD does not call them required
// (kubectl explain, which reads the server's OpenAPI), a create written in
// code without them type-checks and succeeds, and what is read back has them.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import Type from "typebox";
import type { InputOf, ObjectOf } from "../../src/core/kind.ts";
import { Defaulted, defineResource } from "../../src/crd/index.ts";
import { Action } from "../../src/runtime/controller/action.ts";
import { Controller } from "../../src/runtime/controller/builder.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";

const group = `dflt${randomBytes(3).toString("hex")}.example.com`;
const Memcached = defineResource({
  group,
  version: "v1",
  kind: "Memcached",
  scope: "Namespaced",
  spec: Type.Object({
    image: Type.String({ minLength: 1, description: "Container image" }),
    replicas: Defaulted(Type.Integer({ minimum: 0, description: "How many Pods" }), 1),
    port: Defaulted(Type.Integer({ minimum: 1, maximum: 65535, description: "Port memcached listens on" }), 11211),
    tiers: Type.Optional(Type.Array(Type.Object({ name: Type.String(), weight: Defaulted(Type.Integer(), 1) }))),
  }),
  status: Type.Object({ ready: Defaulted(Type.Boolean(), false) }),
});

let cluster: TestCluster;
before(async () => {
  cluster = await testCluster({ resources: [Memcached] });
});
after(() => cluster.close());

describe("Defaulted fields on the API server", { timeout: 120_000 }, () => {
  test("kubectl explain does not call defaulted fields required; the field without a default is", async () => {
    // kubectl explain reads the server's OpenAPI, published a moment after the CRD is Established.
    const spec = await eventually(async () => {
      const out = await cluster.kubectl("explain", "memcacheds.spec", "--api-version", `${group}/v1`);
      assert.match(out, /replicas/);
      return out;
    }, { timeoutMs: 30_000, description: "kubectl explain shows the new resource" });
    const line = (field: string) => spec.split("\n").find((l) => l.trimStart().startsWith(`${field}\t`)) ?? "";
    assert.match(line("image"), /-required-/, spec);
    for (const field of ["replicas", "port"]) assert.doesNotMatch(line(field), /-required-/, spec);
  });

  test("a create without the defaulted fields type-checks and succeeds; the object read back has them", async () => {
    const ns = await cluster.namespace("dflt");
    const body: InputOf<typeof Memcached> = { metadata: { name: "mc", namespace: ns }, spec: { image: "memcached:1.6", tiers: [{ name: "hot" }] } };
    const created = await cluster.client.create(Memcached, body);
    const read: ObjectOf<typeof Memcached> = await cluster.client.get(Memcached, { namespace: ns, name: "mc" });
    const replicas: number = read.spec.replicas; // present in the read type, no `?? 1`
    const weight: number | undefined = read.spec.tiers?.[0]?.weight;
    assert.deepEqual({ replicas, port: read.spec.port, weight }, { replicas: 1, port: 11211, weight: 1 });
    assert.deepEqual(created.spec, read.spec, "the create's answer is defaulted too");
    // An apply that leaves them out does not own them, and keeps the defaults.
    const applied = await cluster.client.apply(Memcached, { metadata: { name: "mc", namespace: ns }, spec: { image: "memcached:1.7" } }, { fieldManager: "dflt-test", force: true });
    assert.deepEqual([applied.spec.image, applied.spec.replicas, applied.spec.port], ["memcached:1.7", 1, 11211]);
    // The status subresource is defaulted on write as well.
    const status = await cluster.client.apply(Memcached, { metadata: { name: "mc", namespace: ns }, spec: { image: "memcached:1.7" }, status: {} }, { subresource: "status", fieldManager: "dflt-test", force: true });
    assert.equal(status.status?.ready, false);
  });
});

test("a controller of a kind with Defaulted fields: the reconcile reads them present, updateStatus and ctx writes may leave them out", () => {
  const Cache = defineResource({
    group: "cache.example.com",
    version: "v1",
    kind: "Cache",
    scope: "Namespaced",
    spec: Type.Object({ size: Defaulted(Type.Integer({ minimum: 1 }), 1) }),
    status: Type.Object({ pods: Type.Optional(Type.Array(Type.Object({ name: Type.String(), ready: Defaulted(Type.Boolean(), false) }))) }),
  });
  const def = Controller.for(Cache).reconcile(async (cache, ctx) => {
    const size: number = cache.spec.size;
    await ctx.updateStatus({ pods: [{ name: `${cache.metadata.name}-${size}` }] });
    await ctx.apply(Cache, { metadata: { name: "other" }, spec: {} });
    // @ts-expect-error a pod status needs its name (no default)
    await ctx.updateStatus({ pods: [{ ready: true }] });
    return Action.awaitChange();
  });
  assert.equal(def.kind, Cache);
});
