import assert from "node:assert/strict";
import { test } from "node:test";
import Type, { type Static } from "typebox";
import type { Kind, ObjectOf } from "../../core/kind.ts";
import type { Stored } from "../../core/object.ts";
import { Condition } from "../types/condition.ts";
import { defineResource } from "./resource.ts";

const Memcached = defineResource({
  group: "cache.example.com",
  version: "v1alpha1",
  kind: "Memcached",
  scope: "Namespaced",
  spec: Type.Object({ size: Type.Integer({ minimum: 1, description: "Number of memcached Pods" }) }),
  status: Type.Object({ nodes: Type.Array(Type.String()), conditions: Type.Array(Condition) }),
  printerColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.size" }],
});
type Memcached = ObjectOf<typeof Memcached>;

const code = (c: string, pattern: RegExp) => (e: Error & { code?: string }) => {
  assert.equal(e.code, c, e.message);
  assert.match(e.message, pattern);
  return true;
};

test("a definition is a Kind with the resource's names and defaults", () => {
  const k: Kind = Memcached;
  assert.deepEqual(
    { group: k.group, version: k.version, kind: k.kind, apiVersion: k.apiVersion, plural: k.plural, namespaced: k.namespaced },
    { group: "cache.example.com", version: "v1alpha1", kind: "Memcached", apiVersion: "cache.example.com/v1alpha1", plural: "memcacheds", namespaced: true },
  );
  assert.deepEqual(Memcached.names, { plural: "memcacheds", singular: "memcached", kind: "Memcached", listKind: "MemcachedList", shortNames: [], categories: [] });
  assert.deepEqual({ ...Memcached.subresources }, { status: true }, "status subresource on when there is a status schema");
  assert.equal(Memcached.served, true);
  assert.equal(Memcached.storage, undefined);
  assert.ok(Object.isFrozen(Memcached));
  const Cluster = defineResource({ group: "example.com", version: "v1", kind: "Policy", scope: "Cluster", spec: Type.Object({}), shortNames: ["pol"], categories: ["all"] });
  assert.equal(Cluster.namespaced, false);
  assert.equal(Cluster.plural, "policies");
  assert.deepEqual({ ...Cluster.subresources }, { status: false });
  assert.deepEqual([...Cluster.names.shortNames, ...Cluster.names.categories], ["pol", "all"]);
});

test("the object type is inferred from the schemas; status is optional", () => {
  const fresh: Memcached = { metadata: { name: "mc" }, spec: { size: 3 } };
  const withStatus: Memcached = { ...fresh, status: { nodes: ["a"], conditions: [{ type: "Ready", status: "True", reason: "Ok", message: "", lastTransitionTime: "2025-01-01T00:00:00Z" }] } };
  const stored = withStatus as Stored<Memcached>;
  const size: number = stored.spec.size;
  const nodes: string[] | undefined = stored.status?.nodes;
  assert.deepEqual([size, nodes], [3, ["a"]]);
  // @ts-expect-error size is an integer, not a string
  const badSize: Memcached = { spec: { size: "3" } };
  // @ts-expect-error spec is required
  const noSpec: Memcached = { metadata: { name: "x" } };
  // @ts-expect-error condition status is True, False or Unknown
  const badStatus: Memcached = { spec: { size: 1 }, status: { nodes: [], conditions: [{ type: "Ready", status: "Yes", reason: "R", message: "", lastTransitionTime: "" }] } };
  const NoStatus = defineResource({ group: "a.example.com", version: "v1", kind: "Thing", scope: "Cluster", spec: Type.Object({ a: Type.String() }) });
  // @ts-expect-error no status schema, no status field
  const t: ObjectOf<typeof NoStatus> = { spec: { a: "x" }, status: {} };
  type SpecOf = Static<typeof Memcached.spec>;
  const spec: SpecOf = { size: 1 };
  assert.ok([badSize, noSpec, badStatus, t, spec]);
  assert.equal(NoStatus.status, undefined);
});

