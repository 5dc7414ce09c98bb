import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isOperantError } from "../errors.ts";
import { findCondition, isConditionFalse, isConditionTrue, removeCondition, rfc3339Seconds, setCondition, type Condition } from "./conditions.ts";

const t0 = new Date("2025-01-01T00:00:00.400Z");
const t1 = new Date("2025-01-01T00:05:00Z");
const t2 = new Date("2025-01-01T00:10:00Z");

describe("setCondition", () => {
  test("appends a new condition with the transition time in whole seconds, and does not touch the input", () => {
    const input: Condition[] = [];
    const out = setCondition(input, { type: "Ready", status: true, reason: "PodsReady", message: "3/3", observedGeneration: 2 }, t0);
    assert.deepEqual(out, [{ type: "Ready", status: "True", reason: "PodsReady", message: "3/3", observedGeneration: 2, lastTransitionTime: "2025-01-01T00:00:00Z" }]);
    assert.equal(input.length, 0);
    assert.notEqual(out, input);
  });

  test("accepts booleans and status strings; message defaults to empty", () => {
    const out = setCondition(setCondition(setCondition(undefined, { type: "A", status: false, reason: "R" }, t0), { type: "B", status: "Unknown", reason: "R" }, t0), { type: "C", status: "True", reason: "R" }, t0);
    assert.deepEqual(out.map((c) => [c.type, c.status, c.message]), [["A", "False", ""], ["B", "Unknown", ""], ["C", "True", ""]]);
    assert.equal("observedGeneration" in out[0]!, false);
  });

  test("a status change moves lastTransitionTime", () => {
    const a = setCondition(undefined, { type: "Ready", status: false, reason: "Scaling" }, t0);
    const b = setCondition(a, { type: "Ready", status: true, reason: "PodsReady" }, t1);
    assert.equal(b[0]!.lastTransitionTime, "2025-01-01T00:05:00Z");
    assert.equal(b[0]!.status, "True");
  });

  test("a reason, message or observedGeneration change alone keeps lastTransitionTime but updates the fields", () => {
    const a = setCondition(undefined, { type: "Ready", status: false, reason: "Scaling", message: "1/3", observedGeneration: 1 }, t0);
    const b = setCondition(a, { type: "Ready", status: false, reason: "ImagePullBackOff", message: "image not found", observedGeneration: 2 }, t2);
    assert.deepEqual(b, [{ type: "Ready", status: "False", reason: "ImagePullBackOff", message: "image not found", observedGeneration: 2, lastTransitionTime: "2025-01-01T00:00:00Z" }]);
  });

  test("setting the same condition again gives an equal list (a no-op to write)", () => {
    const a = setCondition(undefined, { type: "Ready", status: true, reason: "R", message: "m", observedGeneration: 3 }, t0);
    assert.deepEqual(setCondition(a, { type: "Ready", status: true, reason: "R", message: "m", observedGeneration: 3 }, t2), a);
  });

  test("observedGeneration follows the input, like upstream: omitted means removed", () => {
    const a = setCondition(undefined, { type: "Ready", status: true, reason: "R", observedGeneration: 5 }, t0);
    assert.equal(findCondition(setCondition(a, { type: "Ready", status: true, reason: "R", observedGeneration: 6 }, t1), "Ready")?.observedGeneration, 6);
    assert.equal("observedGeneration" in setCondition(a, { type: "Ready", status: true, reason: "R" }, t1)[0]!, false);
  });

  test("keeps insertion order: an updated condition stays in place, new ones go last", () => {
    let list = setCondition(undefined, { type: "Available", status: true, reason: "R" }, t0);
    list = setCondition(list, { type: "Progressing", status: true, reason: "R" }, t0);
    list = setCondition(list, { type: "Degraded", status: false, reason: "R" }, t0);
    list = setCondition(list, { type: "Available", status: false, reason: "Down" }, t1);
    assert.deepEqual(list.map((c) => c.type), ["Available", "Progressing", "Degraded"]);
  });

  test("refuses reasons and types the API server would refuse, saying the format", () => {
    for (const reason of ["", "not a reason", "1Starts", "Ends_with,", "Dash-ed"]) {
      assert.throws(
        () => setCondition(undefined, { type: "Ready", status: true, reason }),
        (err: unknown) => isOperantError(err, "InvalidCondition") && /non-empty CamelCase identifier such as "PodsReady"/.test(err.message),
        reason,
      );
    }
    for (const reason of ["PodsReady", "a", "With_Underscore", "Colon:Sep", "X1"]) setCondition(undefined, { type: "Ready", status: true, reason });
    for (const type of ["", "has space", "-lead", "Bad/Type/x", "x".repeat(317)]) {
      assert.throws(() => setCondition(undefined, { type, status: true, reason: "R" }), (err: unknown) => isOperantError(err, "InvalidCondition") && /CamelCase name such as "Ready"/.test(err.message), type);
    }
    for (const type of ["Ready", "example.com/DiskPressure", "a.b_c-d"]) setCondition(undefined, { type, status: true, reason: "R" });
    assert.throws(() => setCondition(undefined, { type: "Ready", status: "Yes" as never, reason: "R" }), /not one of true, false/);
    assert.throws(() => setCondition(undefined, { type: "Ready", status: true, reason: "R", observedGeneration: -1 }), /non-negative integer/);
  });

  test("cuts messages longer than the API limit", () => {
    const out = setCondition(undefined, { type: "Ready", status: false, reason: "R", message: "é".repeat(40_000) });
    assert.equal([...out[0]!.message].length, 32768);
    assert.ok(out[0]!.message.endsWith("…"));
  });
});

describe("finding and removing conditions", () => {
  const list = setCondition(setCondition(undefined, { type: "Ready", status: true, reason: "R" }, t0), { type: "Degraded", status: "Unknown", reason: "R" }, t0);

  test("findCondition, isConditionTrue/False", () => {
    assert.equal(findCondition(list, "Ready")?.reason, "R");
    assert.equal(findCondition(list, "Missing"), undefined);
    assert.equal(findCondition(undefined, "Ready"), undefined);
    assert.equal(isConditionTrue(list, "Ready"), true);
    assert.equal(isConditionFalse(list, "Ready"), false);
    assert.equal(isConditionTrue(list, "Degraded"), false, "Unknown is not True");
    assert.equal(isConditionFalse(list, "Degraded"), false, "Unknown is not False");
    assert.equal(isConditionFalse(list, "Missing"), false);
    assert.equal(isConditionTrue(undefined, "Ready"), false);
  });

  test("removeCondition returns a new list without the type", () => {
    assert.deepEqual(removeCondition(list, "Ready").map((c) => c.type), ["Degraded"]);
    assert.deepEqual(removeCondition(list, "Missing"), list);
    assert.equal(list.length, 2);
    assert.deepEqual(removeCondition(undefined, "Ready"), []);
  });

  test("rfc3339Seconds drops sub-second precision", () => {
    assert.equal(rfc3339Seconds(new Date("2025-06-30T23:59:59.999Z")), "2025-06-30T23:59:59Z");
  });
});
