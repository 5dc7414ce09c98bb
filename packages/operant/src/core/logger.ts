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
