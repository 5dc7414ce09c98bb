// The elector contract: what leader election needs from whoever runs it (a
// client, a logger, a place to say "leading" / "not leading") and what it
// gives back (a signal that aborts when leadership is lost). It lives here,
// below the manager, so that electors need nothing of the runtime: the
// Manager hands each elector an `ElectionHost` and calls its `LeaderElector`.
import type { Client } from "../client/client.ts";
import type { Logger } from "../core/logger.ts";

/**
 * The client calls an elector makes: reads and writes of its lock, a watch
 * on it, and the transport's cluster config (a Lease elector makes its own
 * client on that cluster, with its own timeouts).
 *
 * @example
 * ```ts
 * const client: ElectionClient = Client.fromConfig(config);
 * ```
 */
export type ElectionClient = Pick<Client, "get" | "tryGet" | "list" | "watch" | "create" | "update" | "delete" | "transport">;

/**
 * What an elector needs from the process it elects for (the Manager gives
 * this): a client (the default for the lock's reads and writes), a logger,
 * and `leading(name, yes)` to report each change of leadership (the Manager
 * sets `leader_election_master_status{name}` with it).
 *
 * @example
 * ```ts
 * const host: ElectionHost = { client, logger, leading: (name, yes) => console.log(name, yes ? "leading" : "not leading") };
 * const lost = await elector.acquire(signal, host);
 * ```
 */
export interface ElectionHost {
  readonly client: ElectionClient;
  readonly logger: Logger;
  /** Called with `true` when this process starts leading under the lock `name`, `false` when it stops or campaigns. */
  leading(name: string, leading: boolean): void;
}

/**
 * Leader election, as its runner (the Manager) sees it: `acquire` resolves
 * once this process leads, and the returned signal aborts when it stops
 * leading. operant's electors are `LeaseElector` and `LeaderForLifeElector`.
 *
 * @example
 * ```ts
 * const lost = await elector.acquire(signal, host);   // leading from here
 * lost.addEventListener("abort", () => stopLeaderWork());
 * // … after leader-only work has stopped:
 * await elector.release();
 * ```
 */
export interface LeaderElector {
  readonly mode: string;
  /** Waits until this process leads (rejects if `signal` aborts first); the returned signal aborts when leadership is lost. */
  acquire(signal: AbortSignal, host: ElectionHost): Promise<AbortSignal>;
  /** Gives leadership up (after leader-only work stopped). */
  release(): Promise<void>;
  /** For status pages: who leads and since when. */
  describe(): Record<string, unknown>;
}
