import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigMap } from "../kinds/index.ts";
import type { AdmissionRequestWire } from "../webhook/review/review.ts";
import { applyJsonPatch, type JsonPatchOperation, type JsonValue } from "../webhook/json-patch/json-patch.ts";
import { ManualClock } from "../core/clock.ts";
import type { Stored } from "../core/object.ts";
import type { Lease } from "../kinds/index.ts";
import { assignmentWebhooks, RingWatch } from "./assignment-webhook.ts";
import { shardLabel } from "./labels.ts";
import { HashRing } from "./ring.ts";

const S = shardLabel("web");
const ring = new HashRing(["m0", "m1", "m2"]);
const live = { ring: () => ring };
const controller = { name: "web", kind: ConfigMap, owns: [], labelSelector: { role: "web" } };

function request(object: Record<string, unknown>, namespace = "apps"): AdmissionRequestWire {
  const name = (object.metadata as { name?: string }).name;
  return { uid: "u1", kind: { group: "", version: "v1", kind: "ConfigMap" }, resource: { group: "", version: "v1", resource: "configmaps" }, ...(name && { name }), namespace, operation: "CREATE", userInfo: { username: "alice" }, object };
}

/** The object after the webhook's answer (its JSON patch applied), and whether it patched at all. */
async function admit(hook: ReturnType<typeof assignmentWebhooks>[number], object: Record<string, unknown>, namespace?: string): Promise<{ labels: Record<string, string> | undefined; patched: boolean }> {
  const res = await hook.review(request(object, namespace), new AbortController().signal);
  assert.equal(res.allowed, true, "the assignment webhook never denies");
  const ops = res.patch ? (JSON.parse(Buffer.from(res.patch, "base64").toString()) as JsonPatchOperation[]) : [];
  const after = applyJsonPatch(object as JsonValue, ops) as { metadata: { labels?: Record<string, string> } };
  return { labels: after.metadata.labels, patched: ops.length > 0 };
}

const cm = (metadata: Record<string, unknown>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata });

describe("assignment webhook", () => {
  test("labels a new object with the member the ring gives its namespace/name", async () => {
    const [hook] = assignmentWebhooks([controller], { ring: "ops", watch: live });
    for (const name of ["a", "b", "c", "d", "e", "f"]) {
      const { labels } = await admit(hook!, cm({ name, namespace: "apps", labels: { role: "web" } }));
      assert.deepEqual(labels, { role: "web", [S]: ring.ownerOf(`apps/${name}`) });
    }
  });

  test("leaves alone what it cannot or must not decide: a generated name, no live member, a label already set, another selection or namespace", async () => {
    const [hook] = assignmentWebhooks([controller], { ring: "ops", watch: live, namespaces: ["apps"] });
    assert.equal((await admit(hook!, cm({ generateName: "web-", namespace: "apps", labels: { role: "web" } }))).patched, false, "generated name");
    assert.equal((await admit(hook!, cm({ name: "x", namespace: "apps", labels: { role: "web", [S]: "m9" } }))).patched, false, "already labelled");
    assert.equal((await admit(hook!, cm({ name: "x", namespace: "apps", labels: { role: "db" } }))).patched, false, "outside the controller's selector");
    assert.equal((await admit(hook!, cm({ name: "x", namespace: "other", labels: { role: "web" } }), "other")).patched, false, "outside the namespaces");
    const [idle] = assignmentWebhooks([controller], { ring: "ops", watch: { ring: () => undefined } });
    assert.equal((await admit(idle!, cm({ name: "x", namespace: "apps", labels: { role: "web" } }))).patched, false, "no live member seen");
    const [unbound] = assignmentWebhooks([controller], { ring: "ops" });
    assert.equal((await admit(unbound!, cm({ name: "x", namespace: "apps", labels: { role: "web" } }))).patched, false, "not running (manifest generation)");
  });

  test("its configuration: CREATE only, failurePolicy Ignore, objects without the shard label (and the controller's labels)", () => {
    const [hook] = assignmentWebhooks([controller], { ring: "ops" });
    assert.deepEqual(
      { name: hook!.name, path: hook!.path, operations: hook!.operations, failurePolicy: hook!.failurePolicy, sideEffects: hook!.sideEffects, objectSelector: hook!.objectSelector },
      { name: "web.ops.shard.operant.dev", path: "/shard-web", operations: ["CREATE"], failurePolicy: "Ignore", sideEffects: "None", objectSelector: { matchLabels: { role: "web" }, matchExpressions: [{ key: S, operator: "DoesNotExist" }] } },
    );
  });

  test("RingWatch: undecided for one Lease duration after the first list (a dead member's Lease looks like a live one until then), then the members seen renewing", () => {
    const clock = new ManualClock(0);
    const watch = new RingWatch({ ring: "ops", namespace: "ops" }, clock);
    const lease = (member: string, renew: string): Stored<Lease> => ({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: `ops-member-${member}`, namespace: "ops", uid: member, resourceVersion: renew, creationTimestamp: "2000-01-01T00:00:00Z" }, spec: { holderIdentity: member, leaseDurationSeconds: 15, renewTime: renew } });
    watch.observe(lease("alive", "t0"));
    watch.observe(lease("dead", "t0"));
    assert.equal(watch.ring(), undefined, "not synced");
    watch.synced();
    clock.advance(14_000);
    watch.observe(lease("alive", "t1"));
    assert.equal(watch.ring(), undefined, "within a Lease duration of the first list");
    clock.advance(2_000);
    assert.deepEqual(watch.ring()?.members, ["alive"], "the member that renewed; the other's Lease expired unchanged");
  });
});
