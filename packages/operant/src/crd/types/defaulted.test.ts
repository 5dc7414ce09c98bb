import assert from "node:assert/strict";
import { test } from "node:test";
import Type, { type Static } from "typebox";
import type { InputOf, ObjectOf } from "../../core/kind.ts";
import type { Stored } from "../../core/object.ts";
import { defineResource } from "../resource/resource.ts";
import { Defaulted, isDefaulted, type StaticOutput } from "./defaulted.ts";

const Tier = Type.Object({ name: Type.String(), weight: Defaulted(Type.Integer({ minimum: 0 }), 1) });
const Cache = defineResource({
  group: "cache.example.com",
  version: "v1",
  kind: "Cache",
  scope: "Namespaced",
  spec: Type.Object({
    image: Type.String(),
    size: Defaulted(Type.Integer({ minimum: 1 }), 1),
    port: Defaulted(Type.Integer({ minimum: 1, maximum: 65535 }), 11211),
    mode: Defaulted(Type.Union([Type.Literal("fast"), Type.Literal("safe")]), "safe"),
    tiers: Type.Array(Tier),
    labels: Type.Optional(Type.Record(Type.String(), Type.Object({ value: Defaulted(Type.String(), "") }))),
    note: Type.Optional(Type.String()),
  }),
  status: Type.Object({ ready: Defaulted(Type.Boolean(), false), nodes: Type.Optional(Type.Array(Type.String())) }),
});
type Read = ObjectOf<typeof Cache>;
type Written = InputOf<typeof Cache>;

test("a Defaulted schema is the field's schema, optional, with the default; JSON Schema shows no mark", () => {
  const s = Defaulted(Type.Integer({ minimum: 1 }), 3);
  assert.deepEqual(JSON.parse(JSON.stringify(s)), { type: "integer", minimum: 1, default: 3 });
  assert.ok(isDefaulted(s));
  assert.equal(isDefaulted(Type.Optional(Type.Integer({ default: 3 }))), false, "TypeBox's default option leaves no mark TypeScript can see");
  assert.deepEqual(Tier.required, ["name"], "TypeBox treats the defaulted field as optional");
});

test("written objects may leave defaulted fields out; read objects have them (type-checked)", () => {
  const written: Written = { metadata: { name: "c", namespace: "default" }, spec: { image: "memcached", tiers: [{ name: "hot" }] } };
  // @ts-expect-error a read object has every defaulted field, at every depth
  const notRead: Read = written;
  // @ts-expect-error image has no default: required on write too
  const noImage: Written = { spec: { tiers: [] } };
  // @ts-expect-error the default must match the field's type
  const badDefault = Defaulted(Type.Integer(), "1");
  const read = {
    apiVersion: "cache.example.com/v1",
    kind: "Cache",
    metadata: { name: "c", namespace: "default", uid: "u", resourceVersion: "1", creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: { image: "memcached", size: 1, port: 11211, mode: "safe", tiers: [{ name: "hot", weight: 1 }], labels: { a: { value: "" } } },
    status: { ready: false },
  } satisfies Stored<Read>;
  const size: number = read.spec.size;
  const weight: number = read.spec.tiers[0]!.weight;
  const mode: "fast" | "safe" = read.spec.mode;
  const ready: boolean | undefined = read.status?.ready;
  const value: string | undefined = read.spec.labels?.a?.value;
  // A read object can be written back (update, apply).
  const back: Written = read;
  // Non-defaulted optional fields stay optional on read.
  const note: string | undefined = (read as Read).spec.note;
  type SpecOut = StaticOutput<typeof Cache.spec>;
  type SpecIn = Static<typeof Cache.spec>;
  const specIn: SpecIn = { image: "x", tiers: [] };
  // @ts-expect-error the output spec has size
  const specOut: SpecOut = { image: "x", tiers: [] };
  assert.deepEqual(Cache.validate(written), [], "validate() checks what users write: defaulted fields may be absent");
  assert.deepEqual(Cache.validate(read), []);
  assert.ok([notRead, noImage, badDefault, size, weight, mode, ready, value, back, note, specIn, specOut]);
});

test("the CRD leaves defaulted fields out of required, at every depth", () => {
  const s = Cache.openAPISchema();
  assert.deepEqual(s.properties?.spec?.required, ["image", "tiers"]);
  assert.deepEqual(s.properties?.spec?.properties?.size, { type: "integer", default: 1, minimum: 1 });
  assert.deepEqual(s.properties?.spec?.properties?.mode, { type: "string", default: "safe", enum: ["fast", "safe"] });
  assert.deepEqual(s.properties?.spec?.properties?.tiers?.items?.required, ["name"]);
  assert.equal(s.properties?.spec?.properties?.labels?.additionalProperties?.required, undefined);
  assert.equal(s.properties?.status?.required, undefined);
  // A plain `default` option (no Defaulted) is left out of required too: the server fills it in either way.
  const Plain = defineResource({ group: "p.example.com", version: "v1", kind: "Plain", scope: "Cluster", spec: Type.Object({ a: Type.Integer({ default: 1 }), b: Type.Integer() }) });
  assert.deepEqual(Plain.openAPISchema().properties?.spec?.required, ["b"]);
});

test("a Defaulted spec makes spec itself optional on write and not required in the CRD", () => {
  const Toggle = defineResource({ group: "t.example.com", version: "v1", kind: "Toggle", scope: "Cluster", spec: Defaulted(Type.Object({ on: Defaulted(Type.Boolean(), false) }), {}) });
  const written: InputOf<typeof Toggle> = { metadata: { name: "t" } };
  const read: ObjectOf<typeof Toggle> = { spec: { on: false } };
  const on: boolean = read.spec.on;
  // @ts-expect-error read, spec and its defaulted field are present
  const unread: ObjectOf<typeof Toggle> = { spec: {} };
  assert.equal(Toggle.openAPISchema().required, undefined);
  assert.deepEqual(Toggle.validate(written), []);
  assert.deepEqual([on, unread], [false, { spec: {} }]);
});
