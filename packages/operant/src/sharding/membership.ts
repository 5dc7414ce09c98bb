// Members of a shard ring announce themselves with one Lease each, in the
// operator's namespace, labelled `shard.operant.dev/ring=<ring>` so the
// sharder can list them. A member renews its Lease exactly as an election
// leader does: each member is the only candidate of its own LeaseElector, so
// the timings, the renew deadline and the abort on failure are leader/'s.
// The sharder judges a member live while its Lease is unexpired, by when IT
// saw the record change (leader/'s LeaseObservation), never by timestamps.
import { createHash, randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { ApiError } from "../client/transport/api-error.ts";
import { systemClock, type Clock } from "../core/clock.ts";
import type { Cached, Stored } from "../core/object.ts";
import { Lease } from "../kinds/index.ts";
import type { ElectionHost } from "../leader/elector.ts";
import { LeaseElector } from "../leader/lease/lease-elector.ts";
import { LeaseObservation, recordOf } from "../leader/lease/observation.ts";
import type { LeaseTimingsInput } from "../leader/lease/timings.ts";
import { RING_LABEL } from "./labels.ts";

/**
 * A member id for this process: its instance name (the Pod's name, else the
 * host name), reduced to what a label value allows, plus a random suffix so
 * that a restarted process is a new member (it has none of the old one's
 * in-flight state). At most 63 characters.
 *
 * @example
 * ```ts
 * memberIdentity("memcached-operator-7d9f-abcde") // "memcached-operator-7d9f-abcde-3f9a0c1b2e"
 * ```
 */
export function memberIdentity(instance: string = hostname()): string {
  const base = instance.replace(/[^A-Za-z0-9_.-]/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 52).replace(/[^A-Za-z0-9]+$/, "") || "member";
  return `${base}-${randomBytes(5).toString("hex")}`;
}

/**
 * The name of a member's Lease: `<ring>-member-<10 hex digits of SHA-1(id)>`,
 * a valid object name whatever the id.
 *
 * @example
 * ```ts
 * memberLeaseName("memcached-operator", "op-0-3f9a0c1b2e") // "memcached-operator-member-…"
 * ```
 */
export function memberLeaseName(ring: string, memberId: string): string {
  return `${ring}-member-${createHash("sha1").update(memberId).digest("hex").slice(0, 10)}`;
}

/**
 * Options of {@link MemberLease}.
 *
 * @example
 * ```ts
 * const o: MemberLeaseOptions = { ring: "memcached-operator", namespace: "memcached-operator-system", memberId: memberIdentity(), timings: "fast" };
 * ```
 */
export interface MemberLeaseOptions {
  /** The ring's name (the operator's name): the Leases' label value and name prefix. */
  ring: string;
  /** Namespace of the member Leases (the operator's). */
  namespace: string;
  /** This member's id: the value of the shard labels of its objects. */
  memberId: string;
  /** Lease timings, as leader election's (`"default"` 15 s / 10 s / 2 s, `"fast"` 5 s / 3 s / 0.5 s). */
  timings?: "default" | "fast" | LeaseTimingsInput | undefined;
}

/**
 * One member's Lease: created with the ring label, then held and renewed by
 * a {@link LeaseElector} whose only candidate is this member. `join()`
 * resolves once the Lease is held, with a signal that aborts when it could
 * not be renewed within the renew deadline: the member must then stop
 * reconciling, before the sharder (which waits the lease duration) hands its
 * objects to others.
 *
 * @example
 * ```ts
 * const member = new MemberLease({ ring: "memcached-operator", namespace: "ops", memberId: memberIdentity() });
 * const lost = await member.join(signal, { client, logger, leading: () => {} });
 * lost.addEventListener("abort", () => manager.stop("shard membership lost"));
 * ```
 */
export class MemberLease {
  readonly memberId: string;
  /** Name of the Lease. */
  readonly leaseName: string;
  readonly #options: MemberLeaseOptions;
  readonly #elector: LeaseElector;

  constructor(options: MemberLeaseOptions) {
    this.#options = options;
    this.memberId = options.memberId;
    this.leaseName = memberLeaseName(options.ring, options.memberId);
    // No release on shutdown: the member's reconciles may still be draining when its runnable stops, so the
    // sharder must wait for the Lease to expire before it hands the objects on.
    this.#elector = new LeaseElector({ name: this.leaseName, namespace: options.namespace, identity: options.memberId, timings: options.timings ?? "default", releaseOnCancel: false });
  }

  /** The resolved timings (ms). */
  get timings() {
    return this.#elector.timings;
  }

  /** Creates the labelled Lease if missing, then holds it; resolves with the signal that aborts when membership is lost. */
  async join(signal: AbortSignal, host: ElectionHost): Promise<AbortSignal> {
    const { namespace, ring } = this.#options;
    try {
      await host.client.create(Lease, { metadata: { name: this.leaseName, namespace, labels: { [RING_LABEL]: ring } }, spec: {} }, { signal });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === "AlreadyExists")) throw err;
    }
    return this.#elector.acquire(signal, host);
  }

  /** Stops renewing (the Lease then expires; it is not cleared, see the constructor). */
  async leave(): Promise<void> {
    await this.#elector.release();
  }

  /** For status pages. */
  describe(): Record<string, unknown> {
    return { memberId: this.memberId, ...this.#elector.describe() };
  }
}

/**
 * The sharder's view of the members: one {@link LeaseObservation} per member
 * Lease. A member is live while its Lease names it as holder and this view
 * saw the record change less than `leaseDurationSeconds` ago.
 *
 * @example
 * ```ts
 * const view = new MemberView();
 * view.observe(lease);              // from a watch of the ring's Leases
 * view.live()                       // ["op-0-3f9a0c1b2e", …]
 * ```
 */
export class MemberView {
  readonly #clock: Pick<Clock, "now">;
  readonly #leases = new Map<string, LeaseObservation>();

  constructor(clock: Pick<Clock, "now"> = systemClock) {
    this.#clock = clock;
  }

  /** Takes a member Lease as read or watched. */
  observe(lease: Stored<Lease> | Cached<Lease>): void {
    const name = lease.metadata.name;
    let seen = this.#leases.get(name);
    if (!seen) this.#leases.set(name, (seen = new LeaseObservation(this.#clock)));
    seen.observe(recordOf(lease));
  }

  /** A member Lease was deleted. */
  forget(name: string): void {
    this.#leases.delete(name);
  }

  /** Names of the Leases that last named `memberId` as holder (to read them afresh before declaring it dead). */
  leasesOf(memberId: string): string[] {
    return [...this.#leases].filter(([, seen]) => seen.record?.holderIdentity === memberId).map(([name]) => name);
  }

  /** The live members' ids, sorted. */
  live(now: number = this.#clock.now()): string[] {
    const out = new Set<string>();
    for (const seen of this.#leases.values()) {
      const holder = seen.record?.holderIdentity;
      if (holder && !seen.expired(now)) out.add(holder);
    }
    return [...out].sort();
  }

  /** Milliseconds until the next live member's Lease expires (undefined with none live): when the sharder must look again. */
  nextExpiry(now: number = this.#clock.now()): number | undefined {
    let min: number | undefined;
    for (const seen of this.#leases.values()) {
      if (!seen.record?.holderIdentity || seen.expired(now)) continue;
      const left = seen.remaining(now);
      if (min === undefined || left < min) min = left;
    }
    return min;
  }
}
