// A cgroup with a CPU quota, like a Pod's CPU limit, for the stress test run
// and the starvation scenario: cgroup v2 (cpu.max) or v1's cpu hierarchy
// (cfs quota), whichever this machine has writable. Processes are moved in by
// pid; children they start afterwards stay in it.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A CPU-limited cgroup. */
export interface CpuLimit {
  /** e.g. "a cgroup CPU quota of 1.5 CPUs (/sys/fs/cgroup/cpu/operant-stress-123)". */
  readonly description: string;
  /** Moves a process into the group. */
  add(pid: number): void;
  /** Moves a process back to the root group. */
  remove(pid: number): void;
  /** Moves whatever is left back to the root group and removes the group. */
  release(): void;
}

/**
 * Creates a cgroup limited to `cpus` CPUs (its weight that of a Pod requesting
 * its limit), or says why it cannot here.
 *
 * @example
 * ```ts
 * const limit = createCpuLimit(1.5, `operant-stress-${process.pid}`);
 * if ("reason" in limit) console.log(limit.reason); else limit.add(process.pid);
 * ```
 */
export function createCpuLimit(cpus: number, name: string): CpuLimit | { reason: string } {
  const period = 100_000;
  const quota = Math.max(1000, Math.round(cpus * period));
  const candidates: { base: string; probe: string; files: Record<string, string> }[] = [
    { base: "/sys/fs/cgroup", probe: "cgroup.controllers", files: { "cpu.max": `${quota} ${period}` } },
    { base: "/sys/fs/cgroup/cpu", probe: "cpu.cfs_quota_us", files: { "cpu.cfs_period_us": String(period), "cpu.cfs_quota_us": String(quota), "cpu.shares": String(Math.max(2, Math.round(1024 * cpus))) } },
  ];
  const reasons: string[] = [];
  for (const c of candidates) {
    if (!existsSync(join(c.base, c.probe))) continue;
    if (c.probe === "cgroup.controllers" && !readFileSync(join(c.base, c.probe), "utf8").split(/\s+/).includes("cpu")) {
      reasons.push(`${c.base}: no cpu controller`);
      continue;
    }
    const dir = join(c.base, name);
    try {
      mkdirSync(dir);
      for (const [file, value] of Object.entries(c.files)) writeFileSync(join(dir, file), value);
    } catch (err) {
      reasons.push(`${c.base}: ${(err as Error).message}`);
      try {
        rmdirSync(dir);
      } catch {
        /* never created */
      }
      continue;
    }
    const moveTo = (group: string, pid: number) => writeFileSync(join(group, "cgroup.procs"), String(pid));
    return {
      description: `a cgroup CPU quota of ${cpus} CPUs (${dir})`,
      add: (pid) => moveTo(dir, pid),
      remove: (pid) => moveTo(c.base, pid),
      release: () => {
        try {
          for (const pid of readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) {
            try {
              moveTo(c.base, Number(pid));
            } catch {
              /* exited meanwhile */
            }
          }
          rmdirSync(dir);
        } catch (err) {
          process.stderr.write(`could not remove ${dir}: ${(err as Error).message}\n`);
        }
      },
    };
  }
  return { reason: reasons.join("; ") || "no cgroup cpu controller mounted" };
}

/**
 * Starts `n` processes that spin forever (CPU hogs); kill them with the returned function.
 *
 * @example
 * ```ts
 * const stop = startCpuHogs(2);
 * try { … } finally { stop(); }
 * ```
 */
export async function startCpuHogs(n: number): Promise<() => void> {
  const { spawn } = await import("node:child_process");
  const hogs = Array.from({ length: n }, () => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
  const stop = () => {
    for (const h of hogs) h.kill("SIGKILL");
  };
  process.once("exit", stop);
  return stop;
}
