// metav1.MicroTime on the wire: RFC 3339 in UTC with exactly six fractional
// digits ("2006-01-02T15:04:05.000000Z"), as events.k8s.io/v1 wants for
// eventTime and series.lastObservedTime.

/**
 * Formats an instant as a Kubernetes MicroTime. `epochMs` may carry a
 * fraction (microseconds after the decimal point); default: now, with
 * sub-millisecond digits from the high-resolution clock.
 *
 * @example
 * ```ts
 * microTime(1735689600123.456) // "2025-01-01T00:00:00.123456Z"
 * ```
 */
export function microTime(epochMs: number = preciseNow()): string {
  const ms = Math.floor(epochMs);
  const extra = Math.min(999, Math.floor((epochMs - ms) * 1000)); // a double near 1.7e12 holds the fraction to ~0.25 µs
  return `${new Date(ms).toISOString().slice(0, -1)}${String(extra).padStart(3, "0")}Z`;
}

/**
 * Wall-clock milliseconds since the epoch with a fractional part: `Date.now()`
 * plus the sub-millisecond digits of `performance.now()`, so timestamps taken
 * within one millisecond still differ.
 *
 * @example
 * ```ts
 * const t = preciseNow(); // e.g. 1735689600123.456
 * ```
 */
export function preciseNow(): number {
  return Date.now() + (performance.now() % 1);
}
