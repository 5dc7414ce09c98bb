import assert from "node:assert/strict";
import { test } from "node:test";
import Type, { type TSchema } from "typebox";
import { AGE_COLUMN, defineResource } from "../resource/resource.ts";
import { Condition } from "../types/condition.ts";
import { crdManifest, crdManifests } from "./manifest.ts";

const code = (c: string, pattern: RegExp) => (e: Error & { code?: string }) => {
  assert.equal(e.code, c, e.message);
  assert.match(e.message, pattern);
  return true;
};

const Memcached = defineResource({
  group: "cache.example.com",
  version: "v1alpha1",
  kind: "Memcached",
  scope: "Namespaced",
  shortNames: ["mc"],
  categories: ["all"],
  spec: Type.Object({ size: Type.Integer({ minimum: 1 }) }),
  status: Type.Object({ nodes: Type.Array(Type.String()), conditions: Type.Array(Condition) }),
  printerColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.size" }],
});

test("one version: names, scope, the storage version, schema, status subresource, columns as given (no Age added)", () => {
  const crd = crdManifest(Memcached);
  assert.equal(crd.apiVersion, "apiextensions.k8s.io/v1");
  assert.equal(crd.kind, "CustomResourceDefinition");
  assert.deepEqual(crd.metadata, { name: "memcacheds.cache.example.com" });
  assert.deepEqual(crd.spec.names, { plural: "memcacheds", singular: "memcached", kind: "Memcached", listKind: "MemcachedList", shortNames: ["mc"], categories: ["all"] });
  assert.equal(crd.spec.scope, "Namespaced");
  assert.equal(crd.spec.versions.length, 1);
  const [v] = crd.spec.versions;
  assert.deepEqual(Object.keys(v ?? {}), ["name", "served", "storage", "schema", "subresources", "additionalPrinterColumns"]);
  assert.deepEqual([v?.name, v?.served, v?.storage], ["v1alpha1", true, true]);
  assert.equal(v?.schema.openAPIV3Schema, Memcached.openAPISchema());
  assert.deepEqual(v?.subresources, { status: {} });
  assert.deepEqual(v?.additionalPrinterColumns, [{ name: "Size", type: "integer", jsonPath: ".spec.size" }], "as controller-gen: only the columns asked for");
  assert.deepEqual(JSON.parse(JSON.stringify(crd)), crd, "plain JSON");
});

test("no Age column is added when one reads creationTimestamp, and none without printer columns", () => {
  const R = defineResource({ group: "a.example.com", version: "v1", kind: "R", scope: "Cluster", spec: Type.Object({}), printerColumns: [{ name: "Created", type: "date", jsonPath: ".metadata.creationTimestamp", priority: 1, description: "when", format: "date-time" }] });
  assert.deepEqual(crdManifest(R).spec.versions[0]?.additionalPrinterColumns, [{ name: "Created", type: "date", jsonPath: ".metadata.creationTimestamp", priority: 1, description: "when", format: "date-time" }]);
  const Simple = defineResource({ group: "a.example.com", version: "v1", kind: "Simple", scope: "Cluster", spec: Type.Object({}) });
  const v = crdManifest(Simple).spec.versions[0];
  assert.equal(v?.additionalPrinterColumns, undefined);
  assert.equal(v?.subresources, undefined);
});

