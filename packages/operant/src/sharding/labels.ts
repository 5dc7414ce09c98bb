// The labels sharding writes on objects: which member a controller's object
// belongs to, and the mark that asks that member to let go of it.
import { OperantError } from "../core/errors.ts";
import { isDns1123Label } from "../core/names.ts";

/**
 * The label naming the member an object of `controller` is assigned to:
 * `shard.operant.dev/<controller>`.
 *
 * @example
 * ```ts
 * shardLabel("memcached") // "shard.operant.dev/memcached"
 * ```
 */
export function shardLabel(controller: string): string {
  checkController(controller);
  return `shard.operant.dev/${controller}`;
}

/**
 * The label the sharder sets to ask the assigned member to stop reconciling
 * an object (`drain.shard.operant.dev/<controller>`); the member acknowledges
 * by removing it together with the shard label.
 *
 * @example
 * ```ts
 * drainLabel("memcached") // "drain.shard.operant.dev/memcached"
 * ```
 */
export function drainLabel(controller: string): string {
  checkController(controller);
  return `drain.shard.operant.dev/${controller}`;
}

/**
 * The label every member Lease of a ring carries, so that the sharder can
 * list them: `shard.operant.dev/ring=<ring>`.
 *
 * @example
 * ```ts
 * client.list(Lease, { namespace: "ops", labelSelector: { [RING_LABEL]: "memcached-operator" } })
 * ```
 */
export const RING_LABEL = "shard.operant.dev/ring";

function checkController(controller: string): void {
  if (!isDns1123Label(controller, 63)) {
    throw new OperantError("InvalidName", `controller name "${controller}" cannot name a shard label: sharding needs controller names of at most 63 lower-case letters, digits and '-' (rename it with .named(…)).`);
  }
}
