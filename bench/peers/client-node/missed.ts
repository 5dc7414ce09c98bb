// Worker: @kubernetes/client-node's informer on ConfigMaps, through a proxy
// that cuts its connections. Mode "documented" restarts it 5 s after an
// error, as client-node's informer example does; mode "bare" registers no
// error handler. Each "report" line on stdin prints what the cache holds
// (annotation bench/seq per ConfigMap) and which values the handlers saw.
import { createInterface } from "node:readline";
import { CoreV1Api, KubeConfig, makeInformer, type KubernetesObject } from "@kubernetes/client-node";

const [kubeconfig, namespace, mode] = process.argv.slice(2);
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig!);
const core = kc.makeApiClient(CoreV1Api);
const informer = makeInformer<KubernetesObject>(kc, `/api/v1/namespaces/${namespace}/configmaps`, () => core.listNamespacedConfigMap({ namespace: namespace! }));
const seen = new Map<string, Set<string>>();
let events = 0;
let errors = 0;
const record = (obj: KubernetesObject) => {
  events++;
  const seq = obj.metadata?.annotations?.["bench/seq"];
  if (seq === undefined) return;
  const name = obj.metadata!.name!;
  if (!seen.has(name)) seen.set(name, new Set());
  seen.get(name)!.add(seq);
};
informer.on("add", record);
informer.on("update", record);
informer.on("error", () => {
  errors++;
  if (mode === "documented") setTimeout(() => void informer.start().catch(() => undefined), 5000);
});
await informer.start();
process.stdout.write(JSON.stringify({ ready: true }) + "\n");
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== "report") continue;
  const state = Object.fromEntries(informer.list().map((o) => [o.metadata!.name!, o.metadata?.annotations?.["bench/seq"] ?? ""]));
  const values = Object.fromEntries([...seen].map(([k, v]) => [k, [...v]]));
  process.stdout.write(JSON.stringify({ state, seen: values, events, errors }) + "\n");
}
process.exit(0);
