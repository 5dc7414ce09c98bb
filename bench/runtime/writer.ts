// Helper process: patches ConfigMaps round-robin at a steady rate, stamping
// each with the send time (annotation bench/sent, ms since the epoch).
import { Client } from "../../packages/operant/src/client/client.ts";
import { ConfigMap } from "../../packages/operant/src/kinds/index.ts";

const [kubeconfig, namespace, objectsArg, rateArg, countArg] = process.argv.slice(2);
const objects = Number(objectsArg);
const rate = Number(rateArg);
const count = Number(countArg);
const client = await Client.connect({ kubeconfig: kubeconfig!, qps: Infinity });
const interval = 1000 / rate;
const start = performance.now();
const pending: Promise<unknown>[] = [];
for (let i = 0; i < count; i++) {
  const due = start + i * interval;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const sent = String(performance.timeOrigin + performance.now());
  pending.push(client.patch(ConfigMap, { namespace: namespace!, name: `settings-${i % objects}` }, { metadata: { annotations: { "bench/sent": sent } } }));
}
await Promise.all(pending);
await client.close();
