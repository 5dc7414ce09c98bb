// `npm run test:stress [-- <files…>]`: the test command (scripts/test.ts) with
// CPU hogs beside it, to prove the suite holds on a saturated machine, as CI
// runners and CPU-limited Pods are. Reports tests passed / total.
//
//   --hogs <n>         busy-looping processes beside the suite (default 2)
//   --cpu-limit <cpus> also run the suite in a cgroup with this CPU quota, like a
//                      Pod's CPU limit (default 1.5; 0 = none). Needs a writable
//                      cgroup cpu controller (v2, or v1's cpu hierarchy); when there
//                      is none the run goes on without and says so. The group
//                      competes as one process with the rest of the machine, so on
//                      a machine shared with other work it starves the suite far
//                      more than its quota says: use 0 there.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createCpuLimit, startCpuHogs } from "./cpu-limit.ts";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values, positionals } = parseArgs({ allowPositionals: true, options: { hogs: { type: "string", default: "2" }, "cpu-limit": { type: "string", default: "1.5" } } });
const hogCount = Number(values.hogs);
const cpuLimit = Number(values["cpu-limit"]);
const say = (m: string) => process.stderr.write(`[stress] ${m}\n`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" / ");

// The hogs stay outside the group, competing for the machine; this process joins it, so the whole run is limited.
const stopHogs = await startCpuHogs(hogCount);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => process.exit(130));
const limit = cpuLimit > 0 ? createCpuLimit(cpuLimit, `operant-stress-${process.pid}`) : undefined;
const cgroup = limit && !("reason" in limit) ? limit : undefined;
if (limit && "reason" in limit) say(`no CPU quota: ${limit.reason}`);
cgroup?.add(process.pid);
const conditions = [`${hogCount} CPU hogs`, ...(cgroup ? [cgroup.description] : [])].join(" and ");
const countsPath = join(root, "node_modules", ".cache", "operant", "test-counts-stress.json");
say(`running the test command with ${conditions}; ${os.cpus().length} CPUs, load average ${load()}`);
const started = Date.now();
const child = spawn(process.execPath, [join(root, "scripts", "test.ts"), ...positionals], { cwd: root, stdio: "inherit", env: { ...process.env, OPERANT_TEST_COUNTS: countsPath } });
const code = await new Promise<number>((resolve) => child.on("exit", (c, s) => resolve(c ?? (s ? 1 : 0))));
stopHogs();
cgroup?.release();
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
if (existsSync(countsPath)) {
  const c = JSON.parse(readFileSync(countsPath, "utf8")) as { tests: number; passed: number; failed: number; cancelled: number; skipped: number };
  say(`${c.passed} passed / ${c.tests} tests (failed ${c.failed}, cancelled ${c.cancelled}, skipped ${c.skipped}) with ${conditions}, in ${minutes} min; load average at the end ${load()}`);
} else {
  say(`the tests did not run (an earlier step failed) with ${conditions}, after ${minutes} min`);
}
process.exit(code);
