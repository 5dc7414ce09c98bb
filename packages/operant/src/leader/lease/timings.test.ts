import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { DEFAULT_LEASE_TIMINGS, FAST_LEASE_TIMINGS, leaseTimings } from "./timings.ts";

describe("leaseTimings", () => {
  test("presets and defaults", () => {
    assert.deepEqual(leaseTimings(), { leaseDuration: 15_000, renewDeadline: 10_000, retryPeriod: 2_000 });
    assert.equal(leaseTimings("default"), DEFAULT_LEASE_TIMINGS);
    assert.deepEqual(leaseTimings("fast"), { leaseDuration: 5_000, renewDeadline: 3_000, retryPeriod: 500 });
    assert.equal(leaseTimings("fast"), FAST_LEASE_TIMINGS);
    assert.deepEqual(leaseTimings({ leaseDuration: "30s", renewDeadline: "20s" }), { leaseDuration: 30_000, renewDeadline: 20_000, retryPeriod: 2_000 });
  });

  test("both presets keep a margin between renew deadline and lease duration, and let the leader retry", () => {
    for (const t of [DEFAULT_LEASE_TIMINGS, FAST_LEASE_TIMINGS]) {
      assert.ok(t.leaseDuration - t.renewDeadline >= 2_000, "at least 2 s for timer lateness and in-flight writes");
      assert.ok(t.leaseDuration / t.renewDeadline >= 1.5, "tolerates clocks ticking at rates 1.5 apart");
      assert.ok(t.renewDeadline >= 5 * t.retryPeriod, "several renewal attempts before giving up");
      assert.doesNotThrow(() => leaseTimings({ ...t }));
    }
  });

  test("unsafe timings are refused with the rule they break", () => {
    const refused = (input: Parameters<typeof leaseTimings>[0], why: RegExp) =>
      assert.throws(() => leaseTimings(input), (err: unknown) => isOperantError(err, "LeaderElectionTimingsInvalid") && why.test(err.message));
    refused({ leaseDuration: "10s", renewDeadline: "10s" }, /longer than renewDeadline/);
    refused({ leaseDuration: "5s", renewDeadline: "6s" }, /longer than renewDeadline/);
    refused({ leaseDuration: "4500ms", renewDeadline: "3s" }, /whole seconds/);
    refused({ renewDeadline: "2s", retryPeriod: "2s" }, /1\.2 × retryPeriod/);
    refused({ retryPeriod: 0 }, /positive/);
    refused({ leaseDuration: "soon" }, /not a duration/);
  });
});
