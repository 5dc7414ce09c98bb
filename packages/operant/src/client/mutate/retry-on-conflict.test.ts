import assert from "node:assert/strict";
import { test } from "node:test";
import { OperantError } from "../../core/errors.ts";
import { ApiError } from "../transport/api-error.ts";
import { retryOnConflict } from "./retry-on-conflict.ts";

const conflict = () => new ApiError({ method: "PUT", path: "/api/v1/namespaces/x/configmaps/y", status: 409, body: { reason: "Conflict", message: "the object has been modified" } });

test("re-runs fn on Conflict until it succeeds, passing the attempt number", async () => {
  const seen: number[] = [];
  const result = await retryOnConflict((attempt) => {
    seen.push(attempt);
    return attempt < 3 ? Promise.reject(conflict()) : Promise.resolve("ok");
  });
  assert.equal(result, "ok");
  assert.deepEqual(seen, [1, 2, 3]);
});

test("gives up after `attempts` runs (default 5, like client-go's DefaultRetry) and rethrows the last Conflict", async () => {
  let runs = 0;
  const started = performance.now();
  await assert.rejects(
    retryOnConflict(() => {
      runs++;
      return Promise.reject(conflict());
    }),
    (err: unknown) => err instanceof ApiError && err.code === "Conflict",
  );
  assert.equal(runs, 5);
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 4 * 10 && elapsed < 500, `4 pauses of 10-11 ms, took ${elapsed} ms`);
  runs = 0;
  await assert.rejects(
    retryOnConflict(
      () => {
        runs++;
        return Promise.reject(conflict());
      },
      { attempts: 1 },
    ),
    /modified/,
  );
  assert.equal(runs, 1, "attempts: 1 means no retry");
});

test("rethrows other errors at once", async () => {
  let runs = 0;
  await assert.rejects(
    retryOnConflict(() => {
      runs++;
      return Promise.reject(new OperantError("NotFound", "gone"));
    }),
    /gone/,
  );
  assert.equal(runs, 1);
});

test("retryOn widens what is retried; backoff and factor shape the pauses", async () => {
  let runs = 0;
  const started = performance.now();
  await retryOnConflict(
    () => (++runs < 3 ? Promise.reject(new OperantError("AlreadyExists", "taken")) : Promise.resolve()),
    { retryOn: (e) => e instanceof OperantError && e.code === "AlreadyExists", backoff: "20ms", factor: 2, jitter: 0 },
  );
  const elapsed = performance.now() - started;
  assert.equal(runs, 3);
  assert.ok(elapsed >= 20 + 40 - 2, `pauses 20 ms then 40 ms, took ${elapsed} ms`);
});

test("an abort stops the retries with the signal's reason", async () => {
  const ac = new AbortController();
  const p = retryOnConflict(
    () => Promise.reject(conflict()),
    { backoff: "1s", signal: ac.signal },
  );
  setTimeout(() => ac.abort(new Error("shutting down")), 20);
  await assert.rejects(p, /shutting down/);
  await assert.rejects(retryOnConflict(() => Promise.resolve(1), { attempts: 0 }), RangeError);
});
