// Time as the work queue and the lease elector see it: a monotonic "now" in milliseconds and
// one-shot timers. Injectable, so that tests drive time by hand
// (ManualClock) instead of sleeping.

/**
 * A scheduled callback that can be cancelled.
 *
 * @example
 * ```ts
 * const timer: Timer = clock.setTimer(flush, 1_000);
 * timer.cancel();
 * ```
 */
export interface Timer {
  /** Cancels the callback; a no-op once it has run or been cancelled. */
  cancel(): void;
}

/**
 * Options for {@link Clock.setTimer}.
 *
 * @example
 * ```ts
 * clock.setTimer(refreshMetrics, 500, { unref: true } satisfies TimerOptions);
 * ```
 */
export interface TimerOptions {
  /**
   * When true, the timer does not keep the Node.js process alive on its own
   * (`timeout.unref()`). For housekeeping timers such as metrics refreshes.
   */
  unref?: boolean;
}

/**
 * Where the work queue and the rate limiters get the time from.
 *
 * @example
 * ```ts
 * const clock: Clock = systemClock;
 * const timer = clock.setTimer(() => console.log("due"), 250);
 * timer.cancel();
 * ```
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences are meaningful). */
  now(): number;
  /** Runs `callback` once, `delayMs` milliseconds from now (0 if negative). */
  setTimer(callback: () => void, delayMs: number, options?: TimerOptions): Timer;
}

// Node.js clamps longer setTimeout delays to 1 ms; longer waits are chained.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The real clock: `performance.now()` and `setTimeout`. Delays longer than
 * setTimeout's limit (about 24.8 days) are split into several timeouts.
 *
 * @example
 * ```ts
 * const queue = new WorkQueue({ clock: systemClock }); // the default
 * ```
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(callback: () => void, delayMs: number, options: TimerOptions = {}): Timer {
    const due = performance.now() + Math.max(0, delayMs);
    let handle: NodeJS.Timeout;
    const arm = (ms: number) => {
      handle = setTimeout(() => {
        const left = due - performance.now();
        if (left > 1) arm(left);
        else callback();
      }, Math.min(Math.max(0, ms), MAX_TIMEOUT_MS));
      if (options.unref) handle.unref();
    };
    arm(delayMs);
    return { cancel: () => clearTimeout(handle) };
  },
};

interface ManualTimer {
  at: number;
  seq: number;
  callback: () => void;
  unref: boolean;
}

/**
 * A clock that only moves when told to: {@link ManualClock.advance} runs the
 * timers that fall due, in order, each seeing `now()` equal to its due time.
 * For deterministic, fast tests of anything that takes a {@link Clock}.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * const queue = new WorkQueue({ clock });
 * queue.addAfter("default/web", 5_000);
 * clock.advance(5_000);
 * assert.equal(await queue.get(), "default/web");
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: ManualTimer[] = [];

  /** @param start the initial reading of `now()` (default 0). */
  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number, options: TimerOptions = {}): Timer {
    const timer: ManualTimer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, callback, unref: options.unref ?? false };
    this.#timers.push(timer);
    return {
      cancel: () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
      },
    };
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due on the way
   * (including timers those callbacks set, if they fall due too).
   */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.#timers) if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
    }
    this.#now = target;
  }

  /** Timers set and not yet run or cancelled; `{ ref: true }` counts only those that would keep a process alive (not unref'd). */
  pendingTimers(filter: { ref?: boolean } = {}): number {
    return this.#timers.filter((t) => filter.ref === undefined || filter.ref === !t.unref).length;
  }

  /** Due time of the earliest pending timer, or undefined. */
  nextTimerAt(): number | undefined {
    let at: number | undefined;
    for (const t of this.#timers) if (at === undefined || t.at < at) at = t.at;
    return at;
  }
}
