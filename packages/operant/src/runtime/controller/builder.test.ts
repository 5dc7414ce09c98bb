// Unit tests of the builder (the definition it produces) and of the
// request mappers it is sugar over.
import assert from "node:assert/strict";
import { test } from "node:test";
import { silentLogger } from "../../core/logger.ts";
import type { Cached, ObjectRef } from "../../core/object.ts";
import { ConfigMap, Deployment, Secret, type Deployment as DeploymentObj } from "../../kinds/index.ts";
import type { InformerHandler } from "../cache/informer.ts";
import { Action } from "./action.ts";
import { Controller } from "./builder.ts";
import { enqueueOwner, enqueueSelf, fromInformer, type RequestSource } from "./sources.ts";

test("the definition holds what the builder declared, with defaults, frozen", () => {
  const raw: RequestSource = { start: () => undefined };
  async function* refs(): AsyncGenerator<ObjectRef> {
    await Promise.resolve();
    yield { namespace: "ns", name: "x" };
  }
  const def = Controller.for(ConfigMap)
    .owns(Secret, { metadataOnly: true })
    .watches(Deployment, { toRequests: () => [] })
    .watchesSource(raw)
    .watchesSource(refs())
    .watchesSource(() => undefined)
    .reconcile(() => Action.awaitChange());
  assert.equal(def.name, "configmap");
  assert.deepEqual(def.owns.map((o) => o.kind.kind), ["Secret"]);
  assert.deepEqual(def.watches.map((w) => w.kind.kind), ["Deployment"]);
  assert.equal(def.sources.length, 3);
  assert.equal(def.sources[0], raw, "a RequestSource is kept as is");
  assert.equal(typeof def.sources[1]!.start, "function", "an AsyncIterable is wrapped");
  assert.equal(typeof def.sources[2]!.start, "function", "a subscribe function is wrapped");
  assert.deepEqual({ ...def.options }, { maxConcurrentReconciles: 1, reconcileTimeout: "10m", resyncPeriod: "10h", reconcileTimeoutMs: 600_000, resyncPeriodMs: 36_000_000, fieldManager: "operant-configmap" });
  assert.ok(Object.isFrozen(def));
});

test("invalid names and concurrency are refused with their codes", () => {
  assert.throws(() => Controller.for(ConfigMap).named("Not_Valid"), { code: "InvalidName" });
  assert.throws(() => Controller.for(ConfigMap).withOptions({ maxConcurrentReconciles: 0 }).reconcile(() => Action.awaitChange()), { code: "InvalidArgument" });
});

test("Action: awaitChange and requeueAfter are the only outcomes; durations parse", () => {
  assert.deepEqual(Action.awaitChange(), { type: "awaitChange" });
  assert.deepEqual(Action.requeueAfter("1m30s"), { type: "requeueAfter", afterMs: 90_000 });
  assert.deepEqual(Object.keys(Action).sort(), ["awaitChange", "requeueAfter"]);
});

test("enqueueSelf maps an object to itself; enqueueOwner to its controller owner of the primary kind only", () => {
  const dep = (owners: object[]) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "ns", ownerReferences: owners } }) as unknown as Cached<DeploymentObj>;
  assert.deepEqual(enqueueSelf<DeploymentObj>()(dep([])), [{ namespace: "ns", name: "d" }]);
  const toOwner = enqueueOwner<DeploymentObj>(ConfigMap);
  assert.deepEqual(toOwner(dep([{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: "u", controller: true }])), [{ namespace: "ns", name: "owner" }]);
  assert.deepEqual(toOwner(dep([{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: "u" }])), [], "not the controller owner");
  assert.deepEqual(toOwner(dep([{ apiVersion: "example.com/v1", kind: "ConfigMap", name: "owner", uid: "u", controller: true }])), [], "another group");
  assert.deepEqual(toOwner(dep([{ apiVersion: "v1", kind: "Secret", name: "owner", uid: "u", controller: true }])), [], "another kind");
});

test("fromInformer: a throwing predicate lets the event through, a throwing mapper drops it, an update maps old and new once each", () => {
  let handler: InformerHandler<DeploymentObj> | undefined;
  const informer = { addHandler: (h: InformerHandler<DeploymentObj>) => ((handler = h), () => (handler = undefined)) };
  const got: string[][] = [];
  const logged: string[] = [];
  const sink = { enqueue: (refs: Iterable<ObjectRef>, o?: { relist?: boolean }) => void got.push([...refs].map((r) => `${r.name}${o?.relist ? " (relist)" : ""}`)), log: { ...silentLogger, error: (_o: object, msg: string) => void logged.push(msg) } as typeof silentLogger };
  const stop = new AbortController();
  const dep = (name: string, app: string) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "ns", labels: { app } } }) as unknown as Cached<DeploymentObj>;
  fromInformer(informer, {
    toRequests: (d) => {
      if (d.metadata.name === "bad") throw new Error("boom");
      return [{ namespace: "ns", name: d.metadata.labels!.app! }, { namespace: "ns", name: d.metadata.labels!.app! }, null];
    },
    predicates: [
      () => {
        throw new Error("predicate bug");
      },
    ],
  }).start(sink, stop.signal);
  handler!.added!(dep("d", "one"), { relist: true });
  handler!.updated!(dep("d", "one"), dep("d", "two"), { relist: false });
  handler!.deleted!(dep("bad", "x"), { relist: false });
  assert.deepEqual(got, [["one (relist)"], ["one", "two"]]);
  assert.deepEqual(logged, ["predicate threw; letting the event through", "predicate threw; letting the event through", "predicate threw; letting the event through", "mapping an event to requests threw; event dropped"]);
  stop.abort();
  assert.equal(handler, undefined, "the handler is removed when the source stops");
});

test(".index declares typed indexes: ctx.byIndex takes their names and the built-in ones, nothing else", () => {
  const byImage = (d: Cached<DeploymentObj>) => (d.spec?.template.spec?.containers ?? []).map((c) => c.image ?? "");
  const bySecretKey = (s: Cached<Secret>) => Object.keys(s.data ?? {});
  const def = Controller.for(ConfigMap)
    .watches(Deployment, { toRequests: () => [] })
    .index(Deployment, "image", byImage)
    .index(Secret, "key", bySecretKey)
    .reconcile((_cm, ctx) => {
      ctx.byIndex(Deployment, "image", "nginx");
      ctx.byIndex(Deployment, "controller", "uid");
      ctx.byIndex(Secret, "key", "password");
      // @ts-expect-error "key" is declared for Secrets, not Deployments
      ctx.byIndex(Deployment, "key", "x");
      // @ts-expect-error no index "color" was declared
      ctx.byIndex(Secret, "color", "red");
      return Action.awaitChange();
    });
  assert.deepEqual(def.indexes.map((i) => [i.kind.kind, i.name, i.fn]), [["Deployment", "image", byImage], ["Secret", "key", bySecretKey]]);
  const code = (c: string, pattern: RegExp) => (e: Error & { code?: string }) => e.code === c && pattern.test(e.message);
  assert.throws(() => Controller.for(ConfigMap).index(Secret, "owner", bySecretKey), code("IndexConflict", /"owner" is a built-in index/));
  assert.throws(() => Controller.for(ConfigMap).index(Secret, "", bySecretKey), code("InvalidArgument", /non-empty name/));
  assert.throws(() => Controller.for(ConfigMap).index(Secret, "k", bySecretKey).index(Secret, "k", (s) => [s.metadata.name]), code("IndexConflict", /declared twice/));
});
