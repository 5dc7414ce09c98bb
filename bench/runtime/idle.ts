// Worker: a manager with one controller over a small namespace, left idle;
// reports its resident memory (RSS) and heap once settled.
import { Client } from "../../packages/operant/src/client/client.ts";
import { ConfigMap } from "../../packages/operant/src/kinds/index.ts";
import { Action } from "../../packages/operant/src/runtime/controller/action.ts";
import { Controller } from "../../packages/operant/src/runtime/controller/builder.ts";
import { Manager } from "../../packages/operant/src/runtime/manager/manager.ts";

const [kubeconfig, namespace, settleArg] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
const client = await Client.connect({ kubeconfig: kubeconfig! });
const manager = new Manager({ client, namespaces: [namespace!], metricsBindAddress: "127.0.0.1:0", healthBindAddress: "127.0.0.1:0", handleSignals: false });
manager.add(Controller.for(ConfigMap).named("idle").reconcile(() => Action.done()));
const running = manager.start();
await new Promise((r) => setTimeout(r, Number(settleArg ?? 10) * 1000));
gc?.();
await new Promise((r) => setTimeout(r, 500));
const m = process.memoryUsage();
process.stdout.write(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, synced: manager.cache.synced }) + "\n");
manager.stop();
await running;
await client.close();
process.exit(0);