test("names are checked when the resource is defined, with what would be valid", () => {
  const base = { group: "cache.example.com", version: "v1", kind: "Memcached", scope: "Namespaced" as const, spec: Type.Object({}) };
  assert.throws(() => defineResource({ ...base, group: "cache" }), code("InvalidName", /group "cache" has no dot/));
  assert.throws(() => defineResource({ ...base, group: "batch.k8s.io" }), code("InvalidName", /reserved for Kubernetes APIs/));
  assert.throws(() => defineResource({ ...base, version: "1.0" }), code("InvalidName", /version "1\.0" is not a Kubernetes API version/));
  assert.throws(() => defineResource({ ...base, kind: "memcached" }), code("InvalidName", /kind "memcached" is not UpperCamelCase/));
  assert.throws(() => defineResource({ ...base, plural: "Memcacheds" }), code("InvalidName", /plural "Memcacheds" is not a DNS-1035 label.*"memcacheds"/));
  assert.throws(() => defineResource({ ...base, shortNames: ["m c"] }), code("InvalidName", /shortName "m c"/));
  assert.throws(() => defineResource({ ...base, categories: ["All"] }), code("InvalidName", /category "All"/));
  assert.throws(() => defineResource({ ...base, kind: "Sheep" }), code("InvalidName", /plural and singular are both "sheep"/));
  assert.throws(() => defineResource({ ...base, apiApproved: "https://github.com/kubernetes/enhancements/pull/1111" }), code("CrdInvalid", /apiApproved is only for groups under k8s\.io/));
  const approved = defineResource({ ...base, group: "widgets.k8s.io", apiApproved: "https://github.com/kubernetes/enhancements/pull/1111" });
  assert.equal(approved.apiApproved, "https://github.com/kubernetes/enhancements/pull/1111");
  assert.throws(() => defineResource({ ...base, scope: "Global" as "Cluster" }), code("CrdInvalid", /scope must be "Namespaced" or "Cluster"/));
});

