// Running a credential program (an exec plugin, a legacy auth-provider's
// cmd-path): without a shell, off the event loop, with stdin closed unless a
// person is at a terminal, a time limit after which the program is killed, and
// a cap on what it may print.
import { spawn } from "node:child_process";

/**
 * The default time a credential program may take: 60 s. Long enough for a
 * cloud CLI that refreshes a token over a slow network, short enough that a
 * program waiting for input that never comes does not hold every request.
 *
 * @example
 * ```ts
 * await clusterConfigFromKubeconfig(text, { credentialPluginTimeoutMs: 2 * DEFAULT_CREDENTIAL_PLUGIN_TIMEOUT_MS });
 * ```
 */
export const DEFAULT_CREDENTIAL_PLUGIN_TIMEOUT_MS = 60_000;

/** Most a credential program may print on stdout or stderr (1 MiB); more ends it as a failure. */
const MAX_OUTPUT_BYTES = 1024 * 1024;
/** Time between SIGTERM and SIGKILL for a program that overran its time. */
const KILL_GRACE_MS = 2_000;

/** How a credential program ended (it exited, or was stopped). */
export type CommandOutcome =
  | { kind: "exited"; code: number; stdout: string; stderr: string }
  | { kind: "timedOut"; stderr: string }
  | { kind: "tooMuchOutput"; stderr: string }
  | { kind: "signalled"; signal: string; stderr: string };

/** Options of {@link runCredentialCommand}. */
export interface CredentialCommandOptions {
  env: NodeJS.ProcessEnv;
  /** Kill the program after this long (0: never). */
  timeoutMs: number;
  /** Give the program this process's stdin (a person at a terminal); otherwise its stdin is closed at once. */
  interactive: boolean;
  cwd?: string;
}

/**
 * Runs `command` with `args` (no shell: arguments are passed as they are) and
 * resolves with how it ended; rejects only when it cannot be started
 * (`ENOENT`, `EACCES`). Its stdin is `/dev/null` unless `interactive`, so a
 * program that reads stdin sees end-of-file instead of waiting forever; after
 * `timeoutMs` it gets SIGTERM, then SIGKILL 2 s later.
 *
 * @example
 * ```ts
 * const r = await runCredentialCommand("aws", ["eks", "get-token"], { env: process.env, timeoutMs: 60_000, interactive: false });
 * ```
 */
export function runCredentialCommand(command: string, args: readonly string[], options: CredentialCommandOptions): Promise<CommandOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env,
      stdio: [options.interactive ? "inherit" : "ignore", "pipe", "pipe"],
      shell: false,
      windowsHide: true,
      // Its own process group (when no terminal is shared), so that a timeout ends whatever it started too.
      detached: !options.interactive && process.platform !== "win32",
      ...(options.cwd !== undefined && { cwd: options.cwd }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let stopped: "timedOut" | "tooMuchOutput" | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const signal = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined && !options.interactive && process.platform !== "win32") process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        // already gone
      }
    };
    const stop = (why: "timedOut" | "tooMuchOutput") => {
      if (stopped) return;
      stopped = why;
      signal("SIGTERM");
      killTimer = setTimeout(() => signal("SIGKILL"), KILL_GRACE_MS);
      killTimer.unref();
    };
    const timer = options.timeoutMs > 0 ? setTimeout(() => stop("timedOut"), options.timeoutMs) : undefined;
    child.stdout.on("data", (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > MAX_OUTPUT_BYTES) stop("tooMuchOutput");
      else out.push(b);
    });
    child.stderr.on("data", (b: Buffer) => {
      errBytes += b.length;
      if (errBytes <= MAX_OUTPUT_BYTES) err.push(b);
    });
    let failedToStart = false;
    child.on("error", (e) => {
      // Only a failure to start matters here; a failed kill of a process that already exited does not.
      if (child.pid === undefined) {
        failedToStart = true;
        clearTimeout(timer);
        reject(e);
      }
    });
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      if (failedToStart) return;
      const stderr = Buffer.concat(err).toString("utf8");
      if (stopped) resolve({ kind: stopped, stderr });
      else if (sig) resolve({ kind: "signalled", signal: sig, stderr });
      else resolve({ kind: "exited", code: code ?? 0, stdout: Buffer.concat(out).toString("utf8"), stderr });
    });
  });
}
