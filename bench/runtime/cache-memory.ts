// Worker: one informer syncs a namespace of objects; reports sync time, heap
// per cached object, and peak vs steady memory. Runs in its own process
// (node --expose-gc) so nothing else is on its heap.
import { Client } from "../../packages/operant/src/client/client.ts";
import { ConfigMap, Pod } from "../../packages/operant/src/kinds/index.ts";
import { Informer } from "../../packages/operant/src/runtime/cache/informer.ts";
import { measureSync } from "../support/memory.ts";

const [kubeconfig, kindName, namespace, transformArg] = process.argv.slice(2);
if (!kubeconfig || !namespace) throw new Error("usage: node --expose-gc cache-memory.ts <kubeconfig> pods|configmaps <namespace> [default|none]");
const kind = kindName === "pods" ? Pod : ConfigMap;

const client = await Client.connect({ kubeconfig, qps: Infinity, ...(process.env.WIRE === "json" || process.env.WIRE === "protobuf" ? { wire: process.env.WIRE } : {}) });
await client.list(kind, { namespace: "default", limit: 1 }); // warm the connection and the code paths

const ac = new AbortController();
const informer = new Informer(client, kind, { namespaces: [namespace], ...(transformArg === "none" && { transform: false }), ...((process.env.PAGE || process.env.STREAM === "0") && { watch: { ...(process.env.PAGE && { pageSize: Number(process.env.PAGE) }), ...(process.env.STREAM === "0" && { streamInitialList: false }) } }) });
const cost = await measureSync(
  async () => {
    informer.start(ac.signal);
    await informer.waitForSync();
  },
  () => informer.size,
);
const sample = informer.list()[0];
process.stdout.write(JSON.stringify({ kind: kindName, transform: transformArg ?? "default", ...cost, jsonBytesPerObject: sample ? Buffer.byteLength(JSON.stringify(sample)) : 0 }) + "\n");
ac.abort();
await client.close();
process.exit(0);
