// The Client against the real API server of the shared control plane: CRUD
// and its errors, dry runs, patches of every type, server-side apply and field
// ownership, the status and scale subresources, deletion (preconditions,
// propagation, finalizers), watches and discovery. One namespace per test.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ApiError } from "../../src/client/transport/api-error.ts";
import { Client, type WatchEvent } from "../../src/client/client.ts";
import { isOperantError } from "../../src/core/errors.ts";
import type { Kind } from "../../src/core/kind.ts";
import type { KubeObject, Stored } from "../../src/core/object.ts";
import { ConfigMap, Deployment, Namespace, Pod, ReplicaSet } from "../../src/kinds/index.ts";
import { eventually, testCluster, type TestCluster } from "../../src/testing/index.ts";
import { inPool, installWidgetCrd, Namespaces, rejection, suffix, uninstallWidgetCrd, type Widget } from "./cluster-fixtures.ts";

const cm = (namespace: string, name: string, data: Record<string, string> = { a: "1" }, labels?: Record<string, string>): ConfigMap => ({
  metadata: { name, namespace, ...(labels && { labels }) },
  data,
});

const deployment = (namespace: string, name: string, replicas = 1): Deployment => ({
  metadata: { name, namespace },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: "web", image: "nginx:1.27", env: [{ name: "MODE", value: "web" }] },
          { name: "sidecar", image: "busybox:1.36" },
        ],
      },
    },
  },
});

/** Managers and the fields they own, from managedFields, e.g. `{ "mgr-a": ["f:data.f:k"] }`. */
function ownership(obj: KubeObject): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const walk = (node: Record<string, unknown>, path: string, into: string[]) => {
    for (const [k, v] of Object.entries(node)) {
      if (k === ".") continue;
      const p = path ? `${path}.${k}` : k;
      const children = Object.keys(v as object).filter((c) => c !== ".");
      if (children.length === 0) into.push(p);
      else walk(v as Record<string, unknown>, p, into);
    }
  };
  for (const entry of (obj.metadata?.managedFields ?? []) as { manager: string; operation: string; subresource?: string; fieldsV1?: Record<string, unknown> }[]) {
    const key = `${entry.manager}${entry.subresource ? `/${entry.subresource}` : ""}`;
    const fields = (out[key] ??= []);
    walk(entry.fieldsV1 ?? {}, "", fields);
  }
  return out;
}

type ObjectEvent<T extends KubeObject> = Exclude<WatchEvent<T>, { type: "BOOKMARK" }>;

/** Collects `n` non-bookmark events of a watch, then stops it. */
async function collect<T extends KubeObject>(events: AsyncGenerator<WatchEvent<T>>, n: number): Promise<ObjectEvent<T>[]> {
  const out: ObjectEvent<T>[] = [];
  for await (const ev of events) {
    if (ev.type === "BOOKMARK") continue;
    out.push(ev);
    if (out.length === n) break;
  }
  return out;
}

