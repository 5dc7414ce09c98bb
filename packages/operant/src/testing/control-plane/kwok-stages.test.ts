import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { kwokStages } from "./kwok-stages.ts";

interface Expression {
  key: string;
  operator: string;
  values?: string[];
}

interface Stage {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    resourceRef: { apiGroup: string; kind: string };
    selector: { matchExpressions: Expression[] };
    delay?: { durationMilliseconds: number; jitterDurationMilliseconds?: number };
    next: { statusTemplate?: string; delete?: boolean };
  };
}

function stages(): Stage[] {
  const docs = parseAllDocuments(kwokStages());
  assert.ok(Array.isArray(docs), "expected a YAML stream");
  for (const d of docs) assert.deepEqual(d.errors, [], `YAML errors in a Stage document`);
  return docs.map((d) => d.toJS() as Stage);
}

function byName(name: string): Stage {
  const s = stages().find((x) => x.metadata.name === name);
  assert.ok(s, `no Stage ${name}`);
  return s;
}

describe("kwokStages", () => {
  test("is a stream of kwok Stage documents with the expected names and resource kinds", () => {
    const all = stages();
    assert.deepEqual(
      all.map((s) => [s.metadata.name, s.spec.resourceRef.kind]),
      [
        ["operant-node-ready", "Node"],
        ["operant-node-status-report", "Node"],
        ["operant-pod-running", "Pod"],
        ["operant-pod-ready-again", "Pod"],
        ["operant-pod-job-complete", "Pod"],
        ["operant-pod-delete", "Pod"],
      ],
    );
    for (const s of all) {
      assert.equal(s.apiVersion, "kwok.x-k8s.io/v1alpha1");
      assert.equal(s.kind, "Stage");
      assert.equal(s.spec.resourceRef.apiGroup, "v1");
    }
  });

  test("a Node becomes Ready once; a Ready Node reports status every 5 minutes with jitter", () => {
    const ready = byName("operant-node-ready");
    assert.deepEqual(ready.spec.selector.matchExpressions, [{ key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: "NotIn", values: ["True"] }]);
    assert.equal(ready.spec.delay, undefined);
    assert.match(ready.spec.next.statusTemplate!, /^\{\{ \$now := Now \}\}/);
    assert.match(ready.spec.next.statusTemplate!, /\{\{ range NodeConditions \}\}/);
    assert.match(ready.spec.next.statusTemplate!, /\nphase: Running\n$/);

    const report = byName("operant-node-status-report");
    assert.deepEqual(report.spec.selector.matchExpressions, [{ key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: "In", values: ["True"] }]);
    assert.deepEqual(report.spec.delay, { durationMilliseconds: 300000, jitterDurationMilliseconds: 310000 });
    assert.doesNotMatch(report.spec.next.statusTemplate!, /allocatable/, "the periodic report must not reset allocatable");
  });

  test("a scheduled Pod without an IP becomes Running and Ready", () => {
    const running = byName("operant-pod-running");
    assert.deepEqual(running.spec.selector.matchExpressions, [
      { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
      { key: ".spec.nodeName", operator: "Exists" },
      { key: ".status.podIP", operator: "DoesNotExist" },
    ]);
    const t = running.spec.next.statusTemplate!;
    assert.match(t, /^phase: Running$/m);
    assert.match(t, /- type: Ready\n\s+status: "True"/);
    assert.match(t, /\{\{ range \.spec\.containers \}\}/);
  });

  test("a running Pod the node lifecycle controller marked not ready (Ready False, ContainersReady True) is Ready again, its other conditions kept", () => {
    const again = byName("operant-pod-ready-again");
    assert.deepEqual(again.spec.selector.matchExpressions, [
      { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
      { key: ".spec.readinessGates", operator: "DoesNotExist" },
      { key: ".status.phase", operator: "In", values: ["Running"] },
      { key: '.status.conditions.[] | select( .type == "ContainersReady" ) | .status', operator: "In", values: ["True"] },
      { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: "NotIn", values: ["True"] },
    ]);
    const t = again.spec.next.statusTemplate!;
    assert.match(t, /\{\{ range \.status\.conditions \}\}/, "every existing condition is written back");
    assert.match(t, /\{\{ if eq \.type "Ready" \}\}\n\s+status: "True"/);
    assert.match(t, /status: \{\{ \.status \| Quote \}\}/, "the others keep their status");
    assert.doesNotMatch(t, /phase|podIP|containerStatuses/, "nothing else of the status changes");
  });

  test("a running Pod owned by a Job succeeds", () => {
    const job = byName("operant-pod-job-complete");
    assert.deepEqual(job.spec.selector.matchExpressions, [
      { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
      { key: ".status.phase", operator: "In", values: ["Running"] },
      { key: ".metadata.ownerReferences.[].kind", operator: "In", values: ["Job"] },
    ]);
    assert.match(job.spec.next.statusTemplate!, /^phase: Succeeded$/m);
    assert.match(job.spec.next.statusTemplate!, /reason: Completed/);
  });

  test("a Pod being deleted is deleted while its grace period runs (not again once it is 0), with no status template", () => {
    const del = byName("operant-pod-delete");
    assert.deepEqual(del.spec.selector.matchExpressions, [
      { key: ".metadata.deletionTimestamp", operator: "Exists" },
      { key: ".metadata.deletionGracePeriodSeconds > 0", operator: "In", values: ["true"] },
    ]);
    assert.deepEqual(del.spec.next, { delete: true });
  });
});
