// Failures of API calls as typed values. The API server answers errors with a
// `Status` object whose `reason` names the failure; operant uses that reason as
// the error's stable `code` (NotFound, Conflict, Invalid, …), so callers match
// on `err.code` exactly as they would on `apierrors.IsNotFound` in Go.
import { OperantError } from "../../core/errors.ts";

/**
 * One field-level cause of an `Invalid` (or other) error.
 *
 * @example
 * ```ts
 * for (const c of err.status?.details?.causes ?? []) log.warn(`${c.field}: ${c.message}`);
 * ```
 */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/**
 * The `Status` object the API server returns for failures.
 *
 * @example
 * ```ts
 * const gone: Status = { kind: "Status", status: "Failure", reason: "NotFound", code: 404, message: 'pods "web" not found' };
 * ```
 */
export interface Status {
  kind?: "Status";
  apiVersion?: string;
  status?: "Success" | "Failure";
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
}

/**
 * Codes for API failures (the Status reasons operant distinguishes).
 *
 * @example
 * ```ts
 * const code: ApiErrorCode = "Conflict";
 * if (isOperantError(err, code)) return Action.requeueAfter("1s");
 * ```
 */
export type ApiErrorCode =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Invalid"
  | "TooManyRequests"
  | "Timeout"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "UnsupportedMediaType"
  | "RequestEntityTooLarge"
  | "InternalError"
  | "ServiceUnavailable"
  | "Unknown";

const BY_HTTP: Record<number, ApiErrorCode> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Gone",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

const KNOWN = new Set<string>(Object.values(BY_HTTP));
const RETRYABLE = new Set<ApiErrorCode>(["Conflict", "Gone", "TooManyRequests", "Timeout", "InternalError", "ServiceUnavailable"]);

/** What to do about each failure, appended to messages. */
const ADVICE: Partial<Record<ApiErrorCode, string>> = {
  Unauthorized: "The credentials were refused: check the kubeconfig's user (expired token or certificate?).",
  Forbidden: "Grant the missing permission to this identity with RBAC (a Role/ClusterRole rule and a binding).",
  Conflict: "The object changed since it was read: read it again, re-apply the change and retry.",
  Gone: "The requested resourceVersion is too old: list again to get a fresh one.",
  TooManyRequests: "The API server is throttling: slow down and retry after the indicated delay.",
  Timeout: "The API server did not finish in time: retry.",
  ServiceUnavailable: "The API server is unavailable: retry with backoff.",
};

/** Server-side apply conflicts: same code as a stale write, but retrying the same apply cannot succeed. */
const FIELD_MANAGER_CONFLICT_ADVICE =
  "Another field manager owns these fields: apply with `force: true` to take them over (what a controller usually wants for fields it manages), or stop setting them.";

function isFieldManagerConflict(body: Status | undefined): boolean {
  return body?.details?.causes?.some((c) => c.reason === "FieldManagerConflict") ?? false;
}

function codeOf(status: number, reason: string | undefined): ApiErrorCode {
  if (reason === "AlreadyExists") return "AlreadyExists";
  if (reason === "Expired") return "Gone";
  if (reason === "ServerTimeout") return "Timeout";
  if (reason && KNOWN.has(reason)) return reason as ApiErrorCode;
  return BY_HTTP[status] ?? "Unknown";
}

/**
 * An API call that the server refused. `code` is the Status reason; `status`
 * the HTTP status; `causes` the field-level details (for `Invalid`, and for a
 * server-side apply `Conflict`: one `FieldManagerConflict` cause per field,
 * naming the manager that owns it). `retryable` is true for Conflict (stale
 * resourceVersion), Gone, TooManyRequests, Timeout, InternalError and
 * ServiceUnavailable, except an apply conflict: the same apply would fail again.
 *
 * @example
 * ```ts
 * try { await client.create(ConfigMap, cm); }
 * catch (err) {
 *   if (err instanceof ApiError && err.code === "AlreadyExists") { … }
 *   if (isOperantError(err, "Invalid")) console.log(err.causes.map((c) => c.field));
 * }
 * ```
 */
export class ApiError extends OperantError {
  declare readonly code: ApiErrorCode;
  /** HTTP status code. */
  readonly status: number;
  /** The server's Status object, if it sent one. */
  readonly body: Status | undefined;
  /** Field-level causes (for `Invalid`: which field failed which rule). */
  readonly causes: StatusCause[];
  /** Seconds the server asked us to wait (`Retry-After`), if any. */
  readonly retryAfterSeconds: number | undefined;

  /**
   * `hint` (optional) explains the server's message when it says too little;
   * it goes after the message, before the advice of the code.
   */
  constructor(init: { method: string; path: string; status: number; body?: Status | undefined; text?: string; retryAfterSeconds?: number | undefined; hint?: string }) {
    const code = codeOf(init.status, init.body?.reason);
    const what = (init.body?.message ?? (init.text?.slice(0, 300) || `HTTP ${init.status}`)) + (init.hint ? `: ${init.hint}` : "");
    const ssaConflict = code === "Conflict" && isFieldManagerConflict(init.body);
    const advice = ssaConflict ? FIELD_MANAGER_CONFLICT_ADVICE : ADVICE[code];
    super(code, `${init.method} ${init.path}: ${what}${advice ? `. ${advice}` : ""}`, { retryable: RETRYABLE.has(code) && !ssaConflict });
    this.name = "ApiError";
    this.status = init.status;
    this.body = init.body;
    this.causes = init.body?.details?.causes ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds ?? init.body?.details?.retryAfterSeconds;
  }
}
