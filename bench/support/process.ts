// Shared by the benchmarks: worker processes that print JSON lines, and a
// bounded pool for seeding objects.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";

/** How to run a worker: a Node.js script (with `--expose-gc` unless `gc: false`) or any executable. */
export interface WorkerOptions {
  /** For Node.js scripts: pass `--expose-gc` (default true). */
  gc?: boolean;
  /** Called with each JSON line as it arrives. */
  onLine?: (line: unknown) => void;
  /** Extra environment variables. */
  env?: NodeJS.ProcessEnv;
  /** Receives the child as soon as it is spawned (to write to its stdin). */
  onSpawn?: (child: ChildProcess) => void;
}

/**
 * Runs a worker in a fresh process and returns the last JSON line it printed
 * on stdout; rejects if it exits non-zero. A `.ts`, `.mjs` or `.js` path runs
 * on this Node.js.
 *
 * @example
 * ```ts
 * const mem = await runWorker<{ heapPerObject: number }>("bench/runtime/cache-memory.ts", [kubeconfig, "pods", "bench-pods"]);
 * ```
 */
export async function runWorker<T>(command: string, argv: readonly string[], options: WorkerOptions = {}): Promise<T> {
  const node = /\.(ts|mjs|js)$/.test(command);
  const child = spawn(node ? process.execPath : command, node ? [...(options.gc === false ? [] : ["--expose-gc"]), command, ...argv] : [...argv], {
    stdio: [options.onSpawn ? "pipe" : "ignore", "pipe", "inherit"],
    env: { ...process.env, ...options.env },
  });
  options.onSpawn?.(child);
  let out = "";
  let last: unknown;
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    const lines = out.split("\n");
    out = lines.pop() ?? "";
    for (const l of lines) {
      if (!l.trim()) continue;
      last = JSON.parse(l);
      options.onLine?.(last);
    }
  });
  const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
  if (code !== 0) throw new Error(`${command} ${argv.join(" ")} exited with ${code ?? signal}`);
  return last as T;
}

/**
 * Runs `fn` over `items`, at most `size` at a time.
 *
 * @example
 * ```ts
 * await pool([...Array(1000).keys()], 48, (i) => client.create(ConfigMap, realisticConfigMap("ns", i)));
 * ```
 */
export async function pool<T>(items: readonly T[], size: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}
