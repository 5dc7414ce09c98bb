// One control-plane process: started in its own process group with its output
// in a log file, stopped by signalling the whole group.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** What a running component looks like from outside (also what `state.json` records). */
export interface ComponentRecord {
  name: string;
  pid: number;
  logPath: string;
}

/** Whether a process (group leader) is still alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // A zombie (exited, not yet reaped by its parent, which for `cluster up` is
  // PID 1) still answers signal 0 but is gone for every purpose here.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return process.platform !== "linux";
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Stops a process group: SIGTERM, then SIGKILL after `graceMs`, and waits
 * until the leader is gone.
 */
export async function stopProcessGroup(pid: number, graceMs = 3000): Promise<void> {
  if (!isAlive(pid)) return;
  signalGroup(pid, graceMs > 0 ? "SIGTERM" : "SIGKILL");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(25);
  if (isAlive(pid)) {
    signalGroup(pid, "SIGKILL");
    const hardDeadline = Date.now() + 10_000; // SIGKILL cannot be ignored; only an unreaped zombie could linger
    while (isAlive(pid) && Date.now() < hardDeadline) await sleep(10);
  }
}

/**
 * Spawns a component in a new process group (so that it, and anything it
 * starts, can be signalled together and outlives no watchdog), appending its
 * stdout and stderr to `logPath`.
 */
export function startComponent(name: string, binary: string, args: string[], options: { logPath: string; env?: NodeJS.ProcessEnv; cwd?: string }): ComponentRecord & { exited: Promise<number | null> } {
  const fd = openSync(options.logPath, "a");
  try {
    const child = spawn(binary, args, {
      detached: true,
      stdio: ["ignore", fd, fd],
      env: options.env ?? process.env,
      ...(options.cwd && { cwd: options.cwd }),
    });
    child.unref();
    const exited = new Promise<number | null>((resolve) => {
      child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null)));
      child.once("error", () => resolve(-1));
    });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${binary})`);
    return { name, pid: child.pid, logPath: options.logPath, exited };
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` lines of a log file (for error messages). */
export async function tailLog(path: string, lines = 25): Promise<string> {
  try {
    const fh = await open(path, "r");
    try {
      const { size } = await fh.stat();
      const len = Math.min(size, 16 * 1024);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, size - len);
      return buf.toString("utf8").split("\n").slice(-lines - 1).join("\n").trimEnd();
    } finally {
      await fh.close();
    }
  } catch {
    return "(no log)";
  }
}
