// The logger contract: the subset of pino's API operant calls. Pass a pino
// logger (or anything with these methods); operant never creates or
// configures one itself, and logs nothing unless given one.

type LogFn = {
  (obj: Record<string, unknown>, msg?: string): void;
  (msg: string): void;
};

/**
 * A structured logger (pino-compatible).
 *
 * @example
 * ```ts
 * import pino from "pino";
 * const manager = new Manager({ logger: pino({ level: "info" }) });
 * ```
 */
export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  /** A logger that adds `bindings` to every line (e.g. `{ controller, key }`). */
  child(bindings: Record<string, unknown>): Logger;
}

const noop = () => {};

/**
 * A logger that drops everything: the default when none is passed.
 *
 * @example
 * ```ts
 * const log = options.logger ?? silentLogger;
 * ```
 */
export const silentLogger: Logger = { error: noop, warn: noop, info: noop, debug: noop, child: () => silentLogger };

/**
 * A logger that keeps every line, as JSON with its bindings, level and
 * message, for tests to search (errors as `{ message, stack }`). Children
 * write to the same `lines`. Exported from `operant/testing`.
 *
 * @example
 * ```ts
 * const logger = new CapturingLogger();
 * await runOperator(operator, { logger, argv, env });
 * assert.ok(logger.lines.some((l) => l.includes("reconcile failed")));
 * ```
 */
export class CapturingLogger implements Logger {
  readonly lines: string[];
  readonly #bindings: Record<string, unknown>;

  constructor(lines: string[] = [], bindings: Record<string, unknown> = {}) {
    this.lines = lines;
    this.#bindings = bindings;
  }

  #log(level: string, a: Record<string, unknown> | string, msg?: string): void {
    const line = typeof a === "string" ? { level, ...this.#bindings, msg: a } : { level, ...this.#bindings, ...a, msg };
    this.lines.push(JSON.stringify(line, (_k, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack } : v)));
  }

  error: LogFn = (a: Record<string, unknown> | string, msg?: string) => this.#log("error", a, msg);
  warn: LogFn = (a: Record<string, unknown> | string, msg?: string) => this.#log("warn", a, msg);
  info: LogFn = (a: Record<string, unknown> | string, msg?: string) => this.#log("info", a, msg);
  debug: LogFn = (a: Record<string, unknown> | string, msg?: string) => this.#log("debug", a, msg);

  child(bindings: Record<string, unknown>): Logger {
    return new CapturingLogger(this.lines, { ...this.#bindings, ...bindings });
  }
}
