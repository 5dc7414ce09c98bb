// Worker: a manager reconciling ConfigMaps that another process patches at a
// steady rate. Reports, per event, the time from the informer receiving it to
// the reconcile starting (the framework's latency) and from the write to the
// reconcile (end to end, API server included).
import { Client } from "../../packages/operant/src/client/client.ts";
import { ConfigMap } from "../../packages/operant/src/kinds/index.ts";
import { Action } from "../../packages/operant/src/runtime/controller/action.ts";
import { Controller } from "../../packages/operant/src/runtime/controller/builder.ts";
import { Manager } from "../../packages/operant/src/runtime/manager/manager.ts";

const [kubeconfig, namespace, expectedArg] = process.argv.slice(2);
const expected = Number(expectedArg);
const client = await Client.connect({ kubeconfig: kubeconfig!, qps: Infinity });
const arrivals = new Map<string, number>();
const framework: number[] = [];
const endToEnd: number[] = [];
let resolveDone: () => void;
const done = new Promise<void>((r) => (resolveDone = r));
const manager = new Manager({ client, namespaces: [namespace!], metricsBindAddress: false, healthBindAddress: false, handleSignals: false });
manager.add(
  Controller.for(ConfigMap)
    .named("latency")
    .withOptions({ maxConcurrentReconciles: 2 })
    .reconcile((cm) => {
      const now = performance.timeOrigin + performance.now();
      const rv = cm.metadata.resourceVersion;
      const sent = Number(cm.metadata.annotations?.["bench/sent"]);
      const arrived = arrivals.get(rv);
      if (arrived !== undefined && sent) {
        arrivals.delete(rv);
        framework.push(now - arrived);
        endToEnd.push(now - sent);
        if (framework.length === expected) resolveDone();
      }
      return Action.awaitChange();
    }),
);
const running = manager.start();
await new Promise<void>((resolve) => {
  const t = setInterval(() => {
    const inf = manager.cache.informersOf(ConfigMap)[0];
    if (!inf) return;
    clearInterval(t);
    inf.addHandler({ updated: (_p, o) => void arrivals.set(o.metadata.resourceVersion, performance.timeOrigin + performance.now()) });
    resolve();
  }, 1);
});
await manager.cache.waitForSync();
process.stdout.write(JSON.stringify({ ready: true }) + "\n");
await done;
process.stdout.write(JSON.stringify({ framework, endToEnd }) + "\n");
manager.stop();
await running;
await client.close();
process.exit(0);
