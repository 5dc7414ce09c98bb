// A consistent-hash ring over the live members of a shard ring. Each member
// owns `virtualNodes` points on a 32-bit circle (the first four bytes of
// SHA-1 of "<member>#<i>"); an object belongs to the member of the first
// point at or after the hash of its key, wrapping around. Adding or removing
// one member of N moves only the keys between its points and their
// predecessors: about 1/N of them, the rest stay where they are.
import { createHash } from "node:crypto";

/**
 * A stable 32-bit hash of a string: the first four bytes of its SHA-1, as an
 * unsigned integer. The same on every replica and every release.
 *
 * @example
 * ```ts
 * ringHash("default/web") // 0x…, always the same number
 * ```
 */
export function ringHash(value: string): number {
  return createHash("sha1").update(value).digest().readUInt32BE(0);
}

/**
 * Virtual nodes per member by default: with 100, the share of each of three
 * members stays within about ±15 % of a third.
 *
 * @example
 * ```ts
 * new HashRing(["a", "b"], { virtualNodes: DEFAULT_VIRTUAL_NODES });
 * ```
 */
export const DEFAULT_VIRTUAL_NODES = 100;

/**
 * The ring. Immutable: build a new one when membership changes.
 *
 * @example
 * ```ts
 * const ring = new HashRing(["op-0", "op-1", "op-2"]);
 * ring.ownerOf("default/web") // "op-1" (for example), the same on every replica
 * ```
 */
export class HashRing {
  /** The members, sorted and deduplicated. */
  readonly members: readonly string[];
  readonly #points: Uint32Array;
  readonly #owners: string[];

  constructor(members: Iterable<string>, options: { virtualNodes?: number } = {}) {
    const virtualNodes = options.virtualNodes ?? DEFAULT_VIRTUAL_NODES;
    if (!Number.isInteger(virtualNodes) || virtualNodes < 1) throw new RangeError(`virtualNodes must be a positive integer, got ${virtualNodes}`);
    this.members = Object.freeze([...new Set(members)].sort());
    const points: { at: number; member: string }[] = [];
    for (const member of this.members) for (let i = 0; i < virtualNodes; i++) points.push({ at: ringHash(`${member}#${i}`), member });
    // Ties (two points at the same place) go to the smaller member name, so the order is total and the same everywhere.
    points.sort((a, b) => a.at - b.at || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
    this.#points = Uint32Array.from(points, (p) => p.at);
    this.#owners = points.map((p) => p.member);
  }

  /** Whether the ring has no member. */
  get empty(): boolean {
    return this.members.length === 0;
  }

  /** The member that owns `key` (e.g. `namespace/name`), or undefined when the ring is empty. */
  ownerOf(key: string): string | undefined {
    const n = this.#points.length;
    if (n === 0) return undefined;
    const h = ringHash(key);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.#owners[lo === n ? 0 : lo];
  }
}
