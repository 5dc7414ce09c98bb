// Worker: @kubernetes/client-node's informer fed by bench/runtime's replay
// server; reports how many events per second its cache absorbs, as
// bench/runtime/ingest.ts does for operant's.
import { CoreV1Api, KubeConfig, makeInformer, type KubernetesObject } from "@kubernetes/client-node";

const [portArg, countArg] = process.argv.slice(2);
const count = Number(countArg);
const kc = new KubeConfig();
kc.loadFromOptions({
  clusters: [{ name: "replay", server: `http://127.0.0.1:${portArg}`, skipTLSVerify: true }],
  users: [{ name: "anon" }],
  contexts: [{ name: "replay", cluster: "replay", user: "anon" }],
  currentContext: "replay",
});
const core = kc.makeApiClient(CoreV1Api);
const informer = makeInformer<KubernetesObject>(kc, "/api/v1/namespaces/replay/pods", () => core.listNamespacedPod({ namespace: "replay" }));
let seen = 0;
let first = 0;
let resolveDone: () => void;
const done = new Promise<void>((r) => (resolveDone = r));
const tick = () => {
  if (seen === 0) first = performance.now();
  if (++seen === count) resolveDone();
};
informer.on("add", tick);
informer.on("update", tick);
void informer.start();
await done;
const ms = performance.now() - first;
process.stdout.write(JSON.stringify({ events: seen, ms, perSecond: (seen - 1) / (ms / 1000), cached: informer.list().length }) + "\n");
process.exit(0);
