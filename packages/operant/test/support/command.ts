// Runs a command to completion and keeps what it printed: the tests' way to
// drive kubectl, the operant CLI, npm and tsc as a user would.
import { spawn } from "node:child_process";

/** How a command ended and what it printed. */
export interface CommandResult {
  /** The exit code; -1 when the process was ended by a signal. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Where and how to run a command. */
export interface CommandOptions {
  /** Working directory (default: this process's). */
  cwd?: string;
  /** Environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Fed on stdin, which is then closed (default: nothing, stdin closed at once). */
  input?: string;
}

/**
 * Runs `command …args` and resolves once it has exited, whatever its exit
 * code; rejects only if it could not be started.
 *
 * @example
 * ```ts
 * const r = await runCommand("npm", ["test", "--silent"], { cwd: project });
 * assert.equal(r.code, 0, r.stderr);
 * ```
 */
export function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
