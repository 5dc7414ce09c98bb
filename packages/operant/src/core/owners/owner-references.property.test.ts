// Property tests of the owner-reference helpers: any sequence of
// setControllerReference / setOwnerReference / removeOwnerReference keeps an
// object's references well-formed (at most one controller, one reference per
// owner), does what it says (owned after set, not after remove), never
// modifies its input, and fails only with InvalidOwner / AlreadyOwned, also
// on objects whose ownerReferences are not what the API would send.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fuzz } from "../../../test/support/fuzz.ts";
import { isOperantError } from "../errors.ts";
import type { KubeObject, OwnerReference } from "../object.ts";
import { controllerOf, isOwnedBy, removeOwnerReference, setControllerReference, setOwnerReference } from "./owner-references.ts";

// Owners that collide in the ways that matter: same group in two versions (the same owner), same name in
// another kind or group (another owner), cluster-scoped and namespaced.
const owners: KubeObject[] = [
  { apiVersion: "cache.example.com/v1", kind: "Memcached", metadata: { name: "m", namespace: "ns", uid: "u-m" } },
  { apiVersion: "cache.example.com/v2", kind: "Memcached", metadata: { name: "m", namespace: "ns", uid: "u-m" } },
  { apiVersion: "cache.example.com/v1", kind: "Memcached", metadata: { name: "m2", namespace: "ns", uid: "u-m2" } },
  { apiVersion: "other.example.com/v1", kind: "Memcached", metadata: { name: "m", namespace: "ns", uid: "u-om" } },
  { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "m", namespace: "ns", uid: "u-d" } },
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns", uid: "u-ns" } },
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "elsewhere", namespace: "other", uid: "u-x" } },
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "not-created", namespace: "ns" } },
];
const owner = fc.constantFrom(...owners);
const op = fc.tuple(fc.constantFrom("controller", "owner", "remove"), owner, fc.option(fc.boolean(), { nil: undefined }));
const wellFormed = fc.array(fc.tuple(owner, fc.boolean()), { maxLength: 3 }).map((list) => {
  let obj: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "ns" } };
  for (const [o, controller] of list) {
    try {
      obj = controller ? setControllerReference(o, obj) : setOwnerReference(o, obj);
    } catch {
      // keep what we have
    }
  }
  return obj;
});
const hostileRefs = fc.constantFrom<unknown>({}, "owner", 7, null, [null], [1, "x"], [{}], [{ apiVersion: 5, kind: null, name: {}, uid: [] }], [{ apiVersion: "v1", kind: "Namespace", name: "ns", uid: "u-ns", controller: "yes" }]);
const hostile = hostileRefs.map((ownerReferences) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "ns", ownerReferences } }) as unknown as KubeObject);

const group = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");
const key = (r: Pick<OwnerReference, "apiVersion" | "kind" | "name">) => `${group(r.apiVersion)}|${r.kind}|${r.name}`;

function check(obj: KubeObject): void {
  const all: unknown = obj.metadata?.ownerReferences ?? [];
  if (!Array.isArray(all)) return; // left as it came: nothing was set
  // Entries the helpers did not write (garbage from a hostile start) are left alone; the rest must be well-formed.
  const refs = (all as Partial<OwnerReference>[]).filter((r): r is OwnerReference => typeof r?.apiVersion === "string");
  assert.ok(refs.filter((r) => r.controller === true).length <= 1, `two controllers: ${JSON.stringify(refs)}`);
  assert.equal(new Set(refs.map(key)).size, refs.length, `two references to one owner: ${JSON.stringify(refs)}`);
}

test("property: any sequence of set/remove keeps references well-formed and does what it says", async (t) => {
  await fuzz(
    t,
    "owner references",
    fc.property(fc.oneof(wellFormed, hostile), fc.array(op, { maxLength: 8 }), (start, ops) => {
      let obj = start;
      for (const [what, o, block] of ops) {
        const snapshot = JSON.stringify(obj);
        let next: KubeObject;
        try {
          const options = block === undefined ? {} : { blockOwnerDeletion: block };
          next = what === "controller" ? setControllerReference(o, obj, undefined, options) : what === "owner" ? setOwnerReference(o, obj, undefined, options) : removeOwnerReference(o, obj);
        } catch (err) {
          assert.ok(isOperantError(err, "InvalidOwner", "AlreadyOwned"), `${what} ${o.kind} ${o.metadata?.name}: ${String(err)}`);
          continue;
        }
        assert.equal(JSON.stringify(obj), snapshot, "the input was modified");
        check(next);
        if (what === "remove") assert.equal(isOwnedBy(next, { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata?.name } }), false);
        else {
          assert.equal(isOwnedBy(next, o), true);
          if (what === "controller") assert.equal(controllerOf(next)?.uid, o.metadata?.uid);
        }
        obj = next;
      }
      // Reads never throw either.
      controllerOf(obj);
      for (const o of owners) isOwnedBy(obj, o);
    }),
    { numRuns: 1000 },
  );
});

// Found by the property: an object whose metadata.ownerReferences is not an array (an object, a string) or
// holds non-objects made every helper throw a TypeError ("refs.find is not a function"), which the issue saw
// end an operator. Such references are now read as none (the API server would never send them).
test("ownerReferences that are not an array of objects are read as no references", () => {
  for (const ownerReferences of [{}, "x", 3, [null, 1]]) {
    const obj = { metadata: { name: "c", namespace: "ns", ownerReferences } } as unknown as KubeObject;
    assert.equal(controllerOf(obj), undefined);
    assert.equal(isOwnedBy(obj, owners[0]!), false);
    const set = setControllerReference(owners[0]!, obj);
    assert.equal(controllerOf(set)?.uid, "u-m");
    assert.deepEqual(removeOwnerReference(owners[0]!, set).metadata.ownerReferences, undefined);
  }
});
