// Worker: a manager with one controller over a small namespace, left idle;
// reports its resident memory (RSS) and heap once settled.
//
// Plain JavaScript that imports `operant` as a user's operator does, so the
// same file measures both forms: with NODE_OPTIONS=--conditions=operant-source
// `operant` resolves to its TypeScript sources (Node.js strips their types),
// without it to the published dist/ and no TypeScript is in the process.
import { Action, Client, Controller, Manager } from "operant";
import { ConfigMap } from "operant/kinds";

const [kubeconfig, namespace, settle = "10"] = process.argv.slice(2);
const client = await Client.connect({ kubeconfig });
const manager = new Manager({ client, namespaces: [namespace], metricsBindAddress: "127.0.0.1:0", healthBindAddress: "127.0.0.1:0", handleSignals: false });
manager.add(Controller.for(ConfigMap).named("idle").reconcile(() => Action.awaitChange()));
const running = manager.start();
await new Promise((r) => setTimeout(r, Number(settle) * 1000));
globalThis.gc?.();
await new Promise((r) => setTimeout(r, 500));
const m = process.memoryUsage();
process.stdout.write(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, synced: manager.cache.synced }) + "\n");
manager.stop();
await running;
await client.close();
process.exit(0);