test("version options are checked when declared", () => {
  const base = { group: "cache.example.com", version: "v1", kind: "Memcached", scope: "Namespaced" as const, spec: Type.Object({ replicas: Type.Integer() }) };
  const Status = Type.Object({ replicas: Type.Integer() });
  assert.throws(() => defineResource({ ...base, spec: "nope" as never }), code("CrdInvalid", /spec must be a TypeBox schema/));
  assert.throws(() => defineResource({ ...base, subresources: { status: true } }), code("CrdInvalid", /status subresource needs a status schema/));
  assert.throws(() => defineResource({ ...base, deprecationWarning: "old" }), code("CrdInvalid", /deprecationWarning needs deprecated: true/));
  assert.throws(() => defineResource({ ...base, printerColumns: [{ name: "Size", type: "int" as "integer", jsonPath: ".spec.size" }] }), code("CrdInvalid", /printer column 1 \(Size\): type "int" must be one of integer, number, string, boolean, date/));
  assert.throws(() => defineResource({ ...base, printerColumns: [{ name: "Size", type: "integer", jsonPath: "spec.size" }] }), code("CrdInvalid", /jsonPath "spec\.size" must start with a dot/));
  assert.throws(() => defineResource({ ...base, printerColumns: [{ name: "", type: "integer", jsonPath: ".spec.size" }] }), code("CrdInvalid", /name must not be empty/));
  assert.throws(() => defineResource({ ...base, printerColumns: [{ name: "S", type: "integer", jsonPath: ".spec.size", priority: -1 }] }), code("CrdInvalid", /priority must be a whole number/));
  assert.throws(() => defineResource({ ...base, status: Status, subresources: { scale: { specReplicasPath: ".status.replicas", statusReplicasPath: ".status.replicas" } } }), code("CrdInvalid", /specReplicasPath ".status.replicas" must be a path under .spec/));
  assert.throws(() => defineResource({ ...base, status: Status, subresources: { scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".replicas" } } }), code("CrdInvalid", /statusReplicasPath ".replicas" must be a path under .status/));
  assert.throws(() => defineResource({ ...base, status: Status, subresources: { scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".selector" } } }), code("CrdInvalid", /labelSelectorPath ".selector" must be a path under .spec or .status/));
  assert.throws(() => defineResource({ ...base, subresources: { scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" } } }), code("CrdInvalid", /needs a status schema/));
  const noStatusSubresource = defineResource({ ...base, status: Status, subresources: { status: false } });
  assert.equal(noStatusSubresource.subresources.status, false);
});

test("defineVersion declares further versions of the same resource", () => {
  const A = defineResource({ group: "v.example.com", version: "v1alpha1", kind: "Thing", scope: "Namespaced", spec: Type.Object({ a: Type.String() }) });
  const B = A.defineVersion("v1", { spec: Type.Object({ a: Type.String(), b: Type.Optional(Type.Integer()) }), storage: true });
  const C = A.defineVersion("v1beta1", { spec: Type.Object({ a: Type.String() }), deprecated: true });
  assert.equal(B.apiVersion, "v.example.com/v1");
  assert.equal(B.plural, "things");
  assert.deepEqual(A.versions.map((v) => v.version), ["v1", "v1beta1", "v1alpha1"]);
  assert.deepEqual(C.versions.map((v) => v.version), ["v1", "v1beta1", "v1alpha1"], "every version sees the family");
  assert.throws(() => A.defineVersion("v1", { spec: Type.Object({}) }), code("CrdInvalid", /version v1 is already declared/));
  assert.throws(() => A.defineVersion("version2", { spec: Type.Object({}) }), code("InvalidName", /not a Kubernetes API version/));
  const b: ObjectOf<typeof B> = { spec: { a: "x", b: 1 } };
  // @ts-expect-error v1alpha1 has no b
  const a: ObjectOf<typeof A> = { spec: { a: "x", b: 1 } };
  assert.ok([a, b]);
});

test("validate() checks an object client-side and reports field paths", () => {
  assert.deepEqual(Memcached.validate({ apiVersion: "cache.example.com/v1alpha1", kind: "Memcached", metadata: { name: "a" }, spec: { size: 1 } }), []);
  assert.deepEqual(Memcached.validate({ spec: { size: 1 }, status: { nodes: [], conditions: [] } }), []);
  assert.deepEqual(Memcached.validate({ apiVersion: "cache.example.com/v1", kind: "Other", spec: { size: 0 }, status: { nodes: ["a", 1], conditions: [{ type: "Ready", status: "Maybe" }] } }), [
    { path: "apiVersion", message: 'is "cache.example.com/v1", expected "cache.example.com/v1alpha1"' },
    { path: "kind", message: 'is "Other", expected "Memcached"' },
    { path: "spec.size", message: "must be >= 1" },
    { path: "status.nodes[1]", message: "must be string" },
    { path: "status.conditions[0].lastTransitionTime", message: "is required" },
    { path: "status.conditions[0].reason", message: "is required" },
    { path: "status.conditions[0].message", message: "is required" },
    { path: "status.conditions[0].status", message: 'must be one of "True", "False", "Unknown"' },
  ]);
  assert.deepEqual(Memcached.validate({ metadata: { name: "a" } }), [{ path: "spec", message: "is required" }]);
  assert.deepEqual(Memcached.validate(null), [{ path: "", message: "must be object" }]);
  const Defaulted = defineResource({ group: "d.example.com", version: "v1", kind: "D", scope: "Cluster", spec: Type.Object({ a: Type.Optional(Type.String()) }, { default: {} }) });
  assert.deepEqual(Defaulted.validate({}), [], "a defaulted spec may be absent");
});

test("openAPISchema() is the version's root schema, cached", () => {
  const s = Memcached.openAPISchema();
  assert.equal(s, Memcached.openAPISchema());
  assert.deepEqual(s.properties?.spec, { type: "object", required: ["size"], properties: { size: { type: "integer", description: "Number of memcached Pods", minimum: 1 } } });
  assert.equal(s.properties?.status?.properties?.conditions?.["x-kubernetes-list-type"], "map");
});
