// Looking for processes a test may have left behind (Linux: reads /proc).
import { readdir, readFile } from "node:fs/promises";

/**
 * Pids of the processes whose command line mentions `text` (e.g. a control
 * plane's directory: every component is started with a path inside it).
 *
 * @example
 * ```ts
 * assert.deepEqual(await processesMentioning(dir), [], "nothing left running");
 * ```
 */
export async function processesMentioning(text: string): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(text)) out.push(Number(entry));
  }
  return out;
}
