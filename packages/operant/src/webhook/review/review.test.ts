import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { isOperantError } from "../../core/errors.ts";
import { parseAdmissionReview, parseConversionReview } from "./review.ts";

const SEED = 1313;
const valid = {
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  request: {
    uid: "705ab4f5-6393-11e8-b7cc-42010a800002",
    kind: { group: "", version: "v1", kind: "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    name: "web",
    namespace: "default",
    operation: "CREATE",
    userInfo: { username: "admin", groups: ["system:masters"] },
    object: { apiVersion: "v1", kind: "Pod" },
    oldObject: null,
    dryRun: false,
  },
};

/** A valid review with one field replaced by an arbitrary value (or removed). */
const mutated = fc
  .tuple(fc.constantFrom("apiVersion", "kind", "request", "request.uid", "request.kind", "request.resource", "request.operation", "request.userInfo", "request.object", "request.dryRun", "request.name"), fc.option(fc.jsonValue({ maxDepth: 2 })))
  .map(([path, value]) => {
    const review = structuredClone(valid) as Record<string, unknown>;
    const [a, b] = path.split(".") as [string, string | undefined];
    const target = (b ? review[a] : review) as Record<string, unknown>;
    const key = b ?? a;
    if (value === null) delete target[key];
    else target[key] = value;
    return JSON.stringify(review);
  });

describe("review parsing", () => {
  test("a well-formed AdmissionReview parses", () => {
    const r = parseAdmissionReview(JSON.stringify(valid));
    assert.equal(r.uid, valid.request.uid);
    assert.equal(r.operation, "CREATE");
    assert.equal(r.dryRun, false);
    assert.equal(r.oldObject, undefined);
    assert.deepEqual(r.userInfo.groups, ["system:masters"]);
  });

  test("any input either parses or fails with MalformedReview, never anything else", () => {
    const bodies = fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), mutated);
    fc.assert(
      fc.property(bodies, (body) => {
        for (const parse of [parseAdmissionReview, parseConversionReview]) {
          try {
            parse(body);
          } catch (err) {
            assert.ok(isOperantError(err, "MalformedReview"), `threw ${String(err)}`);
            assert.match((err as Error).message, /^malformed review: /);
          }
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  test("messages name the field that is wrong", () => {
    const bad = (patch: (r: typeof valid) => void): string => {
      const r = structuredClone(valid);
      patch(r);
      return JSON.stringify(r);
    };
    assert.throws(() => parseAdmissionReview("{"), /the body is not JSON/);
    assert.throws(() => parseAdmissionReview(bad((r) => (r.apiVersion = "admission.k8s.io/v1beta1"))), /admissionReviewVersions: \["v1"\]/);
    assert.throws(() => parseAdmissionReview(bad((r) => (r.request.uid = ""))), /request.uid/);
    assert.throws(() => parseAdmissionReview(bad((r) => (r.request.operation = "PATCH"))), /request.operation must be one of/);
    assert.throws(() => parseConversionReview(JSON.stringify({ apiVersion: "apiextensions.k8s.io/v1", kind: "ConversionReview", request: { uid: "u", desiredAPIVersion: "v1", objects: [] } })), /desiredAPIVersion must be "<group>\/<version>"/);
    assert.throws(() => parseConversionReview(JSON.stringify({ apiVersion: "apiextensions.k8s.io/v1", kind: "ConversionReview", request: { uid: "u", desiredAPIVersion: "a/v1", objects: [{}] } })), /request.objects\[0\]/);
  });
});
