// Worker: an informer fed by a replayed watch stream (replay-server.ts);
// reports how many events per second the cache absorbs: parse, transform,
// freeze, index, notify — on the one core a Node.js process runs JavaScript on.
import { Client } from "../../packages/operant/src/client/client.ts";
import { clusterConfigFromKubeconfig } from "../../packages/operant/src/client/config/index.ts";
import { Pod } from "../../packages/operant/src/kinds/index.ts";
import { Informer } from "../../packages/operant/src/runtime/cache/informer.ts";

const [portArg, countArg] = process.argv.slice(2);
const count = Number(countArg);
const config = await clusterConfigFromKubeconfig({
  apiVersion: "v1",
  kind: "Config",
  clusters: [{ name: "replay", cluster: { server: `http://127.0.0.1:${portArg}` } }],
  users: [{ name: "anon", user: {} }],
  contexts: [{ name: "replay", context: { cluster: "replay", user: "anon" } }],
  "current-context": "replay",
});
const client = Client.fromConfig(config, { qps: Infinity });
let seen = 0;
let first = 0;
let resolveDone: () => void;
const done = new Promise<void>((r) => (resolveDone = r));
const informer = new Informer(client, Pod, { namespaces: ["replay"] });
informer.addHandler({
  added: () => tick(),
  updated: () => tick(),
});
function tick(): void {
  if (seen === 0) first = performance.now();
  if (++seen === count) resolveDone();
}
const ac = new AbortController();
informer.start(ac.signal);
await done;
const ms = performance.now() - first;
process.stdout.write(JSON.stringify({ events: seen, ms, perSecond: (seen - 1) / (ms / 1000), cached: informer.size }) + "\n");
ac.abort();
process.exit(0);