test("printer columns and scale paths must name fields of the schema", () => {
  const bad = defineResource({ group: "a.example.com", version: "v1", kind: "Bad", scope: "Cluster", spec: Type.Object({ size: Type.Integer() }), printerColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.sise" }] });
  assert.throws(() => crdManifest(bad), code("CrdInvalid", /Bad v1: printer column Size: \.spec\.sise is not a field of the schema \(\.spec has size\)/));
  const filters = defineResource({ group: "a.example.com", version: "v1", kind: "Ok", scope: "Cluster", spec: Type.Object({ values: Type.Record(Type.String(), Type.String()) }), printerColumns: [{ name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' }, { name: "A", type: "string", jsonPath: ".spec.values.a" }] });
  assert.equal(crdManifest(filters).spec.versions[0]?.additionalPrinterColumns?.length, 2, "filters and map entries are not second-guessed");
  const scale = (specReplicasPath: string, replicas: TSchema = Type.Integer()) =>
    defineResource({ group: "a.example.com", version: "v1", kind: "Sc", scope: "Namespaced", spec: Type.Object({ replicas }), status: Type.Object({ replicas: Type.Integer(), selector: Type.String() }), subresources: { scale: { specReplicasPath, statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.selector" } } });
  assert.deepEqual(crdManifest(scale(".spec.replicas")).spec.versions[0]?.subresources, {
    status: {},
    scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.selector" },
  });
  assert.throws(() => crdManifest(scale(".spec.count")), code("CrdInvalid", /scale\.specReplicasPath: \.spec\.count is not a field of the schema/));
  assert.throws(() => crdManifest(scale(".spec.replicas", Type.String())), code("CrdInvalid", /scale\.specReplicasPath: \.spec\.replicas must be an integer field, but the schema says string/));
});

test("several versions: one CRD, by priority, exactly one storage version", () => {
  const V1alpha1 = defineResource({ group: "multi.example.com", version: "v1alpha1", kind: "Widget", scope: "Namespaced", spec: Type.Object({ a: Type.String() }) });
  const V1 = V1alpha1.defineVersion("v1", { spec: Type.Object({ a: Type.String(), b: Type.Optional(Type.Integer()) }), storage: true });
  V1alpha1.defineVersion("v1beta1", { spec: Type.Object({ a: Type.String() }), deprecated: true, deprecationWarning: "use v1", served: false });
  for (const crd of [crdManifest(V1alpha1), crdManifest(V1), crdManifest(V1, V1alpha1)]) {
    assert.deepEqual(
      crd.spec.versions.map((v) => [v.name, v.served, v.storage, v.deprecated ?? false, v.deprecationWarning]),
      [["v1", true, true, false, undefined], ["v1beta1", false, false, true, "use v1"], ["v1alpha1", true, false, false, undefined]],
    );
    assert.deepEqual(Object.keys(crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec?.properties ?? {}), ["a", "b"]);
  }
});

test("storage rules: none or several storage versions are refused", () => {
  const A = defineResource({ group: "s.example.com", version: "v1alpha1", kind: "A", scope: "Namespaced", spec: Type.Object({}) });
  A.defineVersion("v1", { spec: Type.Object({}) });
  assert.throws(() => crdManifest(A), code("CrdInvalid", /A\.s\.example\.com: no storage version among v1, v1alpha1; mark exactly one with storage: true/));
  const B = defineResource({ group: "s.example.com", version: "v1alpha1", kind: "B", scope: "Namespaced", spec: Type.Object({}), storage: true });
  B.defineVersion("v1", { spec: Type.Object({}), storage: true });
  assert.throws(() => crdManifest(B), code("CrdInvalid", /v1, v1alpha1 are all marked storage: true; exactly one version is stored/));
  const C = defineResource({ group: "s.example.com", version: "v1", kind: "C", scope: "Namespaced", spec: Type.Object({}), storage: false });
  assert.throws(() => crdManifest(C), code("CrdInvalid", /no storage version among v1/));
});

test("separately defined versions of one resource merge; conflicts are refused", () => {
  const base = { group: "m.example.com", kind: "Gadget", scope: "Namespaced" as const, spec: Type.Object({}) };
  const one = defineResource({ ...base, version: "v1", storage: true });
  const two = defineResource({ ...base, version: "v2" });
  assert.deepEqual(crdManifest(one, two).spec.versions.map((v) => [v.name, v.storage]), [["v2", false], ["v1", true]]);
  assert.throws(() => crdManifest(one, defineResource({ ...base, version: "v1" })), code("CrdInvalid", /Gadget\.m\.example\.com: version v1 is defined twice/));
  assert.throws(() => crdManifest(one, defineResource({ ...base, version: "v2", scope: "Cluster" })), code("CrdInvalid", /disagree on scope/));
  assert.throws(() => crdManifest(one, defineResource({ ...base, version: "v2", shortNames: ["g"] })), code("CrdInvalid", /disagree on names/));
  const other = defineResource({ ...base, kind: "Gizmo", version: "v1" });
  assert.throws(() => crdManifest(one, other), code("CrdInvalid", /crdManifest builds the CRD of one resource, but got Gadget\.m\.example\.com, Gizmo\.m\.example\.com; use crdManifests\(\)/));
  assert.throws(() => crdManifest(), code("CrdInvalid", /at least one/));
  assert.deepEqual(crdManifests(other, one, two).map((c) => [c.metadata.name, c.spec.versions.length]), [["gadgets.m.example.com", 2], ["gizmos.m.example.com", 1]]);
});

test("protected groups carry the api-approved annotation", () => {
  const R = defineResource({ group: "widgets.k8s.io", version: "v1", kind: "Widget", scope: "Cluster", spec: Type.Object({}), apiApproved: "https://github.com/kubernetes/enhancements/pull/1111" });
  assert.deepEqual(crdManifest(R).metadata, { name: "widgets.widgets.k8s.io", annotations: { "api-approved.kubernetes.io": "https://github.com/kubernetes/enhancements/pull/1111" } });
});

test("schema problems surface when the manifest is generated", () => {
  const R = defineResource({ group: "a.example.com", version: "v1", kind: "Loose", scope: "Cluster", spec: Type.Object({ anything: Type.Any() }) });
  assert.throws(() => crdManifest(R), code("CrdSchemaNotStructural", /^spec\.anything: has no type/));
});

test("the Age column when asked for, with AGE_COLUMN", () => {
  const R = defineResource({ group: "a.example.com", version: "v1", kind: "R", scope: "Cluster", spec: Type.Object({ size: Type.Integer() }), printerColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.size" }, AGE_COLUMN] });
  assert.deepEqual(crdManifest(R).spec.versions[0]?.additionalPrinterColumns, [
    { name: "Size", type: "integer", jsonPath: ".spec.size" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ]);
});

test("selectableFields: string, integer and boolean fields, at most 8, as CRD selectableFields", () => {
  const spec = Type.Object({ color: Type.String(), size: Type.Integer(), on: Type.Boolean(), tags: Type.Array(Type.String()), nested: Type.Object({ zone: Type.String() }) });
  const R = defineResource({ group: "a.example.com", version: "v1", kind: "R", scope: "Namespaced", spec, selectableFields: [".spec.color", ".spec.size", ".spec.on", ".spec.nested.zone"] });
  assert.deepEqual(crdManifest(R).spec.versions[0]?.selectableFields, [{ jsonPath: ".spec.color" }, { jsonPath: ".spec.size" }, { jsonPath: ".spec.on" }, { jsonPath: ".spec.nested.zone" }]);
  assert.equal(crdManifest(defineResource({ group: "a.example.com", version: "v1", kind: "R", scope: "Namespaced", spec })).spec.versions[0]?.selectableFields, undefined, "none unless asked");
  const make = (selectableFields: string[]) => () => crdManifest(defineResource({ group: "a.example.com", version: "v1", kind: "R", scope: "Namespaced", spec, selectableFields }));
  assert.throws(make([".spec.tags"]), code("CrdInvalid", /selectable field: \.spec\.tags is an array; only string, integer and boolean fields can be selected/));
  assert.throws(make([".spec.colour"]), code("CrdInvalid", /\.spec\.colour is not a field of the schema/));
  assert.throws(make(["spec.color"]), code("CrdInvalid", /must be a dotted path/));
  assert.throws(make([".spec.color", ".spec.color"]), code("CrdInvalid", /lists a field twice/));
  assert.throws(make(Array.from({ length: 9 }, (_, i) => `.spec.f${i}`)), code("CrdInvalid", /at most 8/));
});
