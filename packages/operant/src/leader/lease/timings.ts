// The three durations of Lease leader election, their presets, and the rules
// that keep them safe.
//
// Why the rules make two leaders impossible (as long as clocks tick at
// similar rates and the process is not frozen for long):
//
//   Let s be the moment, on the leader's monotonic clock, at which the
//   leader STARTED its last successful renewal request, and c the real time
//   at which the API server committed it (c > s). The leader aborts its
//   leadership signal at s + renewDeadline unless another renewal succeeds.
//
//   A candidate takes over only by an update conditioned on the
//   resourceVersion of the record it read, so it must have read the record
//   committed at c (or a later one: any later renewal restarts the
//   argument). It first saw that record at some o >= c, and it writes only
//   once its own clock says leaseDuration has passed since o: at real time
//   >= c + leaseDuration / (1 + rho), rho being how much faster its clock
//   runs. Remote timestamps (renewTime) are never compared with local ones.
//
//   So the old leader has stopped before a new one starts whenever
//       renewDeadline * (1 + rho) + lag + inflight < leaseDuration / (1 + rho)
//   where `lag` is how late the leader's abort timer fires (a busy event
//   loop) and `inflight` how long a write sent just before the abort may
//   still take to land. The margin leaseDuration - renewDeadline pays for
//   both, and the ratio leaseDuration / renewDeadline for the clock rates.
//
//   default 15 s / 10 s / 2 s: margin 5 s; with rho = 10 %, lag + inflight may reach 2.6 s.
//   fast     5 s /  3 s / 0.5 s: margin 2 s; with rho = 10 %, lag + inflight may reach 1.2 s.
//
// (client-go measures renewDeadline from the first retry after a successful
// renewal, up to retryPeriod later; operant measures it from the start of
// the last successful renewal, which is stricter.)
import { OperantError } from "../../core/errors.ts";
import { toMillis, type Duration } from "../../core/time.ts";

/**
 * Lease election timings, in milliseconds.
 *
 * @example
 * ```ts
 * const t: LeaseTimings = { leaseDuration: 15_000, renewDeadline: 10_000, retryPeriod: 2_000 };
 * ```
 */
export interface LeaseTimings {
  /** How long a candidate waits, from when IT last saw the record change, before taking over. Whole seconds (the Lease stores seconds). */
  readonly leaseDuration: number;
  /** How long the leader keeps leading without a successful renewal; must be shorter than `leaseDuration`. */
  readonly renewDeadline: number;
  /** Pause between attempts (candidates add up to 120 % jitter, as client-go does). */
  readonly retryPeriod: number;
}

/**
 * Timings as options: durations as numbers (ms) or strings (`"15s"`).
 *
 * @example
 * ```ts
 * const t: LeaseTimingsInput = { leaseDuration: "30s", renewDeadline: "20s", retryPeriod: "4s" };
 * ```
 */
export interface LeaseTimingsInput {
  leaseDuration?: Duration;
  renewDeadline?: Duration;
  retryPeriod?: Duration;
}

/**
 * client-go's and controller-runtime's defaults: lease 15 s, renew deadline
 * 10 s, retry 2 s. A crashed leader is replaced after about 15–20 s.
 *
 * @example
 * ```ts
 * new LeaseElector({ name: "my-operator-leader", namespace: "ops", timings: DEFAULT_LEASE_TIMINGS });
 * ```
 */
export const DEFAULT_LEASE_TIMINGS: LeaseTimings = Object.freeze({ leaseDuration: 15_000, renewDeadline: 10_000, retryPeriod: 2_000 });

/**
 * A faster preset: lease 5 s, renew deadline 3 s, retry 0.5 s. A crashed
 * leader is replaced after about 5–7 s; the leader gives up after 3 s
 * without reaching the API server (so an API server slower than that for
 * 3 s costs a leadership change), and renews twice a second.
 *
 * @example
 * ```ts
 * new LeaseElector({ name: "my-operator-leader", namespace: "ops", timings: "fast" });
 * ```
 */
export const FAST_LEASE_TIMINGS: LeaseTimings = Object.freeze({ leaseDuration: 5_000, renewDeadline: 3_000, retryPeriod: 500 });

/**
 * client-go's JitterFactor: candidates wait retryPeriod × [1, 2.2) between
 * attempts, so that they do not all call at once.
 *
 * @example
 * ```ts
 * const waitMs = retryPeriod * (1 + Math.random() * LEASE_JITTER_FACTOR);
 * ```
 */
export const LEASE_JITTER_FACTOR = 1.2;

/**
 * Resolves and checks timings: a preset name, or durations over the
 * defaults. Throws `LeaderElectionTimingsInvalid` unless all are positive,
 * leaseDuration is whole seconds, leaseDuration > renewDeadline, and
 * renewDeadline > 1.2 × retryPeriod (client-go's rules).
 *
 * @example
 * ```ts
 * leaseTimings("fast")                        // { leaseDuration: 5000, renewDeadline: 3000, retryPeriod: 500 }
 * leaseTimings({ leaseDuration: "30s", renewDeadline: "20s" }) // retryPeriod 2000
 * ```
 */
export function leaseTimings(input: "default" | "fast" | LeaseTimingsInput = "default"): LeaseTimings {
  if (input === "default") return DEFAULT_LEASE_TIMINGS;
  if (input === "fast") return FAST_LEASE_TIMINGS;
  const read = (name: keyof LeaseTimingsInput): number => {
    const v = input[name];
    if (v === undefined) return DEFAULT_LEASE_TIMINGS[name];
    try {
      return Math.round(toMillis(v));
    } catch (err) {
      throw new OperantError("LeaderElectionTimingsInvalid", `leader election ${name} ${JSON.stringify(v)} is not a duration: use milliseconds or a string such as "15s".`, { cause: err });
    }
  };
  const t = { leaseDuration: read("leaseDuration"), renewDeadline: read("renewDeadline"), retryPeriod: read("retryPeriod") };
  const bad = (why: string) => new OperantError("LeaderElectionTimingsInvalid", `leader election timings ${t.leaseDuration}/${t.renewDeadline}/${t.retryPeriod} ms (lease/renew/retry) are unsafe: ${why}. The defaults are 15s/10s/2s; "fast" is 5s/3s/0.5s.`);
  if (t.leaseDuration <= 0 || t.renewDeadline <= 0 || t.retryPeriod <= 0) throw bad("every duration must be positive");
  if (t.leaseDuration % 1000 !== 0) throw bad("leaseDuration must be whole seconds, as the Lease stores it in leaseDurationSeconds");
  if (t.leaseDuration <= t.renewDeadline) throw bad("leaseDuration must be longer than renewDeadline, or a new leader could start before the old one stops");
  if (t.renewDeadline <= LEASE_JITTER_FACTOR * t.retryPeriod) throw bad(`renewDeadline must be longer than ${LEASE_JITTER_FACTOR} × retryPeriod, or the leader gets no second try`);
  return Object.freeze(t);
}
