// The work queue's delayed adds: a binary min-heap ordered by due time (then
// by insertion order), with an index by key so that a key appears at most
// once and an earlier due time replaces a later one in O(log n).

/**
 * One delayed key.
 *
 * @example
 * ```ts
 * const next: DelayedEntry<string> | undefined = heap.peek();
 * ```
 */
export interface DelayedEntry<K> {
  readonly key: K;
  /** When the key falls due (clock milliseconds). */
  readyAt: number;
  /** Priority the key is added with when it falls due. */
  priority: number;
  /** Insertion counter: equal due times come out in insertion order. */
  seq: number;
  /** Position in the heap array. */
  pos: number;
}

/**
 * A min-heap of keys by due time, one entry per key.
 *
 * @example
 * ```ts
 * const heap = new DelayHeap<string>();
 * heap.schedule("a", 200, 0);
 * heap.schedule("a", 100, 0); // earlier wins
 * heap.peek()?.readyAt;       // 100
 * ```
 */
export class DelayHeap<K> {
  readonly #items: DelayedEntry<K>[] = [];
  readonly #byKey = new Map<K, DelayedEntry<K>>();
  #seq = 0;

  /** Number of delayed keys. */
  get size(): number {
    return this.#items.length;
  }

  /** The entry that falls due first, if any. */
  peek(): DelayedEntry<K> | undefined {
    return this.#items[0];
  }

  /**
   * Schedules `key` at `readyAt`. A key already scheduled keeps the earlier
   * of the two due times and the higher of the two priorities. Returns true
   * when the earliest due time of the heap changed (the timer must move).
   */
  schedule(key: K, readyAt: number, priority: number): boolean {
    const before = this.#items[0];
    const existing = this.#byKey.get(key);
    if (existing) {
      existing.priority = Math.max(existing.priority, priority);
      if (readyAt >= existing.readyAt) return false;
      existing.readyAt = readyAt;
      this.#up(existing.pos);
    } else {
      const entry: DelayedEntry<K> = { key, readyAt, priority, seq: this.#seq++, pos: this.#items.length };
      this.#items.push(entry);
      this.#byKey.set(key, entry);
      this.#up(entry.pos);
    }
    const after = this.#items[0]!;
    return before === undefined || after !== before || after.readyAt !== before.readyAt;
  }

  /** Removes and returns the entry that falls due first. */
  pop(): DelayedEntry<K> | undefined {
    const top = this.#items[0];
    if (top) this.#removeAt(0);
    return top;
  }

  /** Removes `key`'s entry and returns it, if there is one. */
  delete(key: K): DelayedEntry<K> | undefined {
    const entry = this.#byKey.get(key);
    if (entry) this.#removeAt(entry.pos);
    return entry;
  }

  /** Removes every entry. */
  clear(): void {
    this.#items.length = 0;
    this.#byKey.clear();
  }

  #removeAt(pos: number): void {
    const items = this.#items;
    const removed = items[pos]!;
    this.#byKey.delete(removed.key);
    const last = items.pop()!;
    if (pos < items.length) {
      items[pos] = last;
      last.pos = pos;
      this.#down(pos);
      this.#up(last.pos);
    }
  }

  #less(a: DelayedEntry<K>, b: DelayedEntry<K>): boolean {
    return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
  }

  #swap(i: number, j: number): void {
    const items = this.#items;
    const a = items[i]!;
    const b = items[j]!;
    items[i] = b;
    items[j] = a;
    a.pos = j;
    b.pos = i;
  }

  #up(pos: number): void {
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (!this.#less(this.#items[pos]!, this.#items[parent]!)) break;
      this.#swap(pos, parent);
      pos = parent;
    }
  }

  #down(pos: number): void {
    const items = this.#items;
    for (;;) {
      const left = 2 * pos + 1;
      const right = left + 1;
      let smallest = pos;
      if (left < items.length && this.#less(items[left]!, items[smallest]!)) smallest = left;
      if (right < items.length && this.#less(items[right]!, items[smallest]!)) smallest = right;
      if (smallest === pos) break;
      this.#swap(pos, smallest);
      pos = smallest;
    }
  }
}
