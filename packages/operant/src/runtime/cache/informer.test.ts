// Unit tier of the informer: a fake `WatchClient` whose watch answers 410
// Gone once, forcing a relist that no longer holds an object. No cluster.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OperantError } from "../../core/errors.ts";
import type { Stored } from "../../core/object.ts";
import { ConfigMap } from "../../kinds/index.ts";
import type { WatchClient } from "../watcher/watcher.ts";
import { Informer } from "./informer.ts";

const cm = (name: string, rv: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns", uid: `uid-${name}`, resourceVersion: rv, managedFields: [{ manager: "kubectl" }] } }) as Stored<ConfigMap>;

test("informer: a relist drops the objects that vanished meanwhile (deleted, relist: true) and leaves unchanged ones silent", async () => {
  const lists = [
    [cm("a", "5"), cm("b", "6")],
    [cm("b", "6"), cm("c", "15")],
  ];
  let watches = 0;
  const client = {
    listPages: async function* () {
      const items = lists.shift()!;
      await Promise.resolve();
      yield { items, metadata: { resourceVersion: String(10 * (2 - lists.length)) }, restarted: false };
    },
    watch: async function* (_kind: unknown, options: { signal?: AbortSignal }) {
      if (watches++ === 0) throw new OperantError("Gone", "too old resource version");
      await new Promise((resolve) => options.signal!.addEventListener("abort", resolve, { once: true }));
      yield* [];
    },
  } as unknown as WatchClient;

  const informer = new Informer(client, ConfigMap, { namespaces: ["ns"] });
  const events: string[] = [];
  informer.addHandler({
    added: (o, { relist }) => void events.push(`added ${o.metadata.name}${relist ? " (relist)" : ""}`),
    updated: (_p, o) => void events.push(`updated ${o.metadata.name}`),
    deleted: (o, { relist }) => void events.push(`deleted ${o.metadata.name}${relist ? " (relist)" : ""}`),
  });
  const stop = new AbortController();
  informer.start(stop.signal);
  await informer.waitForSync(stop.signal);
  for (let i = 0; i < 1000 && watches < 2; i++) await new Promise((r) => setImmediate(r));
  assert.equal(watches, 2, "the second watch opened after the relist");
  stop.abort();
  await informer.stopped();

  assert.deepEqual(events, ["added a (relist)", "added b (relist)", "added c (relist)", "deleted a (relist)"]);
  assert.deepEqual([...informer.keys()].sort(), ["ns/b", "ns/c"]);
  assert.equal(informer.get("ns/a"), undefined);
  const b = informer.get("ns/b")!;
  assert.equal(b.metadata.managedFields, undefined, "the default transform strips managedFields");
  assert.ok(Object.isFrozen(b), "cached objects are frozen");
});
