import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../core/clock.ts";
import type { Stored } from "../core/object.ts";
import type { Lease } from "../kinds/index.ts";
import { memberIdentity, memberLeaseName, MemberView } from "./membership.ts";

const lease = (name: string, holder: string | undefined, renew: string, seconds = 5): Stored<Lease> => ({
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: { name, namespace: "ops", uid: name, resourceVersion: renew, creationTimestamp: "2000-01-01T00:00:00Z" },
  spec: { holderIdentity: holder, leaseDurationSeconds: seconds, renewTime: renew },
});

test("memberIdentity: a label value of at most 63 characters, with a random suffix", () => {
  const a = memberIdentity("memcached-operator-7d9f-abcde");
  assert.match(a, /^memcached-operator-7d9f-abcde-[0-9a-f]{10}$/);
  assert.notEqual(a, memberIdentity("memcached-operator-7d9f-abcde"));
  const long = memberIdentity(`${"x".repeat(80)}.example.com`);
  assert.ok(long.length <= 63, long);
  assert.match(memberIdentity("_weird host!"), /^weird-host-[0-9a-f]{10}$/);
  assert.match(memberIdentity("!!!"), /^member-[0-9a-f]{10}$/);
});

test("memberLeaseName: stable, a valid name whatever the id", () => {
  assert.equal(memberLeaseName("op", "a_b.c"), memberLeaseName("op", "a_b.c"));
  assert.match(memberLeaseName("op", "A_B"), /^op-member-[0-9a-f]{10}$/);
  assert.notEqual(memberLeaseName("op", "a"), memberLeaseName("op", "b"));
});

test("MemberView: a member is live until leaseDurationSeconds after the view saw its record change, whatever renewTime says; released and deleted Leases are not live", () => {
  const clock = new ManualClock(1_000);
  const view = new MemberView(clock);
  view.observe(lease("l-a", "a", "2000-01-01T00:00:00.000000Z"));
  view.observe(lease("l-b", "b", "2000-01-01T00:00:00.000000Z", 10));
  view.observe(lease("l-c", undefined, "2000-01-01T00:00:00.000000Z"));
  assert.deepEqual(view.live(), ["a", "b"], "a timestamp from 2000 does not make a member dead: only this view's clock does");
  assert.equal(view.nextExpiry(), 5_000);
  clock.advance(4_000);
  view.observe(lease("l-a", "a", "2000-01-01T00:00:00.000000Z")); // unchanged record: no renewal seen
  view.observe(lease("l-b", "b", "2000-01-01T00:00:04.000000Z", 10)); // renewed
  assert.deepEqual(view.live(), ["a", "b"]);
  assert.equal(view.nextExpiry(), 1_000);
  clock.advance(1_000);
  assert.deepEqual(view.live(), ["b"], "a has not renewed for its 5 s");
  assert.equal(view.nextExpiry(), 9_000);
  assert.deepEqual(view.leasesOf("a"), ["l-a"], "the sharder reads a's Lease afresh before moving its objects");
  assert.deepEqual(view.leasesOf("nobody"), []);
  view.forget("l-b");
  assert.deepEqual(view.live(), []);
  assert.equal(view.nextExpiry(), undefined);
});
