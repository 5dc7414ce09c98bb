import assert from "node:assert/strict";
import { test } from "node:test";
import { DelayHeap } from "./delay-heap.ts";

test("the heap pops in due order (insertion order on ties) and matches a reference model under random operations", () => {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const heap = new DelayHeap<number>();
  const model = new Map<number, { readyAt: number; priority: number; seq: number }>();
  let seq = 0;
  for (let step = 0; step < 5000; step++) {
    const op = next();
    const key = Math.floor(next() * 200);
    if (op < 0.6) {
      const readyAt = Math.floor(next() * 1000);
      const priority = Math.floor(next() * 3) - 1;
      heap.schedule(key, readyAt, priority);
      const m = model.get(key);
      if (!m) model.set(key, { readyAt, priority, seq: seq++ });
      else {
        m.priority = Math.max(m.priority, priority);
        m.readyAt = Math.min(m.readyAt, readyAt);
      }
    } else if (op < 0.8) {
      assert.equal(heap.delete(key)?.key, model.has(key) ? key : undefined);
      model.delete(key);
    } else {
      const popped = heap.pop();
      const expected = [...model.entries()].sort(([, a], [, b]) => a.readyAt - b.readyAt || a.seq - b.seq)[0];
      assert.equal(popped?.key, expected?.[0]);
      if (expected) {
        assert.equal(popped!.readyAt, expected[1].readyAt);
        assert.equal(popped!.priority, expected[1].priority);
        model.delete(expected[0]);
      }
    }
    assert.equal(heap.size, model.size);
  }
});

test("schedule reports when the earliest due time changes", () => {
  const heap = new DelayHeap<string>();
  assert.equal(heap.schedule("a", 100, 0), true);
  assert.equal(heap.schedule("b", 200, 0), false);
  assert.equal(heap.schedule("b", 50, 0), true);
  assert.equal(heap.schedule("a", 300, 0), false, "a later due time is ignored");
  assert.deepEqual([heap.pop()?.key, heap.pop()?.key, heap.pop()], ["b", "a", undefined]);
  heap.schedule("c", 1, 0);
  heap.clear();
  assert.equal(heap.size, 0);
  assert.equal(heap.delete("c"), undefined);
});
