// Rate limiters decide how long a failed key waits before its next attempt.
// Same model as client-go's workqueue: `when(key)` records one more failure
// and returns the delay, `forget(key)` (on success) resets the key, and
// `retries(key)` says how many failures are on record.
import { OperantError } from "../../core/errors.ts";
import { TokenBucket } from "../../core/token-bucket.ts";
import { systemClock, type Clock } from "../../core/clock.ts";

/**
 * Decides the delay before a key is retried.
 *
 * @example
 * ```ts
 * const limiter: RateLimiter<string> = new ExponentialBackoffRateLimiter();
 * limiter.when("default/web");    // 5
 * limiter.when("default/web");    // 10
 * limiter.forget("default/web");  // reconcile succeeded: back to 5 next time
 * ```
 */
export interface RateLimiter<K = string> {
  /** Records one more failure of `key` and returns how long to wait (ms) before retrying it. */
  when(key: K): number;
  /** Clears what is on record for `key` (call it when the key was processed successfully). */
  forget(key: K): void;
  /** How many times `when(key)` was called since the last `forget(key)`. */
  retries(key: K): number;
}

/**
 * Options for {@link ExponentialBackoffRateLimiter}.
 *
 * @example
 * ```ts
 * const options: ExponentialBackoffOptions = { baseDelayMs: 100, maxDelayMs: 60_000 };
 * ```
 */
export interface ExponentialBackoffOptions {
  /** Delay after the first failure, in ms (default 5). */
  baseDelayMs?: number;
  /** Upper bound of the delay, in ms (default 1,000,000 = 1000 s). */
  maxDelayMs?: number;
}

/**
 * Per-key exponential backoff: the n-th failure of a key waits
 * `baseDelayMs * 2^(n-1)`, capped at `maxDelayMs`: 5 ms, 10 ms, 20 ms, …
 * up to 1000 s with the defaults (controller-runtime's and client-go's).
 * `forget(key)` resets the key. Memory: one map entry per key that has
 * failed and not been forgotten.
 *
 * @example
 * ```ts
 * const backoff = new ExponentialBackoffRateLimiter({ baseDelayMs: 100, maxDelayMs: 60_000 });
 * backoff.when("a"); // 100
 * backoff.when("a"); // 200
 * backoff.retries("a"); // 2
 * ```
 */
export class ExponentialBackoffRateLimiter<K = string> implements RateLimiter<K> {
  /** Delay after the first failure, in ms. */
  readonly baseDelayMs: number;
  /** Upper bound of the delay, in ms. */
  readonly maxDelayMs: number;
  readonly #failures = new Map<K, number>();

  constructor(options: ExponentialBackoffOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
    if (!(this.baseDelayMs > 0) || !Number.isFinite(this.baseDelayMs)) {
      throw new OperantError("InvalidQueueOptions", `exponential backoff baseDelayMs must be a finite number above 0 (got ${this.baseDelayMs}); the default is 5`);
    }
    if (!(this.maxDelayMs >= this.baseDelayMs)) {
      throw new OperantError("InvalidQueueOptions", `exponential backoff maxDelayMs must be at least baseDelayMs ${this.baseDelayMs} (got ${this.maxDelayMs}); the default is 1000000 (1000 s)`);
    }
  }

  when(key: K): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    // 2 ** 1100 is Infinity: the min() still lands on the cap.
    return Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
  }

  forget(key: K): void {
    this.#failures.delete(key);
  }

  retries(key: K): number {
    return this.#failures.get(key) ?? 0;
  }
}

/**
 * Options for {@link BucketRateLimiter}.
 *
 * @example
 * ```ts
 * const options: BucketRateLimiterOptions = { qps: 50, burst: 300 };
 * ```
 */
export interface BucketRateLimiterOptions {
  /** Retries allowed per second overall, once the burst is spent (default 10). */
  qps?: number;
  /** Retries allowed at once after a quiet period (default 100). */
  burst?: number;
  /** Time source (default {@link systemClock}). */
  clock?: Clock;
}

/**
 * An overall token bucket shared by all keys: the first `burst` calls pass
 * without delay, further calls are spaced `1/qps` seconds apart (each call
 * reserves a token, so N calls in a row get increasing delays). Keys are
 * ignored: `forget` does nothing and `retries` is always 0. Defaults: 10 qps,
 * burst 100 (controller-runtime's).
 *
 * @example
 * ```ts
 * const bucket = new BucketRateLimiter({ qps: 10, burst: 100 });
 * bucket.when("a"); // 0 for the first 100 calls, then 100, 200, … ms
 * ```
 */
export class BucketRateLimiter<K = string> implements RateLimiter<K> {
  readonly #bucket: TokenBucket;

  constructor(options: BucketRateLimiterOptions = {}) {
    const qps = options.qps ?? 10;
    const burst = options.burst ?? 100;
    if (!(qps > 0)) throw new OperantError("InvalidQueueOptions", `bucket rate limiter qps must be above 0 (got ${qps}); use Infinity for no overall limit; the default is 10`);
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new OperantError("InvalidQueueOptions", `bucket rate limiter burst must be a finite number of at least 1 (got ${burst}); the default is 100`);
    const clock = options.clock ?? systemClock;
    this.#bucket = new TokenBucket({ qps, burst, now: () => clock.now() });
  }

  when(_key: K): number {
    return this.#bucket.reserve();
  }

  forget(_key: K): void {}

  retries(_key: K): number {
    return 0;
  }
}

/**
 * Combines rate limiters: `when` asks every one of them (each records the
 * failure) and returns the longest delay; `forget` forgets in all of them;
 * `retries` is the highest count.
 *
 * @example
 * ```ts
 * const limiter = new MaxOfRateLimiter(new ExponentialBackoffRateLimiter(), new BucketRateLimiter());
 * ```
 */
export class MaxOfRateLimiter<K = string> implements RateLimiter<K> {
  readonly #limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    if (limiters.length === 0) throw new OperantError("InvalidQueueOptions", "MaxOfRateLimiter needs at least one rate limiter to combine");
    this.#limiters = limiters;
  }

  when(key: K): number {
    let delay = 0;
    for (const limiter of this.#limiters) delay = Math.max(delay, limiter.when(key));
    return delay;
  }

  forget(key: K): void {
    for (const limiter of this.#limiters) limiter.forget(key);
  }

  retries(key: K): number {
    let retries = 0;
    for (const limiter of this.#limiters) retries = Math.max(retries, limiter.retries(key));
    return retries;
  }
}

/**
 * Options for {@link defaultControllerRateLimiter}: those of both limiters it combines.
 *
 * @example
 * ```ts
 * const options: ControllerRateLimiterOptions = { maxDelayMs: 300_000, qps: 50, burst: 300 };
 * ```
 */
export interface ControllerRateLimiterOptions extends ExponentialBackoffOptions, BucketRateLimiterOptions {}

/**
 * controller-runtime's default controller rate limiter: the maximum of a
 * per-key exponential backoff (5 ms doubling up to 1000 s, reset by
 * `forget`) and an overall token bucket (10 qps, burst 100), so a single
 * failing key backs off on its own and a mass failure cannot retry faster
 * than 10 keys per second.
 *
 * @example
 * ```ts
 * const queue = new WorkQueue({ rateLimiter: defaultControllerRateLimiter({ maxDelayMs: 300_000 }) });
 * ```
 */
export function defaultControllerRateLimiter<K = string>(options: ControllerRateLimiterOptions = {}): MaxOfRateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ExponentialBackoffRateLimiter<K>(options), new BucketRateLimiter<K>(options));
}
