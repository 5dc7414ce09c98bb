// What a replica knows about the Lease: the last record it read and WHEN it
// saw that record change, on its own monotonic clock. Expiry is judged from
// that moment, never from the record's renewTime (written by another
// machine's clock): this is client-go's observedRecord/observedTime.
import type { Clock } from "../../core/clock.ts";
import type { Lease } from "../../kinds/index.ts";

/**
 * The election fields of a Lease's spec.
 *
 * @example
 * ```ts
 * const r: LeaderElectionRecord = { holderIdentity: "op-1_3f9a0c1b2e", leaseDurationSeconds: 15, acquireTime: "2025-01-01T00:00:00.000000Z", renewTime: "2025-01-01T00:00:10.000000Z", leaseTransitions: 3 };
 * ```
 */
export interface LeaderElectionRecord {
  holderIdentity?: string | undefined;
  leaseDurationSeconds?: number | undefined;
  /** MicroTime. */
  acquireTime?: string | undefined;
  /** MicroTime. */
  renewTime?: string | undefined;
  leaseTransitions?: number | undefined;
}

/**
 * The election record of a Lease (empty fields for an empty spec).
 *
 * @example
 * ```ts
 * recordOf(await client.get(Lease, { namespace: "ops", name: "my-operator-leader" })).holderIdentity
 * ```
 */
export function recordOf(lease: Pick<Lease, "spec">): LeaderElectionRecord {
  const s = lease.spec ?? {};
  return { holderIdentity: s.holderIdentity || undefined, leaseDurationSeconds: s.leaseDurationSeconds, acquireTime: s.acquireTime, renewTime: s.renewTime, leaseTransitions: s.leaseTransitions };
}

function sameRecord(a: LeaderElectionRecord, b: LeaderElectionRecord): boolean {
  return a.holderIdentity === b.holderIdentity && a.leaseDurationSeconds === b.leaseDurationSeconds && a.acquireTime === b.acquireTime && a.renewTime === b.renewTime && a.leaseTransitions === b.leaseTransitions;
}

/**
 * The last observed record and when it was observed. `observe` resets the
 * observation time only when the record differs from the one held, so a
 * leader that stopped renewing is judged expired `leaseDurationSeconds`
 * after this replica last saw it change, whatever its timestamps say.
 *
 * @example
 * ```ts
 * const seen = new LeaseObservation(systemClock);
 * seen.observe(recordOf(lease));
 * if (seen.mayAcquire("op-2_9c1d")) await tryToTakeOver();
 * ```
 */
export class LeaseObservation {
  readonly #clock: Pick<Clock, "now">;
  readonly #wall: () => number;
  #record: LeaderElectionRecord | undefined;
  #at = 0;
  #wallAt = 0;

  /** `clock` judges expiry (monotonic); `wall` only stamps `observedAt` for people (default Date.now). */
  constructor(clock: Pick<Clock, "now">, wall: () => number = Date.now) {
    this.#clock = clock;
    this.#wall = wall;
  }

  /** The record last read or written (undefined before the first). */
  get record(): LeaderElectionRecord | undefined {
    return this.#record;
  }

  /** Wall-clock time (ms since the epoch) at which the record last changed as seen here. */
  get observedAt(): number | undefined {
    return this.#record ? this.#wallAt : undefined;
  }

  /** Takes a record read from the API server; returns whether it changed (and so restarted the expiry countdown). */
  observe(record: LeaderElectionRecord): boolean {
    if (this.#record && sameRecord(this.#record, record)) return false;
    this.set(record);
    return true;
  }

  /** Takes a record this replica has just written: always restarts the countdown (client-go's setObservedRecord). */
  set(record: LeaderElectionRecord): void {
    this.#record = { ...record };
    this.#at = this.#clock.now();
    this.#wallAt = this.#wall();
  }

  /** Forgets the record (e.g. the Lease was deleted). */
  clear(): void {
    this.#record = undefined;
  }

  /**
   * Whether the observed lease has run out: `leaseDurationSeconds` have
   * passed on this replica's clock since it saw the record change.
   */
  expired(now: number = this.#clock.now()): boolean {
    if (!this.#record) return true;
    return !(this.#at + (this.#record.leaseDurationSeconds ?? 0) * 1000 > now);
  }

  /** Milliseconds until {@link expired} turns true (0 if it has). */
  remaining(now: number = this.#clock.now()): number {
    if (!this.#record) return 0;
    return Math.max(0, this.#at + (this.#record.leaseDurationSeconds ?? 0) * 1000 - now);
  }

  /** Whether the observed record names `identity` as holder. */
  heldBy(identity: string): boolean {
    return this.#record?.holderIdentity === identity;
  }

  /** Whether `identity` may write the lease now: nobody holds it, it expired, or `identity` holds it. */
  mayAcquire(identity: string, now: number = this.#clock.now()): boolean {
    const holder = this.#record?.holderIdentity;
    return !holder || holder === identity || this.expired(now);
  }
}
