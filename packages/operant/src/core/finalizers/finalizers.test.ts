import assert from "node:assert/strict";
import { test } from "node:test";
import { isOperantError } from "../errors.ts";
import type { ReadonlyDeep } from "../object.ts";
import type { KubeObject } from "../object.ts";
import { hasFinalizer, isBeingDeleted, withFinalizer, withoutFinalizer } from "./finalizers.ts";

const F = "cache.example.com/finalizer";
const obj = (finalizers?: string[], deletionTimestamp?: string): KubeObject => ({
  kind: "Memcached",
  metadata: { name: "mc", namespace: "ns", ...(finalizers && { finalizers }), ...(deletionTimestamp && { deletionTimestamp }) },
});

test("withFinalizer appends once, keeps others, copies metadata", () => {
  const input = obj(["other.io/x"]);
  const out = withFinalizer(input, F);
  assert.deepEqual(out.metadata.finalizers, ["other.io/x", F]);
  assert.deepEqual(input.metadata?.finalizers, ["other.io/x"], "input untouched");
  assert.deepEqual(withFinalizer(out, F).metadata.finalizers, ["other.io/x", F], "idempotent");
  assert.deepEqual(withFinalizer(obj(), F).metadata.finalizers, [F]);
  assert.equal(hasFinalizer(out, F), true);
  assert.equal(hasFinalizer(input, F), false);
  assert.equal(hasFinalizer({}, F), false);
});

test("withoutFinalizer removes only that name, drops the empty list, is a no-op when absent", () => {
  const both = obj(["other.io/x", F]);
  assert.deepEqual(withoutFinalizer(both, F).metadata.finalizers, ["other.io/x"]);
  assert.deepEqual(both.metadata?.finalizers, ["other.io/x", F], "input untouched");
  assert.equal("finalizers" in withoutFinalizer(obj([F]), F).metadata, false);
  assert.deepEqual(withoutFinalizer(obj(["other.io/x"]), F), obj(["other.io/x"]));
});

test("an object being deleted: finalizers can be removed, never added", () => {
  const deleting = obj([F], "2025-01-01T00:00:00Z");
  assert.equal(isBeingDeleted(deleting), true);
  assert.equal(isBeingDeleted(obj()), false);
  assert.equal("finalizers" in withoutFinalizer(deleting, F).metadata, false);
  assert.throws(
    () => withFinalizer(deleting, "other.io/y"),
    (err: unknown) => isOperantError(err, "ObjectBeingDeleted") && /it is being deleted .*accepts no new finalizers.*run the cleanup and remove the finalizer instead/.test(err.message),
  );
});

test("refuses finalizer names the API server would refuse", () => {
  for (const bad of ["", "has space", "Upper.Case/x", "a/b/c", `example.com/${"x".repeat(64)}`, "/x"]) {
    assert.throws(() => withFinalizer(obj(), bad), (err: unknown) => isOperantError(err, "InvalidFinalizer") && /domain-prefixed name such as "cache\.example\.com\/cleanup"/.test(err.message), bad);
  }
  for (const good of ["kubernetes", "foregroundDeletion", "example.com/clean-up_1.2"]) withFinalizer(obj(), good);
});

test("isBeingDeleted and hasFinalizer read frozen, read-only objects (as the cache hands them out)", () => {
  const cached = Object.freeze(structuredClone(obj([F], "2024-01-01T00:00:00Z"))) as ReadonlyDeep<KubeObject>;
  assert.equal(isBeingDeleted(cached), true);
  assert.equal(hasFinalizer(cached, F), true);
  assert.equal(hasFinalizer(cached, "other.io/x"), false);
});
