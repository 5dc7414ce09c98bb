// Unit tier of the reconcile context: read-your-writes through every write
// path, with an in-memory API (a fake of the Client's read/write methods)
// and a fake cache that records what it was told. No cluster.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Client } from "../../client/client.ts";
import { createOrPatch } from "../../client/mutate/create-or-patch.ts";
import { OperantError } from "../../core/errors.ts";
import { silentLogger } from "../../core/logger.ts";
import { keyOf, type Cached, type KubeObject, type ObjectRef, type Stored } from "../../core/object.ts";
import { ConfigMap, Secret } from "../../kinds/index.ts";
import { CacheAwareClient } from "./cache-aware-client.ts";
import { ReconcileContext } from "./context.ts";

/** An API server in a Map: enough of create/update/patch/apply/delete/tryGet for the context and createOrPatch. */
function memoryApi(options: { finalizing?: boolean } = {}) {
  const objects = new Map<string, Stored<KubeObject>>();
  let rv = 0;
  const store = (obj: KubeObject): Stored<KubeObject> => {
    const out = { ...obj, metadata: { ...obj.metadata, uid: `uid-${obj.metadata?.name}`, resourceVersion: String(++rv) } } as Stored<KubeObject>;
    objects.set(keyOf(out.metadata), out);
    return out;
  };
  const merge = (a: unknown, b: unknown): unknown => (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(b) ? Object.fromEntries([...Object.entries(a), ...Object.entries(b).map(([k, v]) => [k, merge((a as Record<string, unknown>)[k], v)])]) : b);
  const api = {
    fieldManager: "unit",
    transport: undefined,
    discovery: undefined,
    tryGet: (_k: unknown, ref: ObjectRef) => Promise.resolve(objects.get(keyOf(ref))),
    get: (_k: unknown, ref: ObjectRef) => Promise.resolve(objects.get(keyOf(ref)) ?? Promise.reject(new OperantError("NotFound", "not found"))),
    create: (_k: unknown, obj: KubeObject) => Promise.resolve(store(obj)),
    update: (_k: unknown, obj: KubeObject) => Promise.resolve(store(obj)),
    updateStatus: (_k: unknown, obj: KubeObject) => Promise.resolve(store(obj)),
    apply: (_k: unknown, obj: KubeObject, o: { dryRun?: boolean } = {}) => Promise.resolve(o.dryRun ? ({ ...obj, metadata: { ...obj.metadata, resourceVersion: "dry" } } as Stored<KubeObject>) : store(merge(objects.get(keyOf(obj.metadata as ObjectRef)) ?? {}, obj) as KubeObject)),
    patch: (_k: unknown, ref: ObjectRef, patch: unknown) => {
      const current = objects.get(keyOf(ref));
      return current ? Promise.resolve(store(merge(current, patch) as KubeObject)) : Promise.reject(new OperantError("NotFound", "not found"));
    },
    delete: (_k: unknown, ref: ObjectRef) => {
      const current = objects.get(keyOf(ref));
      if (!current) return Promise.reject(new OperantError("NotFound", "not found"));
      if (options.finalizing) return Promise.resolve(store({ ...current, metadata: { ...current.metadata, deletionTimestamp: "2026-12-07T00:00:00Z" } }));
      objects.delete(keyOf(ref));
      return Promise.resolve({ kind: "Status", status: "Success" });
    },
  };
  return { objects, client: api as unknown as Client };
}

/** A cache that records what it is told. */
function recordingCache() {
  const told: string[] = [];
  return {
    told,
    get: () => undefined,
    list: () => [],
    byIndex: () => [],
    observeWrite: (kind: { kind: string }, obj: Stored<KubeObject>) => void told.push(`write ${kind.kind} ${obj.metadata.name}@${obj.metadata.resourceVersion}`),
    observeDelete: (kind: { kind: string }, ref: ObjectRef) => void told.push(`delete ${kind.kind} ${ref.name}`),
  };
}

const owner = Object.freeze({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "owner", namespace: "ns", uid: "uid-owner", resourceVersion: "1" }, data: {} }) as unknown as Cached<ConfigMap>;

function context(options: { finalizing?: boolean } = {}) {
  const api = memoryApi(options);
  const cache = recordingCache();
  const ctx = new ReconcileContext(ConfigMap, owner, new AbortController().signal, { client: api.client, cache, recorder: { event: () => undefined }, fieldManager: "operant-unit", log: silentLogger });
  return { ...api, cache, ctx };
}

