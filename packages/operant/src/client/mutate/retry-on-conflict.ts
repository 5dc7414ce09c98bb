// Optimistic concurrency, the Kubernetes way: read, change, write with the
// resourceVersion read; when someone else wrote in between the write fails
// with Conflict, and the whole read-change-write runs again.
import { isOperantError } from "../../core/errors.ts";
import { sleep, toMillis, type Duration } from "../../core/time.ts";

/**
 * Options of {@link retryOnConflict}.
 *
 * @example
 * ```ts
 * await retryOnConflict(() => bump(client), { attempts: 10, backoff: "50ms", factor: 2 } satisfies RetryOptions);
 * ```
 */
export interface RetryOptions {
  /** How many times `fn` runs at most, the first included (default 5). */
  attempts?: number;
  /** Pause before the first retry (default `"10ms"`). */
  backoff?: Duration;
  /** Each further pause is the previous one times this (default 1: constant). */
  factor?: number;
  /** Each pause is lengthened by a random 0..`jitter` fraction of itself (default 0.1), so that racing writers fall out of step. */
  jitter?: number;
  /** Which failures to retry (default: `Conflict`). */
  retryOn?: (err: unknown) => boolean;
  /** Stops waiting and rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Whether `err` is the API server's `Conflict` (409: the object changed since it was read).
 *
 * @example
 * ```ts
 * try { await client.update(ConfigMap, cm); } catch (err) { if (isConflict(err)) return Action.requeueAfter("1s"); throw err; }
 * ```
 */
export function isConflict(err: unknown): boolean {
  // A server-side apply conflict (another field manager owns the field) is a Conflict too, but re-reading cannot fix it.
  return isOperantError(err, "Conflict") && err.retryable;
}

/**
 * Runs `fn`, and runs it again when it fails with `Conflict`, after a short
 * jittered pause, up to `attempts` times; then rethrows the last error. Other
 * errors are rethrown at once. The defaults are client-go's
 * `retry.DefaultRetry` (5 attempts, 10 ms, factor 1, jitter 0.1).
 *
 * `fn` must read the object afresh on every attempt: retrying a write of the
 * same stale object can only fail again. It receives the attempt number (1, 2, …).
 *
 * @example
 * ```ts
 * await retryOnConflict(async () => {
 *   const cm = await client.get(ConfigMap, { namespace: "default", name: "counter" });
 *   const n = Number(cm.data?.n ?? "0") + 1;
 *   await client.update(ConfigMap, { ...cm, data: { ...cm.data, n: String(n) } });
 * });
 * ```
 */
export async function retryOnConflict<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  if (!(Number.isInteger(attempts) && attempts >= 1)) throw new RangeError(`retryOnConflict: attempts must be an integer >= 1 (got ${attempts})`);
  const retryOn = options.retryOn ?? isConflict;
  const jitter = options.jitter ?? 0.1;
  const factor = options.factor ?? 1;
  let pause = toMillis(options.backoff ?? 10);
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= attempts || !retryOn(err)) throw err;
    }
    await sleep(pause * (1 + Math.random() * jitter), options.signal);
    pause *= factor;
  }
}
