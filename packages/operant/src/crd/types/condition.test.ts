import assert from "node:assert/strict";
import { test } from "node:test";
import Type from "typebox";
import { toStructural } from "../schema/convert.ts";
import { problems } from "../validate/validate.ts";
import { Condition } from "./condition.ts";

const ready: Condition = { type: "Ready", status: "True", reason: "PodsReady", message: "3/3", lastTransitionTime: "2025-01-01T00:00:00Z", observedGeneration: 2 };

test("a Condition carries upstream's validation", () => {
  const s = toStructural(Condition, "c");
  assert.deepEqual(s.required, ["type", "status", "lastTransitionTime", "reason", "message"]);
  const p = s.properties ?? {};
  assert.deepEqual(p.status?.enum, ["True", "False", "Unknown"]);
  assert.equal(p.type?.maxLength, 316);
  assert.equal(p.type?.pattern, "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$");
  assert.deepEqual([p.reason?.minLength, p.reason?.maxLength, p.reason?.pattern], [1, 1024, "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"]);
  assert.equal(p.message?.maxLength, 32768);
  assert.deepEqual([p.observedGeneration?.type, p.observedGeneration?.format, p.observedGeneration?.minimum], ["integer", "int64", 0]);
  assert.deepEqual([p.lastTransitionTime?.type, p.lastTransitionTime?.format], ["string", "date-time"]);
});

test("an array of Conditions is a list-map keyed by type, unless the array says otherwise", () => {
  const list = toStructural(Type.Object({ conditions: Type.Optional(Type.Array(Condition)) }), "status").properties?.conditions;
  assert.equal(list?.["x-kubernetes-list-type"], "map");
  assert.deepEqual(list?.["x-kubernetes-list-map-keys"], ["type"]);
  const atomic = toStructural(Type.Array(Condition, { "x-kubernetes-list-type": "atomic" }), "status.conditions");
  assert.equal(atomic["x-kubernetes-list-type"], "atomic");
  assert.equal(atomic["x-kubernetes-list-map-keys"], undefined);
});

test("values are checked client-side the way the API server checks them", () => {
  assert.deepEqual(problems(Condition, ready), []);
  const found = problems(Condition, { ...ready, type: "not valid!", status: "Yes", reason: "has spaces", lastTransitionTime: "now", observedGeneration: -1 });
  assert.deepEqual(found.map((p) => p.path), ["type", "status", "observedGeneration", "lastTransitionTime", "reason"]);
});
