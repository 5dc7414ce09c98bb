// Equal strings in cached objects share one copy. JSON.parse gives every
// object its own copy of each value ("IfNotPresent", image names, label
// values, "True", mount paths…); across thousands of Pods those copies are a
// large part of the cache. The pool is generational so it stays bounded:
// strings not seen for two generations (e.g. names of deleted objects) drop out.

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
 * The walk keeps its own stack rather than recursing: the API server accepts
 * objects nested up to 10,000 levels (any free-form field allows it), far
 * deeper than the JavaScript call stack, and one such object must not crash
 * the process that caches it.
 *
 * @example
 * ```ts
 * const pod = internAndFreeze(JSON.parse(body) as Stored<Pod>);
 * ```
 */
export function internAndFreeze<T>(value: T, pool: StringPool = sharedStringPool): T {
  if (value === null || typeof value !== "object" || !Object.isExtensible(value)) return value;
  // Objects are frozen after their children (post-order), so a half-walked object is never frozen: a
  // failure part-way leaves no frozen object holding unfrozen children.
  const stack: { node: object; visited: boolean }[] = [{ node: value, visited: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.visited) {
      stack.pop();
      Object.freeze(top.node);
      continue;
    }
    // Non-extensible marks "walked or being walked": a node reached twice (shared, or a cycle a transform made) is walked once.
    if (!Object.isExtensible(top.node)) {
      stack.pop();
      continue;
    }
    top.visited = true;
    Object.preventExtensions(top.node);
    if (Array.isArray(top.node)) {
      const a = top.node as unknown[];
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (typeof v === "string") a[i] = pool.intern(v);
        else if (v !== null && typeof v === "object" && Object.isExtensible(v)) stack.push({ node: v, visited: false });
      }
    } else {
      const o = top.node as Record<string, unknown>;
      // An object's own name is unique too; other `name` fields (containers, volumes, ports) repeat.
      const isMetadata = typeof o.uid === "string" && typeof o.name === "string";
      for (const k in o) {
        const v = o[k];
        if (typeof v === "string") {
          if (!UNIQUE_FIELDS.has(k) && !(isMetadata && k === "name")) o[k] = pool.intern(v);
        } else if (v !== null && typeof v === "object" && Object.isExtensible(v)) stack.push({ node: v, visited: false });
      }
    }
  }
  return value;
}
