// Equal strings in cached objects share one copy. JSON.parse gives every
// object its own copy of each value ("IfNotPresent", image names, label
// values, "True", mount paths…); across thousands of Pods those copies are a
// large part of the cache. The pool is generational so it stays bounded:
// strings not seen for two generations (e.g. names of deleted objects) drop out.
import { deepFreeze } from "../../core/object.ts";

/**
 * A bounded string interning pool.
 *
 * @example
 * ```ts
 * const pool = new StringPool();
 * const a = pool.intern(JSON.parse('"IfNotPresent"'));
 * const b = pool.intern(JSON.parse('"IfNotPresent"')); // the same string instance as a
 * ```
 */
export class StringPool {
  #young = new Map<string, string>();
  #old = new Map<string, string>();
  readonly #generation: number;
  readonly #maxLength: number;

  /** @param generation entries per generation (memory stays below two generations); @param maxLength longer strings are not pooled. */
  constructor(generation = 50_000, maxLength = 256) {
    this.#generation = generation;
    this.#maxLength = maxLength;
  }

  /** The pooled instance equal to `s` (adding `s` if new). */
  intern(s: string): string {
    if (s.length > this.#maxLength) return s;
    const young = this.#young.get(s);
    if (young !== undefined) return young;
    const old = this.#old.get(s);
    const kept = old ?? s;
    this.#young.set(s, kept);
    if (this.#young.size > this.#generation) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    return kept;
  }

  /** Strings currently held. */
  get size(): number {
    return this.#young.size + this.#old.size;
  }
}

/** The pool cached objects share by default (one per process). */
export const sharedStringPool = new StringPool();

/**
 * Fields whose values are (nearly) unique per object: pooling them would only
 * cost pool entries. Matched by field name anywhere in the object.
 */
const UNIQUE_FIELDS = new Set(["uid", "resourceVersion", "containerID", "podIP", "ip", "generateName"]);

/**
 * Interns the string values of a freshly parsed object (in place) and
 * deep-freezes it, in one walk. Returns the object.
 *
 * The walk is {@link deepFreeze}'s (its own stack, not recursion: one object
 * nested 10,000 levels deep must not crash the process that caches it).
 *
 * @example
 * ```ts
 * const pod = internAndFreeze(JSON.parse(body) as Stored<Pod>);
 * ```
 */
export function internAndFreeze<T>(value: T, pool: StringPool = sharedStringPool): T {
  return deepFreeze(value, (node) => {
    if (Array.isArray(node)) {
      const a = node as unknown[];
      for (let i = 0; i < a.length; i++) if (typeof a[i] === "string") a[i] = pool.intern(a[i] as string);
      return;
    }
    const o = node as Record<string, unknown>;
    // An object's own name is unique too; other `name` fields (containers, volumes, ports) repeat.
    const isMetadata = typeof o.uid === "string" && typeof o.name === "string";
    for (const k in o) {
      const v = o[k];
      if (typeof v === "string" && !UNIQUE_FIELDS.has(k) && !(isMetadata && k === "name")) o[k] = pool.intern(v);
    }
  });
}
