// Durations and waiting: how operant spells time ("30s", "1m30s", 250) and
// waits for it (abortably).

/**
 * A duration: milliseconds as a number, or a Go-style string such as `"500ms"`, `"30s"`, `"1m30s"`, `"2h"`.
 *
 * @example
 * ```ts
 * const timeout: Duration = "1m30s"; // or 90_000 (milliseconds)
 * Controller.for(App).withOptions({ reconcileTimeout: timeout });
 * ```
 */
export type Duration = number | string;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Converts a {@link Duration} to milliseconds. Throws a RangeError naming the
 * input when it is not a valid, non-negative duration.
 *
 * @example
 * ```ts
 * toMillis("1m30s") // 90000
 * toMillis(250)     // 250
 * ```
 */
export function toMillis(d: Duration): number {
  if (typeof d === "number") {
    if (!Number.isFinite(d) || d < 0) throw new RangeError(`invalid duration ${d}: use a non-negative number of milliseconds`);
    return d;
  }
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (const m of d.matchAll(re)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched += m[0].length;
  }
  if (d.length === 0 || matched !== d.length) throw new RangeError(`invalid duration "${d}": use forms like "500ms", "30s", "1m30s", "2h"`);
  if (!Number.isFinite(total)) throw new RangeError(`invalid duration "${d.slice(0, 40)}${d.length > 40 ? "…" : ""}": too large`);
  return total;
}

/**
 * Waits `ms` milliseconds. If `signal` aborts, rejects with the signal's
 * reason (not a generic AbortError), so callers see why they were stopped.
 *
 * @example
 * ```ts
 * await sleep(1000, ctx.signal);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal, options: { unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (options.unref) timer.unref();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * `p`, or a rejection with `signal`'s reason as soon as `signal` aborts,
 * whichever comes first; `p` itself goes on (for a shared promise that
 * other callers still wait on).
 *
 * @example
 * ```ts
 * const token = await abortable(sharedRefresh, ctx.signal);
 * ```
 */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (err: Error) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

/**
 * `ms` spread by up to ±`factor` (default ±10%), so that many clients retrying
 * at once do not retry in step.
 *
 * @example
 * ```ts
 * jitter(1000) // somewhere in 900..1100
 * ```
 */
export function jitter(ms: number, factor = 0.1): number {
  return ms * (1 - factor + Math.random() * 2 * factor);
}
