// What a reconcile returns: the contract between a reconciler and its
// controller, in one small value.
import { OperantError } from "../../core/errors.ts";
import { toMillis, type Duration } from "../../core/time.ts";

/**
 * The outcome of a reconcile. Build it with the {@link Action} constructors.
 *
 * @example
 * ```ts
 * const next: ReconcileAction = ready ? Action.awaitChange() : Action.requeueAfter("10s");
 * ```
 */
export type ReconcileAction = { readonly type: "awaitChange" } | { readonly type: "requeueAfter"; readonly afterMs: number };

/**
 * What to do after a reconcile: one word for each outcome, and a reconcile
 * must say which (the {@link Reconciler} type requires an action).
 *
 * - `Action.awaitChange()`: converged; reconcile again only when something watched changes (or at the periodic resync). Forgets the key's backoff.
 * - `Action.requeueAfter("30s")`: check again after a delay (polling something not watched, e.g. an external system). Forgets the key's backoff.
 * - throwing an error: a failure; retried with per-key exponential backoff (5 ms … 1000 s), reset on the next success.
 * - throwing a {@link TerminalError}: a failure that retrying cannot fix; recorded, not retried until the object changes.
 *
 * @example
 * ```ts
 * .reconcile(async (obj, ctx) => {
 *   if (!ready) return Action.requeueAfter("10s");
 *   return Action.awaitChange();
 * })
 * ```
 */
export const Action = {
  /** Converged: reconcile again only when something watched changes (or at the periodic resync). */
  awaitChange: (): ReconcileAction => AWAIT_CHANGE,
  /** Reconcile again after `after` (e.g. `"30s"` or milliseconds), unless a change comes first. */
  requeueAfter: (after: Duration): ReconcileAction => ({ type: "requeueAfter", afterMs: toMillis(after) }),
} as const;

const AWAIT_CHANGE: ReconcileAction = Object.freeze({ type: "awaitChange" });

/**
 * A reconcile failure that retrying will not fix (e.g. an invalid spec the
 * schema could not express). The controller records it (log, metric
 * `controller_runtime_terminal_reconcile_errors_total`, a Warning Event on the
 * object) and does not retry until the object changes.
 *
 * @example
 * ```ts
 * if (spec.replicas > quota) throw new TerminalError("QuotaExceeded", `spec.replicas ${spec.replicas} exceeds the quota of ${quota}`);
 * ```
 */
export class TerminalError extends OperantError {
  /** A CamelCase reason, used as the Event reason. */
  readonly reason: string;

  constructor(reason: string, message: string, options: { cause?: unknown } = {}) {
    super("TerminalReconcileError", message, options);
    this.name = "TerminalError";
    this.reason = reason;
  }
}
