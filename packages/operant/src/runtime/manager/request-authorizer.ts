// Who may read the manager's metrics (and, if asked, its status page): the
// bearer token of each request is checked by the API server with a
// TokenReview, and the user it names is authorised with a SubjectAccessReview
// for the non-resource URL and verb, as controller-runtime's
// `filters.WithAuthenticationAndAuthorization` does. Answers are cached
// briefly (keyed by a hash of the token, never the token itself) so that a
// Prometheus scraping every few seconds costs two API calls per cache period.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Client } from "../../client/client.ts";
import { defineKind, type Kind } from "../../core/kind.ts";
import type { KubeObject } from "../../core/object.ts";
import { toMillis, type Duration } from "../../core/time.ts";

interface TokenReview extends KubeObject {
  spec: { token: string; audiences?: string[] };
  status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> }; error?: string };
}

interface SubjectAccessReview extends KubeObject {
  spec: { user?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]>; nonResourceAttributes?: { path: string; verb: string } };
  status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

const TokenReviewKind: Kind<TokenReview> = defineKind<TokenReview>({ group: "authentication.k8s.io", version: "v1", kind: "TokenReview", plural: "tokenreviews", namespaced: false });
const SubjectAccessReviewKind: Kind<SubjectAccessReview> = defineKind<SubjectAccessReview>({ group: "authorization.k8s.io", version: "v1", kind: "SubjectAccessReview", plural: "subjectaccessreviews", namespaced: false });

/**
 * What {@link RequestAuthorizer.check} decided: `200` (go on), `401` (no or
 * a bad token), `403` (a known user without the permission) or `500` (the
 * API server could not be asked; not cached).
 *
 * @example
 * ```ts
 * const d = await authorizer.check(req);
 * if (d.status !== 200) { res.statusCode = d.status; res.end(d.message); }
 * ```
 */
export interface AuthorizationDecision {
  readonly status: 200 | 401 | 403 | 500;
  /** The user the token belongs to (when it authenticated). */
  readonly user?: string;
  /** Why, for the response body and logs. */
  readonly message: string;
}

/** Options of {@link RequestAuthorizer}. */
export interface RequestAuthorizerOptions {
  /** The client that creates TokenReviews and SubjectAccessReviews (its identity needs `create` on both). */
  client: Client;
  /** How long a decision is reused for the same token, path and verb (default 10 s). */
  cacheTtl?: Duration;
  /** At most this many cached decisions; the oldest go first (default 1024). */
  cacheSize?: number;
  /** Audiences the token must be for (default: the API server's). */
  audiences?: readonly string[];
  /** Milliseconds since the epoch (tests pass a fake). */
  now?: () => number;
}

/**
 * Authenticates a request's bearer token (TokenReview) and authorises its
 * user for a non-resource URL and verb (SubjectAccessReview): what the
 * manager's secure metrics server asks of every request. Grant a reader with
 * a ClusterRole rule `{ nonResourceURLs: ["/metrics"], verbs: ["get"] }`.
 *
 * @example
 * ```ts
 * const authorizer = new RequestAuthorizer({ client });
 * const decision = await authorizer.check(req, "/metrics", "get");   // { status: 403, user: "system:serviceaccount:ns:sa", … }
 * ```
 */
export class RequestAuthorizer {
  readonly #client: Client;
  readonly #ttl: number;
  readonly #size: number;
  readonly #audiences: readonly string[] | undefined;
  readonly #now: () => number;
  readonly #cache = new Map<string, { at: number; decision: AuthorizationDecision }>();
  /** API calls made (TokenReviews and SubjectAccessReviews), for tests and status. */
  reviews = 0;

  constructor(options: RequestAuthorizerOptions) {
    this.#client = options.client;
    this.#ttl = toMillis(options.cacheTtl ?? "10s");
    this.#size = Math.max(1, options.cacheSize ?? 1024);
    this.#audiences = options.audiences;
    this.#now = options.now ?? Date.now;
  }

  /** Decides for `req`, whose URL path is checked as `path` (default: the request's own path) with `verb` (default: the request's method, lower-cased: `get`). */
  async check(req: IncomingMessage, path?: string, verb?: string): Promise<AuthorizationDecision> {
    const token = bearerToken(req.headers.authorization);
    if (!token) return { status: 401, message: "Unauthorized: send the ServiceAccount token as `Authorization: Bearer <token>`." };
    const url = path ?? new URL(req.url ?? "/", "http://x").pathname;
    const v = verb ?? (req.method ?? "GET").toLowerCase();
    const key = `${createHash("sha256").update(token).digest("hex")} ${v} ${url}`;
    const now = this.#now();
    const hit = this.#cache.get(key);
    if (hit && now - hit.at < this.#ttl) return hit.decision;
    if (hit) this.#cache.delete(key);
    let decision: AuthorizationDecision;
    try {
      decision = await this.#review(token, url, v);
    } catch (err) {
      return { status: 500, message: `cannot check the token with the API server: ${(err as Error).message}` };
    }
    this.#cache.set(key, { at: now, decision });
    while (this.#cache.size > this.#size) this.#cache.delete(this.#cache.keys().next().value!);
    return decision;
  }

  async #review(token: string, path: string, verb: string): Promise<AuthorizationDecision> {
    this.reviews++;
    const tr = await this.#client.create(TokenReviewKind, { metadata: {}, spec: { token, ...(this.#audiences && { audiences: [...this.#audiences] }) } });
    const user = tr.status?.user;
    if (!tr.status?.authenticated || !user?.username) return { status: 401, message: `Unauthorized: the token was not accepted${tr.status?.error ? ` (${tr.status.error})` : ""}.` };
    this.reviews++;
    const sar = await this.#client.create(SubjectAccessReviewKind, {
      metadata: {},
      spec: { user: user.username, ...(user.uid && { uid: user.uid }), groups: user.groups ?? [], ...(user.extra && { extra: user.extra }), nonResourceAttributes: { path, verb } },
    });
    if (sar.status?.allowed) return { status: 200, user: user.username, message: "allowed" };
    return { status: 403, user: user.username, message: `Forbidden: user "${user.username}" may not ${verb} ${path}${sar.status?.reason ? ` (${sar.status.reason})` : ""}: bind it to a ClusterRole with { nonResourceURLs: ["${path}"], verbs: ["${verb}"] } (the generated <operator>-metrics-reader).` };
  }
}

/** The token of an `Authorization: Bearer <token>` header, else undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1];
}
