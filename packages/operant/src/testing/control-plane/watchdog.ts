// The reaper: a tiny process that outlives its parent by design. The parent
// feeds it the process groups it starts, one per line on stdin ("pid <n>",
// "dir <path>"). When stdin closes — the parent called stop(), exited, or was
// killed, even by SIGKILL — the reaper kills those groups and removes the
// directory, so a crashed test run never leaks an API server.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** A handle on a running reaper. */
export interface Watchdog {
  /** Tells the reaper about a process group to kill when the parent goes. */
  watchPid(pid: number): void;
  /** Tells the reaper to forget a process group (it was stopped on purpose). */
  forgetPid(pid: number): void;
  /** Ends the watch: the reaper kills what it still knows about, removes the directory and exits. */
  close(): void;
}

/** Starts the reaper for a control plane whose files live in `dir`. */
export function startWatchdog(dir: string): Watchdog {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--reaper"], { detached: true, stdio: ["pipe", "ignore", "ignore"] });
  child.unref();
  const stdin = child.stdin;
  (stdin as unknown as { unref?: () => void }).unref?.();
  stdin.on("error", () => {}); // the reaper died first: nothing to do
  stdin.write(`dir ${dir}\n`);
  return {
    watchPid: (pid) => stdin.write(`pid ${pid}\n`),
    forgetPid: (pid) => stdin.write(`forget ${pid}\n`),
    close: () => stdin.end(),
  };
}

function reap(pids: Set<number>, dir: string | undefined): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
  if (dir) {
    // The processes may take a moment to release their files.
    for (let i = 0; i < 20; i++) {
      try {
        rmSync(dir, { recursive: true, force: true });
        break;
      } catch {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      }
    }
  }
}

if (process.argv[2] === "--reaper") {
  const pids = new Set<number>();
  let dir: string | undefined;
  let buffered = "";
  process.on("SIGINT", () => {}); // a Ctrl-C to the terminal is for the parent; we act on its exit
  process.stdin.on("data", (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      const [verb, arg = ""] = line.split(" ", 2);
      if (verb === "pid") pids.add(Number(arg));
      else if (verb === "forget") pids.delete(Number(arg));
      else if (verb === "dir") dir = arg;
    }
  });
  process.stdin.on("close", () => {
    reap(pids, dir);
    process.exit(0);
  });
}
