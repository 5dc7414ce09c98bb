// operator-sdk's wait between attempts to create the leader-for-life lock:
// 1 s, doubling up to 16 s, each wait stretched by up to +20 % jitter
// (operator-lib's leader.Become: wait.Jitter(backoff, .2), backoff *= 2
// while below MaxBackoffInterval, default 16 s).
import { OperantError } from "../../core/errors.ts";
import { toMillis, type Duration } from "../../core/time.ts";

/**
 * Options of {@link ExponentialBackoff}.
 *
 * @example
 * ```ts
 * const o: BackoffOptions = { initial: "1s", max: "16s", factor: 2, jitter: 0.2 };
 * ```
 */
export interface BackoffOptions {
  /** First wait (default 1 s). */
  initial?: Duration | undefined;
  /** Longest wait before jitter (default 16 s, operator-sdk's MaxBackoffInterval). */
  max?: Duration | undefined;
  /** Growth per attempt (default 2). */
  factor?: number | undefined;
  /** Each wait is stretched by a random fraction up to this (default 0.2: +0–20 %). */
  jitter?: number | undefined;
}

/**
 * Waits that grow exponentially to a ceiling, with one-sided jitter.
 *
 * @example
 * ```ts
 * const backoff = new ExponentialBackoff();
 * await sleep(backoff.next(), signal); // ~1 s, then ~2 s, ~4 s, ~8 s, ~16 s, ~16 s…
 * ```
 */
export class ExponentialBackoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #base: number;

  /** `random` returns [0, 1) (default Math.random; tests pass their own). */
  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.#initial = toMillis(options.initial ?? "1s");
    this.#max = toMillis(options.max ?? "16s");
    this.#factor = options.factor ?? 2;
    this.#jitter = options.jitter ?? 0.2;
    if (this.#initial <= 0 || this.#max < this.#initial || this.#factor < 1 || this.#jitter < 0) {
      throw new OperantError("InvalidArgument", `backoff ${JSON.stringify(options)} is not valid: initial must be positive, max at least initial, factor at least 1, jitter at least 0.`);
    }
    this.#random = random;
    this.#base = this.#initial;
  }

  /** The next wait in milliseconds (then the base grows). */
  next(): number {
    const wait = this.#base * (1 + this.#jitter * this.#random());
    this.#base = Math.min(this.#base * this.#factor, this.#max);
    return wait;
  }

  /** Starts over from the initial wait. */
  reset(): void {
    this.#base = this.#initial;
  }
}
