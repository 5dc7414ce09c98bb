// A cross-process lock on a directory name (mkdir is atomic). The holder's pid
// is written inside, so a lock left by a dead process is taken over.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Waits until `path` can be created as this process's lock, then returns the
 * function that releases it.
 *
 * @example
 * ```ts
 * const release = await acquireDirLock("/tmp/build.lock");
 * try { await build(); } finally { await release(); }
 * ```
 */
export async function acquireDirLock(
  path: string,
  options: { signal?: AbortSignal | undefined; waitingMessage?: string; onWait?: (msg: string) => void } = {},
): Promise<() => Promise<void>> {
  let told = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      await mkdir(path);
      await writeFile(join(path, "pid"), String(process.pid));
      return () => rm(path, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = Number(await readFile(join(path, "pid"), "utf8").catch(() => ""));
    if (holder && !alive(holder)) {
      await rm(path, { recursive: true, force: true });
      continue;
    }
    if (!told && options.waitingMessage) {
      (options.onWait ?? ((m: string) => process.stderr.write(`operant: ${m}; waiting…\n`)))(options.waitingMessage);
      told = true;
    }
    await sleep(500, undefined, { signal: options.signal });
  }
}
