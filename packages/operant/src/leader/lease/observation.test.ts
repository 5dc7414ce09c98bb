import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { LeaseObservation, recordOf, type LeaderElectionRecord } from "./observation.ts";

const record = (over: Partial<LeaderElectionRecord> = {}): LeaderElectionRecord => ({ holderIdentity: "a_1", leaseDurationSeconds: 15, acquireTime: "2025-01-01T00:00:00.000000Z", renewTime: "2025-01-01T00:00:00.000000Z", leaseTransitions: 0, ...over });

describe("LeaseObservation: expiry judged by this replica's clock", () => {
  test("a record expires leaseDurationSeconds after it was first seen, whatever its renewTime says", () => {
    const clock = new ManualClock(1_000);
    const seen = new LeaseObservation(clock);
    // renewTime an hour in the past (the holder's clock is behind, or it died long ago): still not expired on first sight.
    assert.equal(seen.observe(record({ renewTime: "2020-01-01T00:00:00.000000Z" })), true);
    assert.equal(seen.expired(), false);
    assert.equal(seen.mayAcquire("b_2"), false);
    clock.advance(14_999);
    assert.equal(seen.expired(), false);
    assert.equal(seen.remaining(), 1);
    clock.advance(1);
    assert.equal(seen.expired(), true, "expired exactly leaseDurationSeconds after observation");
    assert.equal(seen.mayAcquire("b_2"), true);
  });

  test("reading the same record again does not restart the countdown; a changed record (a renewal) does", () => {
    const clock = new ManualClock(0);
    const seen = new LeaseObservation(clock);
    seen.observe(record());
    clock.advance(10_000);
    assert.equal(seen.observe(record()), false, "unchanged");
    clock.advance(5_000);
    assert.equal(seen.expired(), true);
    // A renewal timestamped in the future (a clock ahead) counts only as "changed".
    assert.equal(seen.observe(record({ renewTime: "2099-01-01T00:00:00.000000Z" })), true);
    assert.equal(seen.expired(), false);
    clock.advance(15_000);
    assert.equal(seen.expired(), true);
  });

  test("any change of the election fields counts; the lease duration read is the one used", () => {
    const clock = new ManualClock(0);
    const seen = new LeaseObservation(clock);
    seen.observe(record({ leaseDurationSeconds: 1 }));
    for (const change of [{ holderIdentity: "c_3" }, { leaseTransitions: 1 }, { acquireTime: "x" }, { leaseDurationSeconds: 2 }]) {
      assert.equal(seen.observe(record({ leaseDurationSeconds: 1, ...change })), true, JSON.stringify(change));
    }
    seen.observe(record({ leaseDurationSeconds: 1 }));
    clock.advance(1_000);
    assert.equal(seen.expired(), true);
  });

  test("nobody holding the lease (released) lets anyone acquire at once; the holder may always renew", () => {
    const clock = new ManualClock(0);
    const seen = new LeaseObservation(clock);
    assert.equal(seen.mayAcquire("x"), true, "nothing observed yet");
    seen.observe(record({ holderIdentity: undefined, leaseDurationSeconds: 1 }));
    assert.equal(seen.mayAcquire("b_2"), true);
    seen.observe(record({ holderIdentity: "a_1" }));
    assert.equal(seen.mayAcquire("a_1"), true);
    assert.equal(seen.heldBy("a_1"), true);
    assert.equal(seen.mayAcquire("b_2"), false);
  });

  test("set (after our own write) always restarts the countdown; observedAt is wall-clock time", () => {
    const clock = new ManualClock(0);
    let wall = 1_700_000_000_000;
    const seen = new LeaseObservation(clock, () => wall);
    seen.observe(record());
    clock.advance(14_000);
    wall += 14_000;
    seen.set(record());
    assert.equal(seen.observedAt, 1_700_000_014_000);
    clock.advance(14_000);
    assert.equal(seen.expired(), false);
    seen.clear();
    assert.equal(seen.record, undefined);
    assert.equal(seen.expired(), true);
  });

  test("recordOf reads a Lease's spec; an empty holder is no holder", () => {
    assert.deepEqual(recordOf({ spec: { holderIdentity: "", leaseDurationSeconds: 1, leaseTransitions: 4 } }), { holderIdentity: undefined, leaseDurationSeconds: 1, acquireTime: undefined, renewTime: undefined, leaseTransitions: 4 });
    assert.deepEqual(recordOf({}), { holderIdentity: undefined, leaseDurationSeconds: undefined, acquireTime: undefined, renewTime: undefined, leaseTransitions: undefined });
  });
});
