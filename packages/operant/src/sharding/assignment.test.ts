import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { acknowledgePatch, assignmentOf, nextStep, stepPatch, type AssignmentState } from "./assignment.ts";
import { drainLabel, shardLabel } from "./labels.ts";
import { HashRing } from "./ring.ts";

const S = shardLabel("c");
const D = drainLabel("c");
const always = () => true;

test("assignmentOf reads the two labels; a drain mark without a shard label means nothing", () => {
  assert.deepEqual(assignmentOf(undefined, S, D), { member: undefined, draining: false });
  assert.deepEqual(assignmentOf({ [S]: "a" }, S, D), { member: "a", draining: false });
  assert.deepEqual(assignmentOf({ [S]: "a", [D]: "true" }, S, D), { member: "a", draining: true });
  assert.deepEqual(assignmentOf({ [D]: "true" }, S, D), { member: undefined, draining: false });
  assert.deepEqual(assignmentOf({ [S]: "" }, S, D), { member: undefined, draining: false });
});

test("nextStep: each transition of the state machine", () => {
  const un: AssignmentState = { member: undefined, draining: false };
  assert.deepEqual(nextStep(un, undefined, always), { type: "none" }, "no live member: nothing to do");
  assert.deepEqual(nextStep(un, "b", always), { type: "assign", to: "b" });
  assert.deepEqual(nextStep({ member: "b", draining: false }, "b", always), { type: "none" });
  assert.deepEqual(nextStep({ member: "a", draining: false }, "b", always), { type: "drain", from: "a" });
  assert.deepEqual(nextStep({ member: "a", draining: true }, "b", always), { type: "wait", from: "a" });
  assert.deepEqual(nextStep({ member: "a", draining: true }, "a", always), { type: "wait", from: "a" }, "a drain once asked is seen through");
  assert.deepEqual(nextStep({ member: "a", draining: false }, "b", (m) => m !== "a"), { type: "assign", to: "b" }, "a dead member needs no acknowledgement");
  assert.deepEqual(nextStep({ member: "a", draining: true }, "b", (m) => m !== "a"), { type: "assign", to: "b" });
});

test("stepPatch and acknowledgePatch are merge patches conditioned on the resourceVersion", () => {
  assert.deepEqual(stepPatch({ type: "assign", to: "b" }, S, D, "7"), { metadata: { resourceVersion: "7", labels: { [S]: "b", [D]: null } } });
  assert.deepEqual(stepPatch({ type: "drain", from: "a" }, S, D, "7"), { metadata: { resourceVersion: "7", labels: { [D]: "true" } } });
  assert.equal(stepPatch({ type: "none" }, S, D, "7"), undefined);
  assert.equal(stepPatch({ type: "wait", from: "a" }, S, D, "7"), undefined);
  assert.deepEqual(acknowledgePatch(S, D, "8"), { metadata: { resourceVersion: "8", labels: { [S]: null, [D]: null } } });
});

// A model of one object under random membership changes, sharder passes and member acknowledgements.
// Safety: the sharder never takes the object from a live member (only the member itself lets go, by
// acknowledging a drain), so no two members reconcile it at once. Liveness: once membership stops
// changing, passes and acknowledgements bring it to the ring's member.
test("model: under any sequence of joins, crashes, sharder passes and acknowledgements, the sharder never takes the object from a live member, and it converges to the ring's choice", () => {
  const event = fc.oneof(
    fc.record({ t: fc.constant("join" as const), m: fc.constantFrom("a", "b", "c", "d", "e") }),
    fc.record({ t: fc.constant("crash" as const), m: fc.constantFrom("a", "b", "c", "d", "e") }),
    fc.record({ t: fc.constant("pass" as const) }),
    fc.record({ t: fc.constant("ack" as const) }),
  );
  fc.assert(
    fc.property(fc.array(event, { maxLength: 60 }), (events) => {
      const live = new Set<string>(["a"]);
      let labels: Record<string, string> = {};
      const apply = (patch: { metadata: { labels: Record<string, string | null> } } | undefined) => {
        if (!patch) return;
        const next = { ...labels };
        for (const [k, v] of Object.entries(patch.metadata.labels)) if (v === null) delete next[k];
        else next[k] = v;
        labels = next;
      };
      const pass = () => {
        const before = assignmentOf(labels, S, D);
        const desired = new HashRing(live).ownerOf("ns/obj");
        apply(stepPatch(nextStep(before, desired, (m) => live.has(m)), S, D, "1"));
        const after = assignmentOf(labels, S, D);
        if (before.member !== undefined && live.has(before.member)) assert.equal(after.member, before.member, `the sharder moved the object from live ${before.member} to ${after.member}`);
        if (after.member !== before.member && after.member !== undefined) assert.ok(live.has(after.member), "assigned only to live members");
      };
      const ack = () => {
        const { member, draining } = assignmentOf(labels, S, D);
        if (member !== undefined && draining && live.has(member)) apply(acknowledgePatch(S, D, "1"));
      };
      for (const e of events) {
        if (e.t === "join") live.add(e.m);
        else if (e.t === "crash") live.delete(e.m);
        else if (e.t === "pass") pass();
        else ack();
      }
      for (let i = 0; i < 3; i++) {
        pass();
        ack();
      }
      if (live.size === 0) return; // nobody to assign to: the labels stay as they were
      const desired = new HashRing(live).ownerOf("ns/obj");
      assert.deepEqual(assignmentOf(labels, S, D), { member: desired, draining: false });
    }),
    { seed: 31, numRuns: 300 },
  );
});
