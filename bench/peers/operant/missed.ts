// Worker: operant's Informer on ConfigMaps, through a proxy that cuts its
// connections (defaults: resume from the last resourceVersion, relist on 410,
// backoff). Each "report" line on stdin prints what the cache holds
// (annotation bench/seq per ConfigMap) and which values the handlers saw — the same output as the peers' missed-events workers.
import { createInterface } from "node:readline";
import { Client } from "../../../packages/operant/src/client/client.ts";
import { ConfigMap } from "../../../packages/operant/src/kinds/index.ts";
import { Informer } from "../../../packages/operant/src/runtime/cache/informer.ts";
import type { Cached } from "../../../packages/operant/src/core/object.ts";

const [kubeconfig, namespace] = process.argv.slice(2);
const client = await Client.connect({ kubeconfig: kubeconfig! });
const informer = new Informer(client, ConfigMap, { namespaces: [namespace!] });
const seen = new Map<string, Set<string>>();
let events = 0;
const record = (cm: Cached<ConfigMap>) => {
  events++;
  const seq = cm.metadata.annotations?.["bench/seq"];
  if (seq === undefined) return;
  if (!seen.has(cm.metadata.name)) seen.set(cm.metadata.name, new Set());
  seen.get(cm.metadata.name)!.add(seq);
};
informer.addHandler({ added: record, updated: (_p, cm) => record(cm) });
const ac = new AbortController();
informer.start(ac.signal);
await informer.waitForSync();
process.stdout.write(JSON.stringify({ ready: true }) + "\n");
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== "report") continue;
  const state = Object.fromEntries(informer.list().map((cm) => [cm.metadata.name, cm.metadata.annotations?.["bench/seq"] ?? ""]));
  const values = Object.fromEntries([...seen].map(([k, v]) => [k, [...v]]));
  const errors = informer.health().watchers.reduce((n, w) => n + w.errors, 0);
  process.stdout.write(JSON.stringify({ state, seen: values, events, errors }) + "\n");
}
ac.abort();
await client.close();
process.exit(0);
