/**
 * The one error class operant throws. Every error carries a stable `code`
 * (listed with cause and fix in docs/errors.md) so callers can branch on
 * `err.code` instead of parsing messages, and a message that says what went
 * wrong and what to do about it.
 *
 * @example
 * ```ts
 * try {
 *   await client.get(Pod, { namespace: "default", name: "web" });
 * } catch (err) {
 *   if (isOperantError(err, "NotFound")) return undefined;
 *   throw err;
 * }
 * ```
 */
export class OperantError extends Error {
  /** Stable, documented identifier of the failure (e.g. `NotFound`, `ControlPlaneStartTimeout`). */
  readonly code: string;
  /** Whether retrying the same operation later can succeed. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OperantError";
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * Narrows `err` to an {@link OperantError}, optionally with one of the given codes.
 *
 * @example
 * ```ts
 * if (isOperantError(err, "Conflict", "TooManyRequests")) retry();
 * ```
 */
export function isOperantError(err: unknown, ...codes: string[]): err is OperantError {
  return err instanceof OperantError && (codes.length === 0 || codes.includes(err.code));
}
