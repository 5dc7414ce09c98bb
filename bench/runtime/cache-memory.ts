// Worker: one informer syncs a namespace of objects; reports sync time, heap
// per cached object, and peak vs steady memory. Runs in its own process
// (node --expose-gc) so nothing else is on its heap.
import { Client } from "../../packages/operant/src/client/client.ts";
import { ConfigMap, Pod } from "../../packages/operant/src/kinds/index.ts";
import { Informer } from "../../packages/operant/src/runtime/cache/informer.ts";

const [kubeconfig, kindName, namespace, transformArg] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !kubeconfig || !namespace) throw new Error("usage: node --expose-gc cache-memory.ts <kubeconfig> pods|configmaps <namespace> [default|none]");
const kind = kindName === "pods" ? Pod : ConfigMap;

const client = await Client.connect({ kubeconfig, qps: Infinity });
await client.list(kind, { namespace: "default", limit: 1 }); // warm the connection and the code paths
gc();
gc();
const before = process.memoryUsage();

let peakHeap = before.heapUsed;
let peakRss = before.rss;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakRss = Math.max(peakRss, m.rss);
}, 2);

const ac = new AbortController();
const informer = new Informer(client, kind, { namespaces: [namespace], ...(transformArg === "none" && { transform: false }), ...(process.env.PAGE && { watch: { pageSize: Number(process.env.PAGE) } }) });
const t0 = performance.now();
informer.start(ac.signal);
await informer.waitForSync();
const syncMs = performance.now() - t0;
clearInterval(sampler);
const m1 = process.memoryUsage();
peakHeap = Math.max(peakHeap, m1.heapUsed);
peakRss = Math.max(peakRss, m1.rss);
for (let i = 0; i < 3; i++) gc();
await new Promise((r) => setTimeout(r, 200));
gc();
const after = process.memoryUsage();
const count = informer.size;
const sample = informer.list()[0];
process.stdout.write(
  JSON.stringify({
    kind: kindName,
    transform: transformArg ?? "default",
    count,
    syncMs,
    heapPerObject: (after.heapUsed - before.heapUsed) / count,
    jsonBytesPerObject: sample ? Buffer.byteLength(JSON.stringify(sample)) : 0,
    steadyHeap: after.heapUsed,
    peakHeap,
    steadyRss: after.rss,
    peakRss,
    baseHeap: before.heapUsed,
  }) + "\n",
);
ac.abort();
await client.close();
process.exit(0);
