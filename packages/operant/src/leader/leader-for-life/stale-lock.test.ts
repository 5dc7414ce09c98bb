import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Node, Pod } from "../../kinds/index.ts";
import { lockOwner, staleLockVerdict } from "./stale-lock.ts";

const owner = { name: "op-1", uid: "u1" };
const pod = (status: Pod["status"], meta: Pod["metadata"] = {}): Pod => ({ metadata: { name: "op-1", uid: "u1", ...meta }, status });
const node = (ready: string): Node => ({ status: { conditions: [{ type: "Ready", status: ready }] } });

describe("leader-for-life: a lock held by another Pod", () => {
  test("lockOwner wants exactly one owner reference, to a Pod", () => {
    assert.deepEqual(lockOwner({ metadata: { ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "op-1", uid: "u1" }] } }), { name: "op-1", uid: "u1" });
    assert.match((lockOwner({ metadata: {} }) as { problem: string }).problem, /exactly one owner reference, it has 0/);
    assert.match((lockOwner({ metadata: { ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "d", uid: "x" }] } }) as { problem: string }).problem, /must be a Pod, it is a Deployment/);
  });

  test("owner gone, or replaced by a new Pod of the same name: wait for the garbage collector", () => {
    assert.equal(staleLockVerdict(owner, undefined, undefined).action, "wait-for-gc");
    assert.equal(staleLockVerdict(owner, pod({ phase: "Running" }, { uid: "u2" }), undefined).action, "wait-for-gc");
  });

  test("evicted or preempted and not being deleted: delete the leader Pod (operator-sdk)", () => {
    assert.equal(staleLockVerdict(owner, pod({ phase: "Failed", reason: "Evicted" }), undefined).action, "delete-leader-pod");
    assert.equal(staleLockVerdict(owner, pod({ phase: "Failed", reason: "Preempting" }), undefined).action, "delete-leader-pod");
    assert.equal(staleLockVerdict(owner, pod({ phase: "Failed", reason: "Evicted" }, { deletionTimestamp: "2025-01-01T00:00:00Z" }), undefined).action, "wait");
    assert.equal(staleLockVerdict(owner, pod({ phase: "Failed", reason: "Error" }), undefined).action, "wait");
  });

  test("its Node not Ready: delete the Pod and the lock; Ready or unknown Node: wait", () => {
    assert.equal(staleLockVerdict(owner, pod({ phase: "Running" }), node("Unknown")).action, "delete-leader-pod-and-lock");
    assert.equal(staleLockVerdict(owner, pod({ phase: "Running" }), node("False")).action, "delete-leader-pod-and-lock");
    assert.equal(staleLockVerdict(owner, pod({ phase: "Running" }), node("True")).action, "wait");
    assert.equal(staleLockVerdict(owner, pod({ phase: "Running" }), undefined).action, "wait");
  });
});
