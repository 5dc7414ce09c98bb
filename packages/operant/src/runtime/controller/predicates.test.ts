// Unit tests of the ready-made predicates and their combinators.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ConfigMap } from "../../kinds/index.ts";
import type { Cached } from "../../core/object.ts";
import { predicates, type ChangeEvent } from "./predicates.ts";

type Meta = { generation?: number; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
const obj = (m: Meta) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "ns", ...m } }) as unknown as Cached<ConfigMap>;
const updated = (before: Meta, after: Meta): ChangeEvent<ConfigMap> => ({ type: "updated", previous: obj(before), object: obj(after), relist: false });
const added: ChangeEvent<ConfigMap> = { type: "added", object: obj({ generation: 1 }), relist: false };
const deleted: ChangeEvent<ConfigMap> = { type: "deleted", object: obj({ generation: 1 }), relist: true };

test("each predicate lets adds and deletes through and filters updates on its field", () => {
  const cases = [
    { p: predicates.generationChanged<ConfigMap>(), pass: updated({ generation: 1 }, { generation: 2 }), drop: updated({ generation: 1, labels: { a: "1" } }, { generation: 1, labels: { a: "2" } }) },
    { p: predicates.labelsChanged<ConfigMap>(), pass: updated({ labels: { a: "1" } }, { labels: { a: "2" } }), drop: updated({ labels: { a: "1", b: "2" } }, { labels: { b: "2", a: "1" } }) },
    { p: predicates.annotationsChanged<ConfigMap>(), pass: updated({}, { annotations: { n: "1" } }), drop: updated({ annotations: { n: "1" } }, { annotations: { n: "1" }, labels: { x: "y" } }) },
    { p: predicates.resourceVersionChanged<ConfigMap>(), pass: updated({ resourceVersion: "1" }, { resourceVersion: "2" }), drop: updated({ resourceVersion: "3" }, { resourceVersion: "3" }) },
  ];
  for (const [i, c] of cases.entries()) {
    assert.equal(c.p(added), true, `case ${i}: add`);
    assert.equal(c.p(deleted), true, `case ${i}: delete`);
    assert.equal(c.p(c.pass), true, `case ${i}: the field changed`);
    assert.equal(c.p(c.drop), false, `case ${i}: the field did not change`);
  }
});

test("generationChanged lets an update through when the object has no generation (kinds without one)", () => {
  assert.equal(predicates.generationChanged<ConfigMap>()(updated({}, {})), true);
});

test("and / or / not combine predicates", () => {
  const gen = predicates.generationChanged<ConfigMap>();
  const labels = predicates.labelsChanged<ConfigMap>();
  const onlyLabels = updated({ generation: 1, labels: { a: "1" } }, { generation: 1, labels: { a: "2" } });
  const nothing = updated({ generation: 1 }, { generation: 1 });
  assert.equal(predicates.or(gen, labels)(onlyLabels), true);
  assert.equal(predicates.or(gen, labels)(nothing), false);
  assert.equal(predicates.and(gen, labels)(onlyLabels), false);
  assert.equal(predicates.not(gen)(nothing), true);
  assert.equal(predicates.and<ConfigMap>()(nothing), true, "and() of nothing passes");
  assert.equal(predicates.or<ConfigMap>()(nothing), false, "or() of nothing fails");
});
