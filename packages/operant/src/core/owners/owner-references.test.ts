import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isOperantError } from "../errors.ts";
import type { ReadonlyDeep } from "../object.ts";
import type { KubeObject } from "../object.ts";
import { controllerOf, isOwnedBy, removeOwnerReference, setControllerReference, setOwnerReference } from "./owner-references.ts";

const Widget = { apiVersion: "example.com/v1", kind: "Widget" };
const owner = (name = "w", uid = `uid-${name}`, namespace: string | null = "ns"): KubeObject => ({
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name, uid, ...(namespace && { namespace }) },
});
const cm = (namespace: string | null = "ns"): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", ...(namespace && { namespace }) } });

function throwsCode(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isOperantError(err, code), `expected ${code}, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

describe("setControllerReference", () => {
  test("adds a controller reference with blockOwnerDeletion and leaves the input untouched", () => {
    const input = cm();
    const out = setControllerReference(owner(), input);
    assert.deepEqual(out.metadata.ownerReferences, [{ apiVersion: "example.com/v1", kind: "Widget", name: "w", uid: "uid-w", controller: true, blockOwnerDeletion: true }]);
    assert.equal(input.metadata?.ownerReferences, undefined);
    assert.equal(out.metadata.name, "c");
  });

  test("takes apiVersion/kind from the Kind when the owner lacks them", () => {
    const o = { metadata: { name: "w", uid: "u", namespace: "ns" } };
    assert.equal(setControllerReference(o, cm(), Widget).metadata.ownerReferences?.[0]?.kind, "Widget");
    throwsCode(() => setControllerReference(o, cm()), "InvalidOwner", /no apiVersion\/kind; pass its Kind/);
  });

  test("is idempotent: the same owner (even at another version or uid) is updated in place", () => {
    const once = setControllerReference(owner(), cm());
    assert.deepEqual(setControllerReference(owner(), once), once);
    const recreated = setControllerReference({ ...owner("w", "uid-new"), apiVersion: "example.com/v2" }, once);
    assert.equal(recreated.metadata.ownerReferences?.length, 1);
    assert.equal(recreated.metadata.ownerReferences?.[0]?.uid, "uid-new");
    assert.equal(recreated.metadata.ownerReferences?.[0]?.apiVersion, "example.com/v2");
  });

  test("keeps other owners and promotes an existing plain reference to the same owner", () => {
    const plain = setOwnerReference(owner("other"), setOwnerReference(owner(), cm()));
    const out = setControllerReference(owner(), plain);
    assert.deepEqual(
      out.metadata.ownerReferences?.map((r) => [r.name, r.controller ?? false]),
      [["w", true], ["other", false]],
    );
  });

  test("refuses a second, different controller and names the existing one", () => {
    const owned = setControllerReference(owner("first"), cm());
    throwsCode(() => setControllerReference(owner("second"), owned), "AlreadyOwned", /already controlled by Widget first .*uid uid-first.*at most one controller.*setOwnerReference/);
    const otherKind = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "first", uid: "d", namespace: "ns" } };
    throwsCode(() => setControllerReference(otherKind, owned), "AlreadyOwned", /Widget first/);
  });

  test("refuses a cross-namespace owner", () => {
    throwsCode(() => setControllerReference(owner("w", "u", "a"), cm("b")), "InvalidOwner", /cross-namespace owner references are not allowed: the owner Widget a\/w is in namespace "a" but ConfigMap b\/c is in "b"/);
  });

  test("refuses a namespaced owner for an object without namespace", () => {
    throwsCode(() => setControllerReference(owner(), cm(null)), "InvalidOwner", /has no namespace, and a cluster-scoped object must not have a namespaced owner.*set its metadata\.namespace first/);
  });

  test("accepts a cluster-scoped owner for namespaced and cluster-scoped objects", () => {
    const clusterOwner = owner("cw", "u", null);
    assert.equal(setControllerReference(clusterOwner, cm("any")).metadata.ownerReferences?.length, 1);
    assert.equal(setControllerReference(clusterOwner, cm(null)).metadata.ownerReferences?.length, 1);
  });

  test("refuses an owner that was not created yet (no uid) or has no name", () => {
    throwsCode(() => setControllerReference({ ...owner(), metadata: { name: "w", namespace: "ns" } }, cm()), "InvalidOwner", /has no metadata\.uid, so it has not been created yet; create it first/);
    throwsCode(() => setControllerReference({ ...owner(), metadata: { uid: "u", namespace: "ns" } }, cm()), "InvalidOwner", /has no metadata\.name/);
  });

  test("blockOwnerDeletion can be turned off", () => {
    assert.equal(setControllerReference(owner(), cm(), undefined, { blockOwnerDeletion: false }).metadata.ownerReferences?.[0]?.blockOwnerDeletion, false);
  });
});

describe("setOwnerReference", () => {
  test("adds a non-controller reference, idempotently, and validates like the controller form", () => {
    const out = setOwnerReference(owner(), cm());
    assert.deepEqual(out.metadata.ownerReferences, [{ apiVersion: "example.com/v1", kind: "Widget", name: "w", uid: "uid-w" }]);
    assert.deepEqual(setOwnerReference(owner(), out), out);
    assert.equal(controllerOf(out), undefined);
    throwsCode(() => setOwnerReference(owner("w", "u", "a"), cm("b")), "InvalidOwner", /cross-namespace/);
  });

  test("does not conflict with an existing controller", () => {
    const out = setOwnerReference(owner("plain"), setControllerReference(owner("ctl"), cm()));
    assert.equal(controllerOf(out)?.name, "ctl");
    assert.equal(out.metadata.ownerReferences?.length, 2);
  });
});

describe("removeOwnerReference, isOwnedBy, controllerOf", () => {
  test("removes the owner's reference, drops the empty list, and is a no-op when absent", () => {
    const two = setOwnerReference(owner("b"), setControllerReference(owner("a"), cm()));
    const one = removeOwnerReference(owner("a"), two);
    assert.deepEqual(one.metadata.ownerReferences?.map((r) => r.name), ["b"]);
    assert.equal(controllerOf(one), undefined);
    const none = removeOwnerReference(owner("b"), one);
    assert.equal("ownerReferences" in none.metadata, false);
    assert.deepEqual(removeOwnerReference(owner("zzz"), one), one);
  });

  test("isOwnedBy compares uids when the owner has one, else group/kind/name", () => {
    const owned = setControllerReference(owner("a", "uid-1"), cm());
    assert.equal(isOwnedBy(owned, owner("a", "uid-1")), true);
    assert.equal(isOwnedBy(owned, owner("a", "uid-2")), false, "a namesake with another uid is another object");
    assert.equal(isOwnedBy(owned, { metadata: { name: "a" } }, { apiVersion: "example.com/v2", kind: "Widget" }), true);
    assert.equal(isOwnedBy(owned, { metadata: { name: "a" } }, { apiVersion: "other.com/v1", kind: "Widget" }), false);
    assert.equal(isOwnedBy(cm(), owner()), false);
  });

  test("controllerOf finds the controller reference", () => {
    assert.equal(controllerOf(cm()), undefined);
    assert.equal(controllerOf(setOwnerReference(owner("p"), setControllerReference(owner("c"), cm())))?.name, "c");
  });

  test("isOwnedBy and controllerOf read frozen, read-only objects (as the cache hands them out)", () => {
    const frozen = (o: KubeObject): ReadonlyDeep<KubeObject> => Object.freeze(structuredClone(o));
    const owned = frozen(setControllerReference(owner("c"), cm()));
    assert.equal(controllerOf(owned)?.uid, "uid-c");
    assert.equal(isOwnedBy(owned, frozen(owner("c"))), true);
    assert.equal(isOwnedBy(owned, frozen(owner("d"))), false);
  });
});
