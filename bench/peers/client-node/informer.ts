// Worker: @kubernetes/client-node's informer (makeInformer, as its README
// shows it) syncs a namespace; reports sync time, heap per cached object and
// peak vs steady memory, measured as bench/runtime/cache-memory.ts measures
// operant's. client-node has no transform hook: objects are cached as
// received (managedFields included), as its users get them.
import { CoreV1Api, KubeConfig, makeInformer, type KubernetesObject } from "@kubernetes/client-node";
import { measureSync } from "../../support/memory.ts";

const [kubeconfig, kindName, namespace] = process.argv.slice(2);
if (!kubeconfig || !namespace) throw new Error("usage: node --expose-gc informer.ts <kubeconfig> pods|configmaps <namespace>");

const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
await core.listNamespacedConfigMap({ namespace: "default", limit: 1 }); // warm the connection and the code paths

const path = `/api/v1/namespaces/${namespace}/${kindName}`;
const informer =
  kindName === "pods"
    ? makeInformer<KubernetesObject>(kc, path, () => core.listNamespacedPod({ namespace }))
    : makeInformer<KubernetesObject>(kc, path, () => core.listNamespacedConfigMap({ namespace }));
// start() resolves once the list is cached and the watch is open.
const cost = await measureSync(() => informer.start(), () => informer.list().length);
process.stdout.write(JSON.stringify({ kind: kindName, transform: "none (client-node has none)", ...cost }) + "\n");
await informer.stop();
process.exit(0);
