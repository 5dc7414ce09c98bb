// Unit tier of the watcher: a fake `WatchClient` that plays a script of
// lists and watch streams. No cluster, no timers waited on.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OperantError } from "../../core/errors.ts";
import type { Stored } from "../../core/object.ts";
import { ConfigMap } from "../../kinds/index.ts";
import { watcher, type WatchClient, type WatcherEvent } from "./watcher.ts";

const cm = (name: string, rv: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns", uid: `uid-${name}`, resourceVersion: rv } }) as Stored<ConfigMap>;

/** Each list call takes the next entry of `lists`; each watch call runs the next entry of `watches` (default: quiet until aborted). */
function scripted(lists: { items: Stored<ConfigMap>[]; rv: string }[], watches: ((signal: AbortSignal) => AsyncGenerator<unknown>)[]) {
  const calls: string[] = [];
  const client = {
    listPages: async function* () {
      const next = lists.shift();
      calls.push(`list -> ${next?.rv}`);
      if (!next) throw new Error("script ran out of lists");
      await Promise.resolve();
      yield { items: next.items, metadata: { resourceVersion: next.rv }, restarted: false };
    },
    watch: (_kind: unknown, options: { resourceVersion?: string; signal?: AbortSignal }) => {
      calls.push(`watch from ${options.resourceVersion}`);
      const run =
        watches.shift() ??
        async function* (signal: AbortSignal) {
          await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
          yield* [];
        };
      return run(options.signal!);
    },
  };
  return { calls, client: client as unknown as WatchClient };
}

test("watcher: a 410 Gone on the watch relists (not counted as a failure), and resumes watching from the new list's resourceVersion", async () => {
  const { client, calls } = scripted(
    [
      { items: [cm("a", "5"), cm("b", "6")], rv: "10" },
      { items: [cm("b", "6")], rv: "20" },
    ],
    [
      // eslint-disable-next-line require-yield
      async function* () {
        await Promise.resolve();
        throw new OperantError("Gone", "too old resource version: 10 (15)");
      },
    ],
  );
  const stop = new AbortController();
  const w = watcher(client, ConfigMap, { namespace: "ns", signal: stop.signal, streamInitialList: false });
  const seen: string[] = [];
  for await (const ev of w as AsyncIterable<WatcherEvent<ConfigMap>>) {
    seen.push(ev.type === "relist-item" ? `item ${ev.object.metadata.name}` : ev.type === "relist-done" ? `done ${ev.resourceVersion}` : ev.type);
    if (ev.type === "relist-done" && ev.resourceVersion === "20") {
      // Let the watcher open its next watch, then stop it.
      setImmediate(() => stop.abort());
    }
  }
  assert.deepEqual(seen, ["relist-start", "item a", "item b", "done 10", "relist-start", "item b", "done 20"]);
  assert.deepEqual(calls, ["list -> 10", "watch from 10", "list -> 20", "watch from 20"]);
  assert.equal(w.health.relists, 2);
  assert.equal(w.health.errors, 0, "Gone is the protocol, not a failure");
  assert.equal(w.health.resourceVersion, "20");
});

test("watcher: events advance the resourceVersion; bookmarks are reported; a deletion is a deleted event", async () => {
  const { client, calls } = scripted(
    [{ items: [], rv: "1" }],
    [
      async function* () {
        await Promise.resolve();
        yield { type: "ADDED", object: cm("a", "2") };
        yield { type: "BOOKMARK", object: { metadata: { resourceVersion: "3" } } };
        yield { type: "DELETED", object: cm("a", "4") };
      },
    ],
  );
  const stop = new AbortController();
  const w = watcher(client, ConfigMap, { signal: stop.signal, streamInitialList: false });
  const seen: string[] = [];
  for await (const ev of w as AsyncIterable<WatcherEvent<ConfigMap>>) {
    seen.push(ev.type === "bookmark" ? `bookmark ${ev.resourceVersion}` : ev.type === "applied" || ev.type === "deleted" ? `${ev.type} ${ev.object.metadata.name}@${ev.object.metadata.resourceVersion}` : ev.type);
    if (ev.type === "deleted") setImmediate(() => stop.abort());
  }
  assert.deepEqual(seen, ["relist-start", "relist-done", "applied a@2", "bookmark 3", "deleted a@4"]);
  // The first stream ended (server timeout): the next watch resumes after the last event seen.
  assert.deepEqual(calls, ["list -> 1", "watch from 1", "watch from 4"]);
});
