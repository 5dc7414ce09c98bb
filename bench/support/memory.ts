// Shared by the cache workers (operant's and the peers'): how much a cache's
// initial sync costs in time and memory, measured the same way for each.
import { getHeapStatistics } from "node:v8";

/** What one initial sync cost. Heap figures are V8's `heapUsed`, RSS the process's resident set. */
export interface SyncCost {
  /** Objects in the cache once synced. */
  count: number;
  syncMs: number;
  /** Live heap growth (after garbage collection) per cached object. */
  heapPerObject: number;
  /** Resident-set growth per cached object. */
  rssPerObject: number;
  baseHeap: number;
  peakHeap: number;
  steadyHeap: number;
  baseRss: number;
  peakRss: number;
  steadyRss: number;
}

/**
 * Runs `sync` (which resolves once the cache holds every object) between
 * two collected-heap readings, sampling the heap every 2 ms and RSS every
 * 10 ms meanwhile for the peaks. The process must run with `--expose-gc`.
 *
 * A sample reads the counters alone (V8's used heap size, about a
 * microsecond; the resident set, read from /proc, less often).
 * `process.memoryUsage()` computes every figure it returns and took 4 % of a
 * 10,000-Pod sync in a profile when it ran every 2 ms; the Go peer samples on
 * another core.
 *
 * @example
 * ```ts
 * const cost = await measureSync(async () => { informer.start(signal); await informer.waitForSync(); }, () => informer.size);
 * ```
 */
export async function measureSync(sync: () => Promise<void>, count: () => number): Promise<SyncCost> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("measureSync needs node --expose-gc");
  gc();
  gc();
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  let tick = 0;
  const sample = () => {
    peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
    if (tick++ % 5 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
  };
  const sampler = setInterval(sample, 2);
  const t0 = performance.now();
  try {
    await sync();
  } finally {
    clearInterval(sampler);
  }
  const syncMs = performance.now() - t0;
  sample();
  for (let i = 0; i < 3; i++) gc();
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const after = process.memoryUsage();
  const n = count();
  return {
    count: n,
    syncMs,
    heapPerObject: (after.heapUsed - before.heapUsed) / n,
    rssPerObject: (after.rss - before.rss) / n,
    baseHeap: before.heapUsed,
    peakHeap,
    steadyHeap: after.heapUsed,
    baseRss: before.rss,
    peakRss,
    steadyRss: after.rss,
  };
}
