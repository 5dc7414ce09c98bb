// Who a replica is in an election: its instance name (the Pod's name, else
// the host name) plus a random suffix, so that two processes never share an
// identity, not even a restarted container of the same Pod (which must not
// inherit the previous process's lease: it has none of its in-memory state).
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/**
 * A unique election identity: `<instance>_<10 random hex digits>`.
 * `instance` defaults to the host name (in a Pod, the Pod's name); pass the
 * Pod's name (`POD_NAME` from the downward API) when you have it.
 *
 * @example
 * ```ts
 * leaderIdentity("memcached-operator-7d9f-abcde") // "memcached-operator-7d9f-abcde_3f9a0c1b2e"
 * ```
 */
export function leaderIdentity(instance: string = hostname()): string {
  return `${instance || "operant"}_${randomBytes(5).toString("hex")}`;
}