describe("ReconcileContext read-your-writes (unit)", () => {
  test("ctx.client is cache-aware: a direct write through it is reported to the cache", async () => {
    const { ctx, cache } = context();
    assert.ok(ctx.client instanceof CacheAwareClient);
    await ctx.client.create(Secret, { metadata: { name: "s", namespace: "ns" } });
    await ctx.client.patch(Secret, { namespace: "ns", name: "s" }, { metadata: { labels: { a: "b" } } });
    await ctx.client.update(Secret, { metadata: { name: "s", namespace: "ns" } });
    await ctx.client.updateStatus(ConfigMap, { metadata: { name: "owner", namespace: "ns" } });
    await ctx.client.delete(Secret, { namespace: "ns", name: "s" });
    assert.deepEqual(cache.told, ["write Secret s@1", "write Secret s@2", "write Secret s@3", "write ConfigMap owner@4", "delete Secret s"]);
  });

  test("createOrPatch(ctx.client, …) informs the cache of both its create and its later patch", async () => {
    const { ctx, cache } = context();
    const first = await createOrPatch(ctx.client, ConfigMap, { namespace: "ns", name: "made" }, (d) => {
      d.data = { a: "1" };
    });
    const second = await createOrPatch(ctx.client, ConfigMap, { namespace: "ns", name: "made" }, (d) => {
      d.data = { a: "2" };
    });
    assert.equal(first.result, "created");
    assert.notEqual(second.result, "unchanged");
    assert.deepEqual(
      cache.told.filter((t) => t.includes("made")),
      [`write ConfigMap made@${first.object.metadata.resourceVersion}`, `write ConfigMap made@${second.object.metadata.resourceVersion}`],
    );
  });

  test("the context's own writes go through the same writer: apply (owned, namespace defaulted), create, patch, createOrUpdate, updateStatus, delete", async () => {
    const { ctx, cache, objects } = context();
    const applied = await ctx.apply(Secret, { metadata: { name: "a" } });
    assert.equal(applied.metadata.namespace, "ns");
    assert.equal(objects.get("ns/a")?.metadata.ownerReferences?.[0]?.uid, "uid-owner");
    await ctx.create(Secret, { metadata: { name: "c" } });
    await ctx.patch(Secret, { namespace: "ns", name: "c" }, { stringData: { x: "y" } });
    await ctx.createOrUpdate(Secret, { name: "u" }, (d) => {
      (d as { stringData?: Record<string, string> }).stringData = { k: "v" };
    });
    await ctx.updateStatus({} as never); // equal to the current (empty) status: nothing sent, nothing told
    await ctx.delete(Secret, { namespace: "ns", name: "c" });
    await ctx.delete(Secret, { namespace: "ns", name: "never-was" }); // NotFound is not an error here
    assert.deepEqual(
      cache.told.map((t) => t.replace(/@\d+$/, "")),
      ["write Secret a", "write Secret c", "write Secret c", "write Secret u", "delete Secret c"],
    );
  });

  test("a delete that leaves the object finalizing reports the object (with its deletionTimestamp), not a deletion", async () => {
    const { ctx, cache } = context({ finalizing: true });
    await ctx.create(Secret, { metadata: { name: "f" } });
    await ctx.delete(Secret, { namespace: "ns", name: "f" });
    assert.deepEqual(cache.told, ["write Secret f@1", "write Secret f@2"]);
  });

  test("dry-run writes are not reported", async () => {
    const { ctx, cache } = context();
    await ctx.client.apply(Secret, { metadata: { name: "d", namespace: "ns" } }, { dryRun: true });
    assert.deepEqual(cache.told, []);
  });

  test("a client that is already cache-aware for this cache is used as is", () => {
    const api = memoryApi();
    const cache = recordingCache();
    const aware = new CacheAwareClient(api.client, cache);
    const ctx = new ReconcileContext(ConfigMap, owner, new AbortController().signal, { client: aware, cache, recorder: { event: () => undefined }, fieldManager: "f", log: silentLogger });
    assert.equal(ctx.client, aware);
    const other = new ReconcileContext(ConfigMap, owner, new AbortController().signal, { client: aware, cache: recordingCache(), recorder: { event: () => undefined }, fieldManager: "f", log: silentLogger });
    assert.notEqual(other.client, aware, "wrapped again when it reports to another cache");
  });
});