describe("Client against a real API server", { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let client: Client;
  let namespaces: Namespaces;
  before(async () => {
    cluster = await testCluster();
    client = cluster.client;
    namespaces = new Namespaces(client, "client");
  });
  after(async () => {
    await namespaces.cleanup();
    await cluster.close();
  });

  describe("CRUD", () => {
    test("create, get, update and delete a ConfigMap", async () => {
      const ns = await namespaces.create();
      const created = await client.create(ConfigMap, cm(ns, "settings", { mode: "fast" }));
      assert.equal(created.apiVersion, "v1");
      assert.equal(created.kind, "ConfigMap");
      assert.equal(created.metadata.namespace, ns);
      assert.ok(created.metadata.uid && created.metadata.resourceVersion && created.metadata.creationTimestamp);

      const got = await client.get(ConfigMap, { namespace: ns, name: "settings" });
      assert.equal(got.metadata.uid, created.metadata.uid);
      assert.deepEqual(got.data, { mode: "fast" });

      const updated = await client.update(ConfigMap, { ...got, data: { mode: "safe" } });
      assert.deepEqual(updated.data, { mode: "safe" });
      assert.notEqual(updated.metadata.resourceVersion, got.metadata.resourceVersion);
      assert.deepEqual((await client.get(ConfigMap, { namespace: ns, name: "settings" })).data, { mode: "safe" });

      await client.delete(ConfigMap, { namespace: ns, name: "settings" });
      assert.equal(await client.tryGet(ConfigMap, { namespace: ns, name: "settings" }), undefined);
    });

    test("tryGet of a missing object is undefined; get throws NotFound (not retryable) naming the path", async () => {
      const ns = await namespaces.create();
      assert.equal(await client.tryGet(ConfigMap, { namespace: ns, name: "missing" }), undefined);
      const err = await rejection(client.get(ConfigMap, { namespace: ns, name: "missing" }));
      assert.ok(err instanceof ApiError, String(err));
      assert.equal(err.code, "NotFound");
      assert.equal(err.status, 404);
      assert.equal(err.retryable, false);
      assert.ok(err.message.includes(`GET /api/v1/namespaces/${ns}/configmaps/missing`), err.message);
      assert.match(err.message, /"missing" not found/);
    });

    test("create with generateName gets a server-made name", async () => {
      const ns = await namespaces.create();
      const a = await client.create(ConfigMap, { metadata: { generateName: "gen-", namespace: ns } });
      const b = await client.create(ConfigMap, { metadata: { generateName: "gen-", namespace: ns } });
      assert.match(a.metadata.name, /^gen-[a-z0-9]{5}$/);
      assert.notEqual(a.metadata.name, b.metadata.name);
      assert.equal((await client.get(ConfigMap, { namespace: ns, name: a.metadata.name })).metadata.uid, a.metadata.uid);
    });

    test("creating the same name twice fails with AlreadyExists", async () => {
      const ns = await namespaces.create();
      await client.create(ConfigMap, cm(ns, "twice"));
      const err = await rejection(client.create(ConfigMap, cm(ns, "twice", { a: "2" })));
      assert.ok(isOperantError(err, "AlreadyExists"), String(err));
      assert.equal((err as ApiError).status, 409);
      assert.equal((err as ApiError).retryable, false);
      assert.deepEqual((await client.get(ConfigMap, { namespace: ns, name: "twice" })).data, { a: "1" });
    });

    test("update with a stale resourceVersion fails with Conflict (retryable), advising to read again", async () => {
      const ns = await namespaces.create();
      const first = await client.create(ConfigMap, cm(ns, "race"));
      await client.update(ConfigMap, { ...first, data: { a: "2" } });
      const err = await rejection(client.update(ConfigMap, { ...first, data: { a: "3" } }));
      assert.ok(err instanceof ApiError, String(err));
      assert.equal(err.code, "Conflict");
      assert.equal(err.retryable, true);
      assert.match(err.message, /the object has been modified/);
      assert.match(err.message, /read it again, re-apply the change and retry/);
      assert.deepEqual((await client.get(ConfigMap, { namespace: ns, name: "race" })).data, { a: "2" });
    });

    test("an invalid name fails with Invalid whose causes name the field", async () => {
      const ns = await namespaces.create();
      const err = await rejection(client.create(ConfigMap, cm(ns, "Not_Valid")));
      assert.ok(err instanceof ApiError, String(err));
      assert.equal(err.code, "Invalid");
      assert.equal(err.status, 422);
      assert.equal(err.retryable, false);
      assert.ok(err.causes.some((c) => c.field === "metadata.name" && c.reason === "FieldValueInvalid"), JSON.stringify(err.causes));
      assert.match(err.message, /Not_Valid/);
    });

    test("dry runs return the result but persist nothing (create, update, delete)", async () => {
      const ns = await namespaces.create();
      const dry = await client.create(ConfigMap, cm(ns, "dry", { x: "1" }), { dryRun: true });
      assert.equal(dry.metadata.name, "dry");
      assert.deepEqual(dry.data, { x: "1" });
      assert.equal(await client.tryGet(ConfigMap, { namespace: ns, name: "dry" }), undefined);

      const real = await client.create(ConfigMap, cm(ns, "real", { x: "1" }));
      const dryUpdate = await client.update(ConfigMap, { ...real, data: { x: "2" } }, { dryRun: true });
      assert.deepEqual(dryUpdate.data, { x: "2" });
      await client.delete(ConfigMap, { namespace: ns, name: "real" }, { dryRun: true });
      const still = await client.get(ConfigMap, { namespace: ns, name: "real" });
      assert.deepEqual(still.data, { x: "1" });
      assert.equal(still.metadata.resourceVersion, real.metadata.resourceVersion);
    });

    test("a namespaced kind without a namespace fails client-side with NamespaceRequired, before any request", async () => {
      // A client whose server does not exist: had a request been sent, this would be ConnectionFailed.
      const offline = Client.fromConfig({ ...client.transport.config, server: "https://127.0.0.1:1" }, { qps: Infinity });
      try {
        const calls: [string, Promise<unknown>][] = [
          ["create", offline.create(ConfigMap, { metadata: { name: "x" } })],
          ["get", offline.get(ConfigMap, { name: "x" })],
          ["tryGet", offline.tryGet(ConfigMap, { name: "x" })],
          ["update", offline.update(ConfigMap, { metadata: { name: "x" } })],
          ["updateStatus", offline.updateStatus(Deployment, { metadata: { name: "x" } })],
          ["patch", offline.patch(ConfigMap, { name: "x" }, { data: {} })],
          ["apply", offline.apply(ConfigMap, { metadata: { name: "x" } })],
          ["delete", offline.delete(ConfigMap, { name: "x" })],
        ];
        for (const [verb, call] of calls) {
          const err = await rejection(call);
          assert.ok(isOperantError(err, "NamespaceRequired"), `${verb}: ${String(err)}`);
          assert.match(err.message, /ConfigMap|Deployment/);
          assert.match(err.message, /namespace/);
        }
      } finally {
        await offline.close();
      }
    });
  });

  describe("paged lists and selectors", () => {
    const total = 1200;
    let ns: string;
    before(async () => {
      ns = await namespaces.create();
      const names = Array.from({ length: total }, (_, i) => `cm-${String(i).padStart(4, "0")}`);
      await inPool(names, 24, (name) => client.create(ConfigMap, cm(ns, name, { i: name }, { group: String(Number(name.slice(3)) % 3), bulk: "yes" })));
    });

    test(`list with limit 100 returns all ${total} ConfigMaps exactly once`, async () => {
      const list = await client.list(ConfigMap, { namespace: ns, limit: 100, labelSelector: { bulk: "yes" } });
      assert.equal(list.items.length, total);
      const names = new Set(list.items.map((c) => c.metadata.name));
      assert.equal(names.size, total);
      for (let i = 0; i < total; i++) assert.ok(names.has(`cm-${String(i).padStart(4, "0")}`));
      assert.ok(list.items.every((c) => c.apiVersion === "v1" && c.kind === "ConfigMap"), "items carry apiVersion and kind");
      assert.match(list.metadata.resourceVersion, /^\d+$/);
    });

    test("listPages yields pages of at most 100, 12 or more of them, with continue tokens in between", async () => {
      const pages: { size: number; continue?: string | undefined; restarted: boolean }[] = [];
      let seen = 0;
      for await (const page of client.listPages(ConfigMap, { namespace: ns, limit: 100 })) {
        pages.push({ size: page.items.length, continue: page.metadata.continue, restarted: page.restarted });
        seen += page.items.filter((c) => c.metadata.labels?.bulk === "yes").length;
      }
      assert.ok(pages.length >= 12, `${pages.length} pages`);
      assert.ok(pages.every((p) => p.size <= 100 && !p.restarted));
      assert.ok(pages.slice(0, -1).every((p) => p.continue), "every page but the last has a continue token");
      assert.ok(!pages.at(-1)!.continue, "the last page has none");
      assert.equal(seen, total);
    });

    test("label selectors as a string and as a record select the same objects", async () => {
      const asString = await client.list(ConfigMap, { namespace: ns, labelSelector: "group=1,bulk=yes", limit: 150 });
      const asRecord = await client.list(ConfigMap, { namespace: ns, labelSelector: { group: "1", bulk: "yes" }, limit: 150 });
      assert.equal(asString.items.length, total / 3);
      assert.deepEqual(asRecord.items.map((c) => c.metadata.name).sort(), asString.items.map((c) => c.metadata.name).sort());
      assert.ok(asString.items.every((c) => c.metadata.labels?.group === "1"));
      const setBased = await client.list(ConfigMap, { namespace: ns, labelSelector: "group in (0,2),bulk" });
      assert.equal(setBased.items.length, (2 * total) / 3);
      const notBulk = await client.list(ConfigMap, { namespace: ns, labelSelector: "!bulk" });
      assert.ok(notBulk.items.length <= 1 && notBulk.items.every((c) => !c.metadata.labels?.bulk), notBulk.items.map((c) => c.metadata.name).join());
    });

    test("a field selector on metadata.name selects one object", async () => {
      const one = await client.list(ConfigMap, { namespace: ns, fieldSelector: "metadata.name=cm-0042" });
      assert.deepEqual(one.items.map((c) => c.metadata.name), ["cm-0042"]);
      assert.deepEqual(one.items[0]!.data, { i: "cm-0042" });
      const none = await client.list(ConfigMap, { namespace: ns, fieldSelector: "metadata.name=nope" });
      assert.equal(none.items.length, 0);
    });

    test("metadata-only lists carry PartialObjectMetadata without data", async () => {
      const list = await client.list(ConfigMap, { namespace: ns, metadataOnly: true, limit: 400, labelSelector: "group=2" });
      assert.equal(list.items.length, total / 3);
      for (const item of list.items as KubeObject[]) {
        assert.equal(item.kind, "PartialObjectMetadata");
        assert.equal(item.apiVersion, "meta.k8s.io/v1");
        assert.equal((item as { data?: unknown }).data, undefined);
        assert.equal(item.metadata?.labels?.group, "2");
      }
    });
  });

  describe("patches", () => {
    test("JSON merge patch adds and changes keys, and null removes one", async () => {
      const ns = await namespaces.create();
      await client.create(ConfigMap, cm(ns, "m", { keep: "1", change: "1", drop: "1" }));
      const patched = await client.patch(ConfigMap, { namespace: ns, name: "m" }, { metadata: { labels: { added: "yes" } }, data: { change: "2", drop: null, add: "3" } });
      assert.deepEqual(patched.data, { keep: "1", change: "2", add: "3" });
      assert.deepEqual(patched.metadata.labels, { added: "yes" });
    });

    test("JSON patch applies add/replace/remove; a failing test op rejects the whole patch with Invalid", async () => {
      const ns = await namespaces.create();
      await client.create(ConfigMap, cm(ns, "j", { a: "1", b: "1" }));
      const ref = { namespace: ns, name: "j" };
      const patched = await client.patch(
        ConfigMap,
        ref,
        [
          { op: "test", path: "/data/a", value: "1" },
          { op: "add", path: "/data/c", value: "3" },
          { op: "replace", path: "/data/a", value: "10" },
          { op: "remove", path: "/data/b" },
        ],
        { type: "json" },
      );
      assert.deepEqual(patched.data, { a: "10", c: "3" });

      const err = await rejection(
        client.patch(
          ConfigMap,
          ref,
          [
            { op: "add", path: "/data/d", value: "4" },
            { op: "test", path: "/data/a", value: "1" },
          ],
          { type: "json" },
        ),
      );
      assert.ok(err instanceof ApiError, String(err));
      assert.equal(err.code, "Invalid");
      assert.equal(err.status, 422);
      assert.match(err.message, /one of the JSON patch's 2 operations could not be applied \(a "test" whose value does not match/);
      assert.deepEqual((await client.get(ConfigMap, ref)).data, { a: "10", c: "3" }, "nothing of the failed patch applied");

      const missing = await rejection(client.patch(ConfigMap, ref, [{ op: "remove", path: "/data/nope" }], { type: "json" }));
      assert.ok(isOperantError(missing, "Invalid"), String(missing));
    });

    test("strategic merge patch merges containers by name; a merge patch replaces the list", async () => {
      const ns = await namespaces.create();
      await client.create(Deployment, deployment(ns, "smp", 0));
      const ref = { namespace: ns, name: "smp" };
      const patch = { spec: { template: { spec: { containers: [{ name: "sidecar", image: "busybox:1.37" }] } } } };

      const strategic = await client.patch(Deployment, ref, patch, { type: "strategic" });
      const sc = strategic.spec!.template.spec!.containers;
      assert.deepEqual(sc.map((c) => `${c.name}=${c.image}`), ["web=nginx:1.27", "sidecar=busybox:1.37"]);
      assert.deepEqual(sc[0]!.env, [{ name: "MODE", value: "web" }], "the other container is untouched");

      const merged = await client.patch(Deployment, ref, patch, { type: "merge" });
      assert.deepEqual(merged.spec!.template.spec!.containers.map((c) => `${c.name}=${c.image}`), ["sidecar=busybox:1.37"]);
    });

    test("a patch of the status subresource changes status only; a patch of scale changes replicas", async () => {
      const ns = await namespaces.create();
      const created = await client.create(Deployment, deployment(ns, "sub", 1));
      const ref = { namespace: ns, name: "sub" };

      const status = await client.patch(Deployment, ref, { spec: { replicas: 7 }, status: { observedGeneration: 99 } }, { subresource: "status" });
      assert.equal(status.status?.observedGeneration, 99);
      assert.equal(status.spec?.replicas, 1, "spec changes through the status subresource are ignored");
      assert.equal(status.metadata.generation, created.metadata.generation);

      const scale = (await client.patch(Deployment, ref, { spec: { replicas: 3 } }, { subresource: "scale" })) as unknown as { kind: string; spec: { replicas: number } };
      assert.equal(scale.kind, "Scale");
      assert.equal(scale.spec.replicas, 3);
      assert.equal((await client.get(Deployment, ref)).spec?.replicas, 3);

      const plain = await client.patch(Deployment, ref, { status: { observedGeneration: 1234 } });
      assert.notEqual(plain.status?.observedGeneration, 1234, "status changes through the main resource are ignored");
    });
  });

  describe("server-side apply", () => {
    test("creates the object when missing, owned by the field manager", async () => {
      const ns = await namespaces.create();
      const ref = { namespace: ns, name: "ssa" };
      assert.equal(await client.tryGet(ConfigMap, ref), undefined);
      const applied = await client.apply(ConfigMap, cm(ns, "ssa", { k: "1" }), { fieldManager: "mgr-a" });
      assert.deepEqual(applied.data, { k: "1" });
      const entry = (applied.metadata.managedFields as { manager: string; operation: string }[]).find((m) => m.manager === "mgr-a");
      assert.equal(entry?.operation, "Apply");
      assert.deepEqual(ownership(applied)["mgr-a"], ["f:data.f:k"]);
    });

    test("a second manager setting the same field gets Conflict naming the owner; force takes ownership", async () => {
      const ns = await namespaces.create();
      await client.apply(ConfigMap, cm(ns, "owned", { k: "1", other: "x" }), { fieldManager: "mgr-a" });
      const err = await rejection(client.apply(ConfigMap, cm(ns, "owned", { k: "2" }), { fieldManager: "mgr-b" }));
      assert.ok(err instanceof ApiError, String(err));
      assert.equal(err.code, "Conflict");
      assert.match(err.message, /conflict with "mgr-a"/);
      assert.match(err.message, /\.data\.k/);
      assert.match(err.message, /force/);
      assert.equal(err.retryable, false, "retrying the same apply cannot succeed");
      assert.ok(err.causes.some((c) => c.reason === "FieldManagerConflict" && c.field === ".data.k"), JSON.stringify(err.causes));

      const forced = await client.apply(ConfigMap, cm(ns, "owned", { k: "2" }), { fieldManager: "mgr-b", force: true });
      assert.deepEqual(forced.data, { k: "2", other: "x" });
      const owners = ownership(forced);
      assert.deepEqual(owners["mgr-b"], ["f:data.f:k"]);
      assert.deepEqual(owners["mgr-a"], ["f:data.f:other"], "mgr-a lost .data.k and kept the rest");
    });

    test("applying without a field the manager set before removes it", async () => {
      const ns = await namespaces.create();
      await client.apply(ConfigMap, cm(ns, "shrink", { k1: "1", k2: "2" }, { l1: "a", l2: "b" }), { fieldManager: "mgr-a" });
      const after = await client.apply(ConfigMap, cm(ns, "shrink", { k1: "1" }, { l1: "a" }), { fieldManager: "mgr-a" });
      assert.deepEqual(after.data, { k1: "1" });
      assert.deepEqual(after.metadata.labels, { l1: "a" });
    });

    test("managedFields in the body (an object as read) are dropped, and the caller's object is left alone", async () => {
      const ns = await namespaces.create();
      await client.apply(ConfigMap, cm(ns, "roundtrip", { k: "1" }), { fieldManager: "mgr-a" });
      const read = await client.get(ConfigMap, { namespace: ns, name: "roundtrip" });
      assert.ok(read.metadata.managedFields?.length);
      const frozen = Object.freeze({ ...read, metadata: Object.freeze({ ...read.metadata }), data: { k: "2" } });
      const applied = await client.apply(ConfigMap, frozen, { fieldManager: "mgr-a" });
      assert.deepEqual(applied.data, { k: "2" });
      assert.equal(frozen.metadata.managedFields, read.metadata.managedFields, "input not modified");
    });
  });

  describe("custom resources with a status subresource", () => {
    const group = `client-${suffix()}.operant.example.com`;
    let Widget: Kind<Widget>;
    let ns: string;
    before(async () => {
      Widget = await installWidgetCrd(client, group);
      ns = await namespaces.create();
    });
    after(() => uninstallWidgetCrd(client, group));

    test("update ignores status; updateStatus changes only status", async () => {
      const created = await client.create(Widget, { metadata: { name: "w1", namespace: ns }, spec: { size: 1 }, status: { phase: "Ignored" } });
      assert.equal(created.status, undefined, "status is not set on create");

      const updated = await client.update(Widget, { ...created, spec: { size: 2 }, status: { phase: "Ignored" } });
      assert.deepEqual(updated.spec, { size: 2 });
      assert.equal(updated.status, undefined);

      const withStatus = await client.updateStatus(Widget, { ...updated, spec: { size: 99 }, status: { phase: "Ready", observed: 2 } });
      assert.deepEqual(withStatus.status, { phase: "Ready", observed: 2 });
      assert.deepEqual(withStatus.spec, { size: 2 }, "spec changes through status are ignored");
      assert.equal(withStatus.metadata.generation, updated.metadata.generation);

      const stale = await rejection(client.updateStatus(Widget, { ...updated, status: { phase: "Stale" } }));
      assert.ok(isOperantError(stale, "Conflict"), String(stale));
    });

    test("apply with subresource status owns status fields; a status patch works too", async () => {
      await client.apply(Widget, { metadata: { name: "w2", namespace: ns }, spec: { size: 3 } }, { fieldManager: "spec-owner" });
      const st = await client.apply(Widget, { metadata: { name: "w2", namespace: ns }, status: { phase: "Ready", observed: 3 } }, { fieldManager: "status-owner", subresource: "status" });
      assert.deepEqual(st.status, { phase: "Ready", observed: 3 });
      assert.deepEqual(st.spec, { size: 3 });
      const owners = ownership(st);
      assert.deepEqual(owners["status-owner/status"]?.sort(), ["f:status.f:observed", "f:status.f:phase"]);
      assert.deepEqual(owners["spec-owner"], ["f:spec.f:size"]);

      const patched = await client.patch(Widget, { namespace: ns, name: "w2" }, { status: { phase: "Degraded" } }, { subresource: "status" });
      assert.deepEqual(patched.status, { phase: "Degraded", observed: 3 });
    });

    test("a watch from a resourceVersion older than the watch cache throws Gone (410 Expired)", async () => {
      // The cache of a new CRD starts at the current resourceVersion, so "1" is too old for it.
      const err = await rejection(collect(client.watch(Widget, { namespace: ns, resourceVersion: "1" }), 1));
      assert.ok(err instanceof ApiError, String(err));
      assert.equal(err.code, "Gone");
      assert.equal(err.status, 410);
      assert.equal(err.body?.reason, "Expired");
      assert.equal(err.retryable, true);
      assert.match(err.message, /too old resource version/);
      assert.match(err.message, /list again/);
    });
  });

  describe("delete", () => {
    test("a uid precondition that does not match fails with Conflict; a matching one deletes", async () => {
      const ns = await namespaces.create();
      const created = await client.create(ConfigMap, cm(ns, "pre"));
      const ref = { namespace: ns, name: "pre" };
      const err = await rejection(client.delete(ConfigMap, ref, { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } }));
      assert.ok(isOperantError(err, "Conflict"), String(err));
      assert.match(err.message, /UID in the precondition/);
      assert.ok(await client.tryGet(ConfigMap, ref));

      const stale = await rejection(client.delete(ConfigMap, ref, { preconditions: { resourceVersion: "1" } }));
      assert.ok(isOperantError(stale, "Conflict"), String(stale));

      const gone = await client.delete(ConfigMap, ref, { preconditions: { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion } });
      assert.equal((gone as { kind?: string }).kind, "Status", "an object without finalizers is gone at once");
      assert.equal(await client.tryGet(ConfigMap, ref), undefined);
      assert.ok(isOperantError(await rejection(client.delete(ConfigMap, ref)), "NotFound"));
    });

    test("Orphan leaves a Deployment's ReplicaSet behind; Background lets the garbage collector remove it", async () => {
      const ns = await namespaces.create();
      const ownedRs = async (name: string) => {
        const dep = await client.get(Deployment, { namespace: ns, name });
        return eventually(
          async () => {
            const rs = (await client.list(ReplicaSet, { namespace: ns })).items.filter((r) => r.metadata.ownerReferences?.some((o) => o.uid === dep.metadata.uid));
            assert.equal(rs.length, 1);
            return rs[0]!;
          },
          { description: `ReplicaSet of ${name}` },
        );
      };
      await Promise.all([client.create(Deployment, deployment(ns, "orphan", 0)), client.create(Deployment, deployment(ns, "cascade", 0))]);
      const [orphanRs, cascadeRs] = await Promise.all([ownedRs("orphan"), ownedRs("cascade")]);

      await client.delete(Deployment, { namespace: ns, name: "orphan" }, { propagationPolicy: "Orphan" });
      await client.delete(Deployment, { namespace: ns, name: "cascade" }, { propagationPolicy: "Background" });

      await eventually(async () => assert.equal(await client.tryGet(ReplicaSet, { namespace: ns, name: cascadeRs.metadata.name }), undefined), { description: "cascaded ReplicaSet deleted" });
      await eventually(async () => assert.equal(await client.tryGet(Deployment, { namespace: ns, name: "orphan" }), undefined), { description: "orphaning Deployment gone" });
      const left = await client.get(ReplicaSet, { namespace: ns, name: orphanRs.metadata.name });
      assert.equal(left.metadata.uid, orphanRs.metadata.uid);
      assert.equal(left.metadata.deletionTimestamp, undefined);
      assert.deepEqual(left.metadata.ownerReferences ?? [], [], "the orphan lost its owner reference");
    });

    test("gracePeriodSeconds sets a running Pod's grace period; 0 deletes it at once", async () => {
      const ns = await namespaces.create();
      const pod = (name: string): Pod => ({ metadata: { name, namespace: ns }, spec: { nodeName: "kwok-node-0", containers: [{ name: "c", image: "busybox:1.36" }] } });
      await Promise.all(["default", "long", "now"].map((name) => client.create(Pod, pod(name))));

      const byDefault = (await client.delete(Pod, { namespace: ns, name: "default" })) as Stored<Pod>;
      assert.equal(byDefault.metadata.deletionGracePeriodSeconds, 30);
      const long = (await client.delete(Pod, { namespace: ns, name: "long" }, { gracePeriodSeconds: 45 })) as Stored<Pod>;
      assert.equal(long.metadata.deletionGracePeriodSeconds, 45);
      const until = Date.parse(long.metadata.deletionTimestamp!) - Date.now();
      assert.ok(until > 30_000 && until <= 46_000, `deletionTimestamp ${until} ms ahead`);

      await client.delete(Pod, { namespace: ns, name: "now" }, { gracePeriodSeconds: 0 });
      assert.equal(await client.tryGet(Pod, { namespace: ns, name: "now" }), undefined);
    });

    test("deleting an object with a finalizer returns it with deletionTimestamp; it stays until the finalizer is removed", async () => {
      const ns = await namespaces.create();
      const ref = { namespace: ns, name: "held" };
      await client.create(ConfigMap, { ...cm(ns, "held"), metadata: { ...cm(ns, "held").metadata, finalizers: ["operant.example.com/hold"] } });
      const marked = (await client.delete(ConfigMap, ref)) as Stored<ConfigMap>;
      assert.equal(marked.kind, "ConfigMap");
      assert.ok(marked.metadata.deletionTimestamp, "deletionTimestamp set");
      assert.deepEqual(marked.metadata.finalizers, ["operant.example.com/hold"]);
      await new Promise((r) => setTimeout(r, 300));
      assert.ok((await client.get(ConfigMap, ref)).metadata.deletionTimestamp, "still there");

      await client.patch(ConfigMap, ref, { metadata: { finalizers: null } });
      await eventually(async () => assert.equal(await client.tryGet(ConfigMap, ref), undefined), { timeoutMs: 10_000, description: "gone after the finalizer is removed" });
    });
  });

  describe("watch", () => {
    test("from a list's resourceVersion, create/modify/delete arrive in order with the right types", async () => {
      const ns = await namespaces.create();
      const rv = (await client.list(ConfigMap, { namespace: ns })).metadata.resourceVersion;
      const created = await client.create(ConfigMap, cm(ns, "w", { v: "1" }));
      await client.update(ConfigMap, { ...created, data: { v: "2" } });
      await client.delete(ConfigMap, { namespace: ns, name: "w" });
      const ac = new AbortController();
      const events = await collect(client.watch(ConfigMap, { namespace: ns, resourceVersion: rv, signal: ac.signal, fieldSelector: "metadata.name=w" }), 3);
      ac.abort();
      assert.deepEqual(
        events.map((e) => `${e.type}:${e.object.metadata.name}:${e.object.data?.v}`),
        ["ADDED:w:1", "MODIFIED:w:2", "DELETED:w:2"],
      );
      assert.ok(events.every((e) => e.object.kind === "ConfigMap" && e.object.apiVersion === "v1"));
      const rvs = events.map((e) => BigInt(e.object.metadata.resourceVersion));
      assert.ok(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!, "resourceVersions increase");
    });

    test("live events reach an open watch", async () => {
      const ns = await namespaces.create();
      const rv = (await client.list(ConfigMap, { namespace: ns })).metadata.resourceVersion;
      const ac = new AbortController();
      const events = client.watch(ConfigMap, { namespace: ns, resourceVersion: rv, signal: ac.signal, labelSelector: { live: "yes" } });
      const got = collect(events, 2);
      await client.create(ConfigMap, cm(ns, "live-1", {}, { live: "yes" }));
      await client.create(ConfigMap, cm(ns, "live-2", {}, { live: "yes" }));
      assert.deepEqual((await got).map((e) => `${e.type}:${e.object.metadata.name}`), ["ADDED:live-1", "ADDED:live-2"]);
      ac.abort();
    });

    test("a watch with timeoutSeconds: 2 ends by itself", async () => {
      const ns = await namespaces.create();
      await client.create(ConfigMap, cm(ns, "present"));
      const started = Date.now();
      const seen: string[] = [];
      for await (const ev of client.watch(ConfigMap, { namespace: ns, timeoutSeconds: 2, allowWatchBookmarks: false })) if (ev.type !== "BOOKMARK") seen.push(`${ev.type}:${ev.object.metadata.name}`);
      const took = Date.now() - started;
      assert.ok(took >= 1500 && took < 10_000, `ended after ${took} ms`);
      assert.ok(seen.includes("ADDED:present"), `without resourceVersion the watch starts with the current objects: ${seen.join()}`);
    });

    test("aborting the signal ends a watch quietly: mid-stream, while connecting, or before it starts", async () => {
      const ns = await namespaces.create();
      await client.create(ConfigMap, cm(ns, "present"));
      const ac = new AbortController();
      const seen: string[] = [];
      setTimeout(() => ac.abort(), 500);
      const started = Date.now();
      for await (const ev of client.watch(ConfigMap, { namespace: ns, signal: ac.signal })) if (ev.type !== "BOOKMARK") seen.push(`${ev.type}:${ev.object.metadata.name}`);
      assert.ok(Date.now() - started < 5000);
      assert.ok(seen.includes("ADDED:present"), seen.join());

      const early = new AbortController();
      const events = client.watch(ConfigMap, { namespace: ns, signal: early.signal });
      const first = events.next();
      early.abort();
      assert.deepEqual(await first, { done: true, value: undefined });

      const aborted = AbortSignal.abort();
      for await (const ev of client.watch(ConfigMap, { namespace: ns, signal: aborted })) assert.fail(`unexpected ${ev.type}`);
    });

    test("a metadata-only watch delivers PartialObjectMetadata", async () => {
      const ns = await namespaces.create();
      const rv = (await client.list(ConfigMap, { namespace: ns })).metadata.resourceVersion;
      await client.create(ConfigMap, cm(ns, "meta", { big: "x".repeat(10_000) }, { tier: "db" }));
      const ac = new AbortController();
      const [ev] = await collect(client.watch(ConfigMap, { namespace: ns, resourceVersion: rv, metadataOnly: true, signal: ac.signal, labelSelector: "tier=db" }), 1);
      ac.abort();
      assert.equal(ev!.type, "ADDED");
      assert.equal(ev!.object.kind, "PartialObjectMetadata");
      assert.equal(ev!.object.apiVersion, "meta.k8s.io/v1");
      assert.equal(ev!.object.metadata.name, "meta");
      assert.deepEqual(ev!.object.metadata.labels, { tier: "db" });
      assert.equal((ev!.object as { data?: unknown }).data, undefined);
    });
  });

  describe("discovery", () => {
    test("kindFor resolves built-in kinds with their plural and scope", async () => {
      const dep = await client.discovery.kindFor("apps/v1", "Deployment");
      assert.deepEqual({ ...dep }, { group: "apps", version: "v1", kind: "Deployment", apiVersion: "apps/v1", plural: "deployments", namespaced: true });
      const nsKind = await client.discovery.kindFor("v1", "Namespace");
      assert.equal(nsKind.plural, "namespaces");
      assert.equal(nsKind.namespaced, false);
      assert.equal(nsKind.group, "");
      assert.deepEqual({ ...nsKind }, { ...Namespace });
      const missing = await rejection(client.discovery.kindFor("apps/v1", "Nope"));
      assert.ok(isOperantError(missing, "UnknownKind"), String(missing));
      assert.match(missing.message, /apps\/v1 is served but has no kind Nope/);
    });

    test("a CRD's kind is UnknownKind (install the CRD) until the CRD exists, then resolves", async () => {
      const group = `disc-${suffix()}.operant.example.com`;
      const fresh = await Client.connect({ kubeconfig: cluster.kubeconfigPath, qps: Infinity });
      try {
        const err = await rejection(fresh.discovery.kindFor(`${group}/v1`, "Widget"));
        assert.ok(isOperantError(err, "UnknownKind"), String(err));
        assert.equal(err.retryable, false);
        assert.match(err.message, new RegExp(`does not serve ${group.replace(/\./g, "\\.")}/v1`));
        assert.match(err.message, /install its CRD/);

        await installWidgetCrd(client, group);
        // Same Discovery instance: it must refresh on a miss instead of trusting its cached "not served".
        const kind = await eventually(() => fresh.discovery.kindFor(`${group}/v1`, "Widget"), { timeoutMs: 15_000, description: "kindFor after install" });
        assert.deepEqual({ ...kind }, { group, version: "v1", kind: "Widget", apiVersion: `${group}/v1`, plural: "widgets", namespaced: true });
      } finally {
        await fresh.close();
        await uninstallWidgetCrd(client, group);
      }
    });

    test("serverVersion reports v1.36", async () => {
      const v = await client.discovery.serverVersion();
      assert.equal(v.major, "1");
      assert.equal(v.minor, "36");
      assert.match(v.gitVersion, /^v1\.36\.\d+/);
    });
  });
});
