import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigMap, Deployment } from "../kinds/index.ts";
import { Action } from "../runtime/controller/action.ts";
import { Controller } from "../runtime/controller/builder.ts";
import { predicates } from "../runtime/controller/predicates.ts";
import { drainLabel, shardLabel } from "./labels.ts";
import { shardedDefinition, withLabels } from "./member.ts";

const S = shardLabel("web");
const D = drainLabel("web");

test("withLabels joins a string or pairs with the member's pairs", () => {
  assert.equal(withLabels(undefined, { [S]: "m" }), `${S}=m`);
  assert.equal(withLabels({ app: "web" }, { [S]: "m" }), `app=web,${S}=m`);
  assert.equal(withLabels(" tier in (a,b) ", { [S]: "m" }), `tier in (a,b),${S}=m`);
  assert.equal(withLabels("", { [S]: "m" }), `${S}=m`);
});

const cm = (labels: Record<string, string>, rv = "5"): never => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "ns", uid: "u", resourceVersion: rv, labels, generation: 1 } }) as never;

test("shardedDefinition selects the member's shard on for and owns, keeps the rest of the definition", () => {
  const def = Controller.for(ConfigMap, { labelSelector: { role: "x" } }).named("web").owns(Deployment, { metadataOnly: true }).reconcile(() => Action.awaitChange());
  const mine = shardedDefinition(def, "m-1");
  assert.equal(mine.forOptions.labelSelector, `role=x,${S}=m-1`);
  assert.equal(mine.owns[0]!.options.labelSelector, `${S}=m-1`);
  assert.equal(mine.owns[0]!.options.metadataOnly, true);
  assert.equal(mine.name, "web");
  assert.equal(mine.kind, ConfigMap);
  assert.equal(mine.forOptions.predicates, undefined, "no predicates added where there were none");
  assert.ok(Object.isFrozen(mine));
});

test("the definition's predicates still filter, except the arrival of a drain mark", () => {
  const def = Controller.for(ConfigMap, { predicates: [predicates.generationChanged()] }).named("web").reconcile(() => Action.awaitChange());
  const [p] = shardedDefinition(def, "m-1").forOptions.predicates!;
  assert.equal(p!({ type: "updated", previous: cm({ [S]: "m-1" }), object: cm({ [S]: "m-1", other: "x" }), relist: false }), false, "a label change without a new generation is still filtered");
  assert.equal(p!({ type: "updated", previous: cm({ [S]: "m-1" }), object: cm({ [S]: "m-1", [D]: "true" }), relist: false }), true, "a drain mark passes");
});

test("the reconciler acknowledges a drain mark (conditioned on the resourceVersion) instead of reconciling, and reconciles otherwise", async () => {
  const calls: string[] = [];
  const patches: unknown[] = [];
  const def = Controller.for(ConfigMap).named("web").reconcile(() => {
    calls.push("reconcile");
    return Action.requeueAfter(1000);
  });
  const mine = shardedDefinition(def, "m-1");
  const ctx = { client: { patch: (_k: unknown, ref: unknown, patch: unknown) => Promise.resolve(void patches.push({ ref, patch })) }, log: { info() {} }, signal: new AbortController().signal } as never;
  assert.deepEqual(await mine.reconciler(cm({ [S]: "m-1" }), ctx), Action.requeueAfter(1000));
  assert.deepEqual(calls, ["reconcile"]);
  assert.deepEqual(await mine.reconciler(cm({ [S]: "m-1", [D]: "true" }, "9"), ctx), Action.awaitChange());
  assert.deepEqual(calls, ["reconcile"], "no reconcile of a draining object");
  assert.deepEqual(await mine.reconciler(cm({}, "10"), ctx), Action.awaitChange(), "after its acknowledgement (a requeue timer, the overlay's copy) the object is not this member's");
  assert.deepEqual(await mine.reconciler(cm({ [S]: "m-2" }, "11"), ctx), Action.awaitChange());
  assert.deepEqual(calls, ["reconcile"], "objects of other members or of none are never reconciled here");
  assert.deepEqual(patches, [{ ref: { namespace: "ns", name: "a" }, patch: { metadata: { resourceVersion: "9", labels: { [S]: null, [D]: null } } } }]);
});
