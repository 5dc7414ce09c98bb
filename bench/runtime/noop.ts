// Worker: a manager whose controller does nothing, over a namespace of N
// cached objects; reports no-op reconciles per second once caches are synced.
import { Client } from "../../packages/operant/src/client/client.ts";
import { ConfigMap } from "../../packages/operant/src/kinds/index.ts";
import { Action } from "../../packages/operant/src/runtime/controller/action.ts";
import { Controller } from "../../packages/operant/src/runtime/controller/builder.ts";
import { Manager } from "../../packages/operant/src/runtime/manager/manager.ts";

const [kubeconfig, namespace, expectedArg, workersArg] = process.argv.slice(2);
const expected = Number(expectedArg);
const client = await Client.connect({ kubeconfig: kubeconfig!, qps: Infinity });
let count = 0;
let first = 0;
let last = 0;
let resolveDone: () => void;
const done = new Promise<void>((r) => (resolveDone = r));
const manager = new Manager({ client, namespaces: [namespace!], metricsBindAddress: false, healthBindAddress: false, handleSignals: false });
manager.add(
  Controller.for(ConfigMap)
    .named("noop")
    .withOptions({ maxConcurrentReconciles: Number(workersArg ?? 1) })
    .reconcile(() => {
      if (count === 0) first = performance.now();
      if (++count === expected) {
        last = performance.now();
        resolveDone();
      }
      return Action.awaitChange();
    }),
);
const running = manager.start();
await done;
process.stdout.write(JSON.stringify({ count, ms: last - first, perSecond: (count - 1) / ((last - first) / 1000) }) + "\n");
manager.stop();
await running;
await client.close();
process.exit(0);
