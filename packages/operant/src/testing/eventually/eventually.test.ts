import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { eventually } from "./eventually.ts";

describe("eventually", () => {
  test("returns the check's value as soon as it stops throwing", async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls++;
        if (calls < 3) throw new Error(`not yet (${calls})`);
        return { ready: true, calls };
      },
      { intervalMs: 1 },
    );
    assert.deepEqual(value, { ready: true, calls: 3 });
    assert.equal(calls, 3, "no further call after success");
  });

  test("retries while the check returns false, and awaits async checks", async () => {
    let calls = 0;
    const value = await eventually(async () => {
      await Promise.resolve();
      return ++calls >= 4 && "done";
    }, { intervalMs: 1 });
    assert.equal(value, "done");
    assert.equal(calls, 4);
  });

  test("any value but false counts as success: undefined (an assertion-only check), 0, null, empty string", async () => {
    assert.equal(await eventually(() => {}), undefined);
    assert.equal(await eventually(() => 0), 0);
    assert.equal(await eventually(() => null), null);
    assert.equal(await eventually(() => ""), "");
    assert.equal(await eventually(() => true), true);
  });

  test("on timeout: EventuallyTimeout with the description, the timeout and the last failure, which is the cause", async () => {
    let calls = 0;
    const started = Date.now();
    await assert.rejects(
      eventually(
        () => {
          calls++;
          assert.equal(calls, -1, `attempt ${calls}`);
        },
        { timeoutMs: 150, intervalMs: 10, description: "3 Ready Pods" },
      ),
      (err: unknown) => {
        assert.ok(isOperantError(err, "EventuallyTimeout"), String(err));
        assert.match(err.message, /^3 Ready Pods not met within 150 ms; last failure: attempt (\d+)/);
        assert.equal(err.message.match(/attempt (\d+)/)?.[1], String(calls), "the message carries the last attempt's failure");
        assert.ok(err.cause instanceof assert.AssertionError);
        assert.equal(err.retryable, false);
        return true;
      },
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 150, `gave up after ${elapsed} ms, before the timeout`);
    assert.ok(elapsed < 1000, `gave up only after ${elapsed} ms`);
    assert.ok(calls >= 5, `only ${calls} attempts in 150 ms at a 10 ms interval`);
  });

  test("a check that keeps returning false times out saying the condition was false", async () => {
    await assert.rejects(eventually(() => false, { timeoutMs: 50, intervalMs: 5 }), (err: unknown) => {
      assert.ok(isOperantError(err, "EventuallyTimeout"));
      assert.equal(err.message, "condition not met within 50 ms; last failure: condition was false");
      return true;
    });
  });

  test("a non-Error thrown value is reported as text", async () => {
    await assert.rejects(
      eventually(
        () => {
          throw "plain string"; // eslint-disable-line @typescript-eslint/only-throw-error
        },
        { timeoutMs: 30, intervalMs: 5 },
      ),
      (err: unknown) => isOperantError(err, "EventuallyTimeout") && err.message.endsWith("last failure: plain string") && err.cause === "plain string",
    );
  });

  test("waits intervalMs between attempts", async () => {
    const times: number[] = [];
    await eventually(() => times.push(Date.now()) >= 4, { intervalMs: 40 });
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    for (const g of gaps) assert.ok(g >= 35, `attempts ${g} ms apart, interval is 40 ms`);
  });

  test("the default interval is 100 ms", async () => {
    const times: number[] = [];
    await eventually(() => times.push(Date.now()) >= 3);
    assert.ok(times[2]! - times[0]! >= 190, `three attempts within ${times[2]! - times[0]!} ms`);
  });

  test("timeoutMs: 0 makes exactly one attempt", async () => {
    let calls = 0;
    await assert.rejects(
      eventually(() => ++calls > 1, { timeoutMs: 0, intervalMs: 1 }),
      (err: unknown) => isOperantError(err, "EventuallyTimeout") && /within 0 ms/.test(err.message),
    );
    assert.equal(calls, 1);
  });
});
