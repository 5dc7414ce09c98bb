import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import Type from "typebox";
import { isOperantError } from "../../core/errors.ts";
import { defineResource } from "../../crd/resource/resource.ts";
import { twoVersions } from "../../../test/support/two-versions.ts";
import { defineConversion, STASH_ANNOTATION } from "./conversion.ts";

// v1alpha1 has `tier`, which v1 cannot express; v1 has `image`, which v1alpha1 cannot express.
const { V1alpha1, V1, conversion } = twoVersions({ group: "cache.example.com", kind: "Memcached", storage: "v1" });

const meta = fc.record({ name: fc.stringMatching(/^[a-z]{1,8}$/), namespace: fc.constant("default"), labels: fc.option(fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.string({ maxLength: 5 })), { nil: undefined }) }, { requiredKeys: ["name", "namespace"] });
const alpha = fc.record({ apiVersion: fc.constant("cache.example.com/v1alpha1"), kind: fc.constant("Memcached"), metadata: meta, spec: fc.record({ size: fc.integer(), tier: fc.string() }, { requiredKeys: ["size"] }) });
const hub = fc.record({ apiVersion: fc.constant("cache.example.com/v1"), kind: fc.constant("Memcached"), metadata: meta, spec: fc.record({ replicas: fc.integer(), image: fc.string() }) });

/** JSON equality after dropping undefined values (what goes over the wire). */
const wire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** Without the stash annotation (a defaulted hub field, kept for the next trip). */
function unstashed(obj: Record<string, unknown>): unknown {
  const metadata = { ...(obj.metadata as { annotations?: Record<string, string> }) };
  const { [STASH_ANNOTATION]: _, ...rest } = metadata.annotations ?? {};
  if (Object.keys(rest).length > 0) metadata.annotations = rest;
  else delete metadata.annotations;
  return wire({ ...obj, metadata });
}

describe("defineConversion", () => {
  test("spoke → hub → spoke is the identity on the spoke's fields, lossy ones included", () => {
    fc.assert(
      fc.property(alpha, (obj) => {
        const there = conversion.convert(obj, "cache.example.com/v1");
        assert.equal(there.apiVersion, "cache.example.com/v1");
        const back = conversion.convert(there, "cache.example.com/v1alpha1");
        assert.deepEqual(unstashed(back), wire(obj));
      }),
      { seed: 1313, numRuns: 300 },
    );
  });

  test("hub → spoke → hub is the identity, lossy fields included", () => {
    fc.assert(
      fc.property(hub, (obj) => {
        const there = conversion.convert(obj, "cache.example.com/v1alpha1");
        const stash = (there.metadata as { annotations?: Record<string, string> }).annotations?.[STASH_ANNOTATION];
        assert.equal((JSON.parse(stash!) as { image?: string }).image, obj.spec.image, "the image rides along in the annotation");
        assert.deepEqual(wire(conversion.convert(there, "cache.example.com/v1")), wire(obj));
      }),
      { seed: 1313, numRuns: 300 },
    );
  });

  test("metadata is kept, converting to the same version returns the object", () => {
    const obj = { apiVersion: "cache.example.com/v1", kind: "Memcached", metadata: { name: "a", namespace: "n", uid: "u", resourceVersion: "7", labels: { x: "y" } }, spec: { replicas: 2, image: "m" } };
    assert.equal(conversion.convert(obj, "cache.example.com/v1"), obj);
    const alphaObj = conversion.convert(obj, "cache.example.com/v1alpha1");
    assert.deepEqual({ ...(alphaObj.metadata as object), annotations: undefined }, { ...obj.metadata, annotations: undefined });
    assert.deepEqual(alphaObj.spec, { size: 2 });
  });

  test("unknown versions and kinds fail with ConversionFailed; bad spokes with InvalidWebhook", () => {
    const obj = { apiVersion: "cache.example.com/v1", kind: "Memcached", metadata: {}, spec: { replicas: 1, image: "m" } };
    assert.throws(() => conversion.convert(obj, "cache.example.com/v2"), (err) => isOperantError(err, "ConversionFailed") && /known: v1, v1alpha1/.test((err as Error).message));
    assert.throws(() => conversion.convert({ ...obj, kind: "Other" }, "cache.example.com/v1alpha1"), (err) => isOperantError(err, "ConversionFailed"));
    const Other = defineResource({ group: "other.example.com", version: "v1", kind: "Other", scope: "Namespaced", spec: Type.Object({}) });
    assert.throws(() => defineConversion(V1).spoke(Other as never, { toHub: () => ({}) as never, fromHub: () => ({}) }), (err) => isOperantError(err, "InvalidWebhook"));
    assert.throws(() => conversion.spoke(V1alpha1, { toHub: () => ({}) as never, fromHub: () => ({}) as never }), (err) => isOperantError(err, "InvalidWebhook"));
  });
});
