import assert from "node:assert/strict";
import { test } from "node:test";
import { internAndFreeze, StringPool } from "./string-pool.ts";

test("equal strings come back as one instance; the object is deeply frozen", () => {
  const pool = new StringPool();
  const a = internAndFreeze(JSON.parse('{"spec":{"containers":[{"imagePullPolicy":"IfNotPresent","args":["x","IfNotPresent"]}]}}') as { spec: { containers: { imagePullPolicy: string; args: string[] }[] } }, pool);
  const b = internAndFreeze(JSON.parse('{"spec":{"containers":[{"imagePullPolicy":"IfNotPresent","args":[]}]}}') as typeof a, pool);
  assert.equal(a.spec.containers[0]!.imagePullPolicy, b.spec.containers[0]!.imagePullPolicy);
  assert.equal(pool.size, 2);
  assert.ok(Object.isFrozen(a.spec.containers[0]!.args));
  assert.throws(() => {
    (a.spec as { containers: unknown }).containers = [];
  }, TypeError);
});

test("the pool stays bounded: strings unseen for two generations drop out", () => {
  const pool = new StringPool(10);
  for (let i = 0; i < 1000; i++) pool.intern(`unique-${i}`);
  assert.ok(pool.size <= 21, `size ${pool.size}`);
  const keep = pool.intern("hot");
  for (let i = 0; i < 100; i++) {
    pool.intern(`more-${i}`);
    assert.equal(pool.intern("hot"), keep);
  }
});

test("long strings are not pooled", () => {
  const pool = new StringPool(10, 8);
  pool.intern("a-very-long-string");
  assert.equal(pool.size, 0);
});
