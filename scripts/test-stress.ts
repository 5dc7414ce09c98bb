// `npm run test:stress [-- <files…>]`: the test command (scripts/test.ts) with
// CPU hogs beside it, to prove the suite holds on a saturated machine, as CI
// runners and CPU-limited Pods are. Reports tests passed / total.
//
//   --hogs <n>         busy-looping processes beside the suite (default 2)
//   --cpu-limit <cpus> also run the suite in a cgroup with this CPU quota, like a
//                      Pod's CPU limit (default 1.5; 0 = none). Needs a writable
//                      cgroup cpu controller (v2, or v1's cpu hierarchy); when there
//                      is none the run goes on without and says so.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values, positionals } = parseArgs({ allowPositionals: true, options: { hogs: { type: "string", default: "2" }, "cpu-limit": { type: "string", default: "1.5" } } });
const hogCount = Number(values.hogs);
const cpuLimit = Number(values["cpu-limit"]);
const say = (m: string) => process.stderr.write(`[stress] ${m}\n`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" / ");

/** A cgroup holding this process (and so everything it starts from now on) with a CPU quota; undefined when not possible here. */
function limitCpu(cpus: number): { describe: string; release: () => void } | undefined {
  const period = 100_000;
  const quota = Math.round(cpus * period);
  const name = `operant-stress-${process.pid}`;
  const candidates: { base: string; probe: string; files: Record<string, string> }[] = [
    // cgroup v2: cpu.max; v1: the cpu hierarchy's cfs quota. The group's weight is that of a Pod requesting its limit.
    { base: "/sys/fs/cgroup", probe: "cgroup.controllers", files: { "cpu.max": `${quota} ${period}` } },
    { base: "/sys/fs/cgroup/cpu", probe: "cpu.cfs_quota_us", files: { "cpu.cfs_period_us": String(period), "cpu.cfs_quota_us": String(quota), "cpu.shares": String(Math.round(1024 * cpus)) } },
  ];
  for (const c of candidates) {
    if (!existsSync(join(c.base, c.probe))) continue;
    if (c.base === "/sys/fs/cgroup" && !readFileSync(join(c.base, "cgroup.controllers"), "utf8").split(/\s+/).includes("cpu")) continue;
    const dir = join(c.base, name);
    try {
      mkdirSync(dir);
      for (const [file, value] of Object.entries(c.files)) writeFileSync(join(dir, file), value);
      writeFileSync(join(dir, "cgroup.procs"), String(process.pid));
    } catch (err) {
      say(`no CPU quota: cannot use ${c.base} (${(err as Error).message})`);
      try {
        rmdirSync(dir);
      } catch {
        /* not created */
      }
      continue;
    }
    return {
      describe: `a cgroup CPU quota of ${cpus} CPUs (${dir})`,
      release: () => {
        try {
          writeFileSync(join(c.base, "cgroup.procs"), String(process.pid));
          rmdirSync(dir);
        } catch (err) {
          say(`could not remove ${dir}: ${(err as Error).message} (a process of the run is still in it)`);
        }
      },
    };
  }
  return undefined;
}

const hogs = Array.from({ length: hogCount }, () => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
const stopHogs = () => {
  for (const h of hogs) h.kill("SIGKILL");
};
process.on("exit", stopHogs);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => process.exit(130));

const cgroup = cpuLimit > 0 ? limitCpu(cpuLimit) : undefined;
const conditions = [`${hogCount} CPU hogs`, ...(cgroup ? [cgroup.describe] : cpuLimit > 0 ? ["no CPU quota (no writable cgroup cpu controller)"] : [])].join(" and ");
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
