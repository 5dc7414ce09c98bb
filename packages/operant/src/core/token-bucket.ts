// A token bucket: `burst` tokens, refilled at `qps` per second. Used for the
// client's request rate limit and the work queue's overall retry rate.
import { sleep } from "./time.ts";

/** Options for {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Tokens added per second. `Infinity` disables limiting. */
  qps: number;
  /** Bucket size: how many tokens can be spent at once after idling. */
  burst: number;
  /** Clock in milliseconds (default `performance.now`), injectable for tests. */
  now?: () => number;
}

/**
 * A token bucket rate limiter.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket({ qps: 20, burst: 30 });
 * await bucket.take(signal);         // waits when the bucket is empty
 * const delay = bucket.reserve();    // or: take a token now, get how long to wait (ms)
 * ```
 */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.qps > 0) || !(options.burst >= 1)) throw new RangeError(`token bucket needs qps > 0 and burst >= 1 (got qps ${options.qps}, burst ${options.burst})`);
    this.qps = options.qps;
    this.burst = options.burst;
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = options.burst;
    this.#last = this.#now();
  }

  /**
   * Takes one token and returns how many milliseconds the caller must wait
   * before acting (0 when a token was available). Reservations queue up: the
   * bucket may go negative, so N callers get increasing delays.
   */
  reserve(): number {
    if (this.qps === Infinity) return 0;
    const now = this.#now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.qps);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.qps) * 1000;
  }

  /** Waits for a token. Rejects with the signal's reason if aborted while waiting. */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const delay = this.reserve();
    if (delay > 0) await sleep(delay, signal);
  }
}
