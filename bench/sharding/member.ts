// One replica of the sharding benchmark's operator, run as its own process
// through runOperator (the path a real operator takes): `--shard` makes it a
// member of the ring, without it it is the single unsharded replica. The
// per-replica client limit comes from `--kube-api-qps` / `--kube-api-burst`.
//   node member.ts <runOperator flags…>   (env POD_NAME names the replica)
// The operator is bench/sharding/operator.ts; ASSIGN=webhook gives it its
// webhooks (and so the assignment at creation).
// Reconciles wait for a "go" line on stdin (the objects are created first).
// Prints pino JSON lines; on each "report" line on stdin it collects garbage
// and prints {event: "report", cached, heapUsed, rss, peakRss, reconciles, writes}.
import { createInterface } from "node:readline";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { runOperator } from "../../packages/operant/src/operator/run.ts";
import type { Manager } from "../../packages/operant/src/runtime/manager/manager.ts";
import { ShardItem } from "./item.ts";
import { shardBenchOperator } from "./operator.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const replica = process.env.POD_NAME ?? "replica";

let peakRss = 0;
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250).unref();
const counts = { reconciles: 0, writes: 0 };
let go: () => void = () => {};
const hold = new Promise<void>((resolve) => (go = resolve));
const operator = shardBenchOperator(replica, counts, { webhooks: process.env.ASSIGN === "webhook", hold });

let manager: Manager | undefined;
void (async () => {
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === "go") go();
    if (line.trim() !== "report" || !manager) continue;
    for (let i = 0; i < 3; i++) gc();
    const cached = manager.cache.informersOf(ShardItem).reduce((n, inf) => n + inf.size, 0);
    const mem = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ event: "report", replica, cached, heapUsed: mem.heapUsed, rss: mem.rss, peakRss: Math.max(peakRss, mem.rss), ...counts })}\n`);
  }
})();

await runOperator(operator, { argv: ["node", "member", ...process.argv.slice(2)], onStart: (m) => (manager = m) });
process.exit(0);
