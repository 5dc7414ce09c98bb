import { setTimeout as sleep } from "node:timers/promises";
import { OperantError } from "../../core/errors.ts";

/**
 * Options for {@link eventually}.
 *
 * @example
 * ```ts
 * await eventually(async () => assert.equal((await client.list(Pod, { namespace: ns })).items.length, 3), { timeoutMs: 20_000, description: "three Pods" } satisfies EventuallyOptions);
 * ```
 */
export interface EventuallyOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 100 ms). */
  intervalMs?: number;
  /** Says what was awaited, for the timeout message. */
  description?: string;
}

/**
 * Retries `check` until it returns without throwing (and, if it returns a
 * boolean, returns `true`), then returns its value. On timeout, throws with
 * the last failure so the test says what was still wrong.
 *
 * @example
 * ```ts
 * const pods = await eventually(async () => {
 *   const list = await client.list(Pod, { namespace: "default" });
 *   assert.equal(list.items.length, 3);
 *   return list.items;
 * }, { timeoutMs: 20_000 });
 * ```
 */
export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<Exclude<T, false>> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== false) return value as Exclude<T, false>;
      last = new Error("condition was false");
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const why = last instanceof Error ? last.message : String(last);
      throw new OperantError("EventuallyTimeout", `${options.description ?? "condition"} not met within ${options.timeoutMs ?? 30_000} ms; last failure: ${why}`, { cause: last });
    }
    await sleep(options.intervalMs ?? 100);
  }
}
