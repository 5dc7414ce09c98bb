// How an operator process writes its logs and its failures. JSON lines (pino)
// in production, where a log pipeline parses them; one readable line per
// entry on a terminal and under `operant run`, as zap's development mode is
// for kubebuilder's scaffold. The text form is pino's JSON line reformatted:
// the same entries, only another rendering.
import { isOperantError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";

/** `json`: one JSON object per line (pino). `text`: `time LEVEL message key=value…`. */
export type LogFormat = "json" | "text";

/** The log formats `--log-format` accepts. */
export const LOG_FORMATS: readonly LogFormat[] = ["json", "text"];

/** pino's levels, the values `--log-level` accepts. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
/** Fields every line has, or that only say which process wrote it: not repeated on each text line. */
const HIDDEN = new Set(["level", "time", "msg", "pid", "hostname", "operator"]);

function renderValue(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/**
 * One pino JSON line as a readable line: `HH:MM:SS.mmm LEVEL message
 * key=value …` (local time; strings quoted only when they need it; a `stack`
 * field on the lines after). A line that is not pino JSON is returned as is.
 *
 * @example
 * ```ts
 * formatLogLine('{"level":30,"time":0,"msg":"manager starting","health":"127.0.0.1:8081"}\n')
 * // "00:00:00.000 INFO  manager starting health=127.0.0.1:8081\n" (in UTC)
 * ```
 */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (!entry || typeof entry !== "object" || typeof entry.level !== "number") return line;
  const time = typeof entry.time === "number" ? new Date(entry.time) : new Date();
  const hh = (n: number, w = 2) => String(n).padStart(w, "0");
  const stamp = `${hh(time.getHours())}:${hh(time.getMinutes())}:${hh(time.getSeconds())}.${hh(time.getMilliseconds(), 3)}`;
  const level = (LEVEL_NAMES[entry.level] ?? String(entry.level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([k, v]) => !HIDDEN.has(k) && k !== "stack" && v !== undefined)
    .map(([k, v]) => `${k}=${renderValue(v)}`);
  const stack = typeof entry.stack === "string" ? `\n${entry.stack.replace(/^/gm, "    ")}` : "";
  return `${stamp} ${level} ${[typeof entry.msg === "string" ? entry.msg : entry.msg === undefined ? "" : renderValue(entry.msg), ...fields].filter(Boolean).join(" ")}${stack}\n`;
}

/**
 * A pino destination that writes {@link formatLogLine}'s rendering of each
 * line to `out`.
 *
 * @example
 * ```ts
 * const logger = pino({ level: "info" }, textLogDestination(process.stdout));
 * ```
 */
export function textLogDestination(out: { write(s: string): unknown }): { write(line: string): void } {
  return { write: (line) => void out.write(formatLogLine(line)) };
}

/**
 * The format to log in: `--log-format` if given, else env
 * `OPERANT_LOG_FORMAT` (set to `text` by `operant run`), else `text` when
 * stdout is a terminal and `json` otherwise (a container, a pipe).
 *
 * @example
 * ```ts
 * chooseLogFormat(undefined, { OPERANT_LOG_FORMAT: "text" }, false) // "text"
 * ```
 */
export function chooseLogFormat(flag: string | undefined, env: NodeJS.ProcessEnv, isTty: boolean): LogFormat {
  const given = flag ?? env.OPERANT_LOG_FORMAT;
  if (given === "json" || given === "text") return given;
  return isTty ? "text" : "json";
}

/** What {@link failureLine} reports: the error's code and its one-line message. */
export interface Failure {
  code: string;
  message: string;
  stack: string | undefined;
}

/**
 * An error as a failure to report: an OperantError's code and message (which
 * say what to do); any other error's Node code (or `Unexpected`) with a
 * pointer to `--debug`.
 *
 * @example
 * ```ts
 * describeFailure(new OperantError("KubeconfigNotFound", "no kubeconfig… Run operant cluster up.")).code // "KubeconfigNotFound"
 * ```
 */
export function describeFailure(err: unknown): Failure {
  const e = err instanceof Error ? err : new Error(String(err));
  const firstLine = e.message.split("\n")[0]!.replace(/\.$/, "");
  if (isOperantError(err)) return { code: err.code, message: err.message.replace(/\n/g, " "), stack: e.stack };
  const nodeCode = (e as { code?: unknown }).code;
  const code = typeof nodeCode === "string" && /^[A-Za-z][\w.]*$/.test(nodeCode) ? nodeCode : "Unexpected";
  return { code, message: `${firstLine} — an unexpected failure: run again with --debug for its stack, and report it if the cause is not yours`, stack: e.stack };
}

/**
 * The one line a failed command or operator prints: `error [Code]: message`.
 *
 * @example
 * ```ts
 * failureLine(new OperantError("NotAProject", "… Create one with operant init.")) // "error [NotAProject]: … Create one with operant init."
 * ```
 */
export function failureLine(err: unknown): string {
  const f = describeFailure(err);
  return `error [${f.code}]: ${f.message}`;
}

/**
 * Reports a failure of an operator process: as one JSON log line through
 * `logger` when logs are JSON, else as {@link failureLine} on stderr; the
 * stack only when `debug`.
 *
 * @example
 * ```ts
 * reportFailure(err, { format: "json", logger, debug: false });
 * ```
 */
export function reportFailure(err: unknown, options: { format: LogFormat; logger?: Logger | undefined; debug: boolean; stderr?: { write(s: string): unknown } }): void {
  const f = describeFailure(err);
  if (options.format === "json" && options.logger) {
    options.logger.error({ code: f.code, ...(options.debug && f.stack && { stack: f.stack }) }, `error [${f.code}]: ${f.message}`);
    return;
  }
  const out = options.stderr ?? process.stderr;
  out.write(`error [${f.code}]: ${f.message}\n`);
  if (options.debug && f.stack) out.write(`${f.stack}\n`);
}
