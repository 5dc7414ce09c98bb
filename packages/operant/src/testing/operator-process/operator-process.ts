// An operator run the way it runs for real — `node src/main.ts …`, a process
// of its own — for tests that need several replicas, signals or a crash:
// its JSON log lines (pino) are collected as they arrive and can be waited
// for, and it never outlives the test process that started it.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { OperantError } from "../../core/errors.ts";

// exit-with-parent.ts beside the sources, exit-with-parent.js beside dist/.
const EXIT_WITH_PARENT = fileURLToPath(new URL(`./exit-with-parent${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/**
 * One line the process printed on stdout: a JSON object (pino), or `{ msg }` for any other text.
 *
 * @example
 * ```ts
 * const ready = (l: LogLine) => l.msg === "caches synced, starting workers";
 * ```
 */
export type LogLine = Record<string, unknown> & { msg?: string };

/**
 * How to start an {@link OperatorProcess}.
 *
 * @example
 * ```ts
 * const op = OperatorProcess.start({ script: "src/main.ts", args: ["--leader-elect=false"], env: { ...process.env, KUBECONFIG: cp.kubeconfigPath } } satisfies OperatorProcessOptions);
 * ```
 */
export interface OperatorProcessOptions {
  /** The script run on this Node.js, e.g. the project's `src/main.ts`. */
  script: string;
  args?: readonly string[];
  /** The whole environment of the process (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Names the process in error messages (default: the script's path). */
  name?: string;
}

/**
 * A running operator process. Its stdout lines are parsed into
 * {@link OperatorProcess.lines}; its stderr is kept; it exits by itself if
 * the test process dies.
 *
 * @example
 * ```ts
 * import { OperatorProcess } from "operant/testing";
 *
 * const op = OperatorProcess.start({ script: "src/main.ts", args: ["--kubeconfig", cluster.kubeconfigPath, "--watch-namespace", ns] });
 * t.after(() => op.stop());
 * const started = await op.waitForLine((l) => l.msg === "manager starting", { what: "the manager to start" });
 * ```
 */
export class OperatorProcess {
  readonly name: string;
  readonly child: ChildProcessWithoutNullStreams;
  /** Every stdout line so far, in order. */
  readonly lines: LogLine[] = [];
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #stderr = "";
  readonly #waiters = new Set<() => void>();

  /** Spawns the process; subclasses add what their operator prints (see {@link OperatorProcess.start}). */
  protected constructor(options: OperatorProcessOptions) {
    this.name = options.name ?? options.script;
    this.child = spawn(process.execPath, ["--import", EXIT_WITH_PARENT, options.script, ...(options.args ?? [])], { env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let buffer = "";
    this.child.stdout.on("data", (d: Buffer) => {
      buffer += d.toString();
      for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.lines.push({ msg: line });
        }
      }
      this.#wake();
    });
    this.child.stderr.on("data", (d: Buffer) => (this.#stderr += d.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code, signal) => {
        resolve({ code, signal });
        this.#wake();
      }),
    );
  }

  /** Spawns the process (it starts at once; wait for a line that says it is ready). */
  static start(options: OperatorProcessOptions): OperatorProcess {
    return new OperatorProcess(options);
  }

  /** SIGKILLs every process still running and waits until all have exited. */
  static async killAll(processes: Iterable<OperatorProcess>): Promise<void> {
    const all = [...processes];
    for (const p of all) p.kill("SIGKILL");
    await Promise.all(all.map((p) => p.exited));
  }

  /** What the process wrote on stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Whether the process still runs. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Resolves with the first line, already printed or to come, that matches;
   * rejects with `OperatorProcessExited` if the process exits first, or
   * `OperatorProcessTimeout` after `timeoutMs` (default 30 s), its stderr and
   * last lines in the message.
   */
  waitForLine(match: (line: LogLine) => boolean, options: { timeoutMs?: number; what?: string } = {}): Promise<LogLine> {
    const { timeoutMs = 30_000, what = "the line awaited" } = options;
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.lines.find(match);
        if (hit) {
          done();
          resolve(hit);
        } else if (!this.running) {
          done();
          reject(new OperantError("OperatorProcessExited", `${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}; ${this.#context()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new OperantError("OperatorProcessTimeout", `${this.name}: no ${what} within ${timeoutMs} ms; ${this.#context()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Sends `signal` if the process still runs. */
  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM (a graceful shutdown), SIGKILL after `graceMs` (default 15 s); resolves once it has exited. */
  async stop(graceMs = 15_000): Promise<void> {
    this.kill("SIGTERM");
    const timer = setTimeout(() => this.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  #wake(): void {
    for (const w of this.#waiters) w();
  }

  #context(): string {
    return `stderr: ${this.#stderr.slice(-2000) || "(empty)"}; last lines: ${JSON.stringify(this.lines.slice(-5))}`;
  }
}
