// HTTP to the API server over undici: keep-alive connections, TLS and
// credentials from the cluster config, the kubeconfig's proxy-url (HTTP(S)
// CONNECT or SOCKS5), a client-side rate limit, typed errors, Retry-After
// honoured, credentials refreshed once after a 401, and streaming responses
// for watches.
import type { Readable } from "node:stream";
import { Agent, errors as undiciErrors, ProxyAgent, Socks5ProxyAgent, type Dispatcher } from "undici";
import { OperantError } from "../../core/errors.ts";
import { sleep } from "../../core/time.ts";
import { TokenBucket } from "../../core/token-bucket.ts";
import type { ClusterConfig } from "../config/index.ts";
import { PROTOBUF_MEDIA_TYPE, tryDecodeStatus } from "../protobuf/envelope.ts";
import { ApiError, type Status } from "./api-error.ts";

/**
 * Options for {@link Transport}.
 *
 * @example
 * ```ts
 * const client = await Client.connect({ qps: 50, burst: 100, timeoutMs: 10_000 } satisfies TransportOptions);
 * ```
 */
export interface TransportOptions {
  /** Requests per second allowed to the API server (default 20, as controller-runtime). `Infinity` disables the limit. */
  qps?: number;
  /** Requests allowed in a burst (default 30). */
  burst?: number;
  /**
   * Timeout of a non-streaming request (default 30 s), counted from the request's turn under the rate limit:
   * it covers waiting for credentials (an exec plugin's run, which goes on for other callers; the plugin has
   * its own limit, `credentialPluginTimeoutMs` of the cluster config), the connection and the whole answer.
   * Watches have no overall timeout (only one for the response headers).
   */
  timeoutMs?: number;
  /** How many times a 429/503 with Retry-After is retried before giving up (default 5). */
  maxRetries?: number;
  /** `User-Agent` header (default `operant/<version>`). */
  userAgent?: string;
  /** Called after each attempt of each request (retries count apiece, as client-go's metrics do): the Manager feeds `rest_client_*` metrics from it. */
  onRequestDone?: (done: RequestDone) => void;
}

/**
 * One finished request attempt, as client-go's REST client metrics see it.
 *
 * @example
 * ```ts
 * const done: RequestDone = { method: "GET", host: "127.0.0.1:6443", code: "200", seconds: 0.004 };
 * ```
 */
export interface RequestDone {
  method: ApiRequest["method"];
  /** host:port of the API server. */
  host: string;
  /** The HTTP status code, or `<error>` when no response came (client-go's label value). */
  code: string;
  /** From sending to the response's headers. */
  seconds: number;
}

/**
 * One HTTP request to the API server.
 *
 * @example
 * ```ts
 * const req: ApiRequest = { method: "GET", path: "/api/v1/namespaces/default/pods", query: { limit: 10 } };
 * const res = await client.transport.request<ObjectList<Pod>>(req);
 * ```
 */
export interface ApiRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Absolute path, e.g. `/api/v1/namespaces/default/pods`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** A value to send as JSON, or a string sent as is. */
  body?: unknown;
  /** Content type of `body` (default `application/json`). */
  contentType?: string;
  /** `Accept` header (default `application/json`). */
  accept?: string;
  signal?: AbortSignal | undefined;
  /** Overrides the transport's timeout for this request (0: none, for streams). */
  timeoutMs?: number;
}

/**
 * A complete response with its parsed JSON body.
 *
 * @example
 * ```ts
 * const res: ApiResponse<{ gitVersion: string }> = await client.transport.request({ method: "GET", path: "/version" });
 * console.log(res.status, res.body.gitVersion);
 * ```
 */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

const VERSION = "0.1.0";

function buildQuery(query: ApiRequest["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : "";
}

function header(headers: ApiResponse["headers"], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date). */
function retryAfterSeconds(headers: ApiResponse["headers"]): number | undefined {
  const v = header(headers, "retry-after");
  if (v === undefined) return undefined;
  const n = Number(v);
  if (Number.isFinite(n)) return Math.max(0, n);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "UND_ERR_CONNECT_TIMEOUT"]);

/** A proxy URL without its password, for messages. */
function redactProxy(proxyUrl: string): string {
  const u = new URL(proxyUrl);
  if (u.password) u.password = "***";
  return u.toString();
}

/** Turns an undici/network failure into an OperantError; leaves aborts and our own errors alone. */
function networkError(err: unknown, req: ApiRequest, server: string, signal: AbortSignal | undefined): unknown {
  if (err instanceof OperantError) return err;
  if (req.signal?.aborted) return req.signal.reason;
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code;
  if (signal?.aborted || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return new OperantError("Timeout", `${req.method} ${req.path}: no answer from ${server} in time. Retry; if it persists, check the API server's health.`, { cause: err, retryable: true });
  }
  if (code && NETWORK_CODES.has(code)) {
    return new OperantError("ConnectionFailed", `${req.method} ${req.path}: cannot reach the API server at ${server} (${code}). Check that the cluster is running and the kubeconfig's server address is right.`, { cause: err, retryable: true });
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|DEPTH_ZERO/.test(code)) {
    return new OperantError("TlsFailed", `${req.method} ${req.path}: TLS with ${server} failed (${code}): the kubeconfig's certificate-authority does not match the server's certificate.`, { cause: err });
  }
  return new OperantError("ConnectionFailed", `${req.method} ${req.path}: request to ${server} failed: ${e.message}`, { cause: err, retryable: true });
}

/**
 * The HTTP layer under {@link Client}. One per cluster; share it.
 *
 * @example
 * ```ts
 * const transport = new Transport(await loadClusterConfig(), { qps: 50, burst: 100 });
 * const res = await transport.request({ method: "GET", path: "/version" });
 * ```
 */
export class Transport {
  readonly config: ClusterConfig;
  readonly #bucket: TokenBucket | undefined;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #userAgent: string;
  readonly #onRequestDone: ((done: RequestDone) => void) | undefined;
  readonly #host: string;
  /** The server's scheme, host and port, and the path it is served under (a kubeconfig's server may have one, e.g. behind a gateway). */
  readonly #origin: string;
  readonly #pathPrefix: string;
  /** The server as error messages name it (with the proxy, if any). */
  readonly #target: string;
  #agent: Dispatcher;
  #agentCert: string | undefined;
  #closed = false;
  /** Requests given up on (aborted) that undici has not finished yet; see {@link Transport.close}. */
  readonly #abandoned = new Set<Promise<unknown>>();

  constructor(config: ClusterConfig, options: TransportOptions = {}) {
    this.config = config;
    const qps = options.qps ?? 20;
    this.#bucket = qps === Infinity ? undefined : new TokenBucket({ qps, burst: options.burst ?? 30 });
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxRetries = options.maxRetries ?? 5;
    this.#userAgent = options.userAgent ?? `operant/${VERSION} (node ${process.version})`;
    this.#onRequestDone = options.onRequestDone;
    const server = URL.canParse(config.server) ? new URL(config.server) : undefined;
    this.#host = server?.host ?? config.server;
    this.#origin = server?.origin ?? config.server;
    this.#pathPrefix = server ? server.pathname.replace(/\/+$/, "") : "";
    this.#target = config.proxyUrl === undefined ? config.server : `${config.server} through the proxy ${redactProxy(config.proxyUrl)}`;
    this.#agent = this.#newAgent(config.tls.cert, config.tls.key);
    this.#agentCert = config.tls.cert;
  }

  /**
   * The dispatcher for the API server: direct, or through the kubeconfig's
   * `proxy-url` (HTTP(S) proxies by CONNECT, or SOCKS5), with TLS to the API
   * server end to end either way.
   */
  #newAgent(cert: string | undefined, key: string | undefined): Dispatcher {
    const { tls, proxyUrl } = this.config;
    const serverTls = {
      ...(tls.ca && { ca: tls.ca }),
      ...(cert && { cert }),
      ...(key && { key }),
      rejectUnauthorized: !tls.insecureSkipVerify,
      ...(tls.serverName && { servername: tls.serverName }),
    };
    const keepAlive = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 };
    if (proxyUrl === undefined) return new Agent({ ...keepAlive, connect: serverTls });
    const scheme = new URL(proxyUrl).protocol;
    if (scheme === "http:" || scheme === "https:") return new ProxyAgent({ ...keepAlive, uri: proxyUrl, requestTls: serverTls });
    if (scheme === "socks5:") return new Socks5ProxyAgent(proxyUrl, { ...keepAlive, requestTls: serverTls });
    throw new OperantError(
      "KubeconfigUnsupported",
      `${this.config.source}: proxy-url ${redactProxy(proxyUrl)} uses the scheme "${scheme.slice(0, -1)}", which operant does not support. Use an http://, https:// or socks5:// proxy.`,
    );
  }

  /** Prepares headers with fresh credentials; swaps the agent if the client certificate changed (exec plugins may rotate it). */
  async #headers(req: ApiRequest, signal: AbortSignal | undefined, timeout: AbortSignal | undefined, timeoutMs: number): Promise<Record<string, string>> {
    let creds;
    try {
      creds = await this.config.credentials.get(signal);
    } catch (err) {
      if (timeout?.aborted && !req.signal?.aborted) {
        throw new OperantError(
          "Timeout",
          `${req.method} ${req.path}: credentials were not ready within ${timeoutMs} ms (an exec credential plugin still running?). Retry; if it persists, run the kubeconfig user's credential command by hand.`,
          { cause: err, retryable: true },
        );
      }
      throw err;
    }
    const cert = creds.cert ?? this.config.tls.cert;
    if (cert !== this.#agentCert) {
      const old = this.#agent;
      this.#agent = this.#newAgent(cert, creds.key ?? this.config.tls.key);
      this.#agentCert = cert;
      void old.close();
    }
    const headers: Record<string, string> = { accept: req.accept ?? "application/json", "user-agent": this.#userAgent };
    if (creds.authorization) headers.authorization = creds.authorization;
    if (req.body !== undefined) headers["content-type"] = req.contentType ?? "application/json";
    return headers;
  }

  async #send(req: ApiRequest, streaming: boolean): Promise<Dispatcher.ResponseData> {
    if (this.#closed) throw new OperantError("ClientClosed", `${req.method} ${req.path}: the client was closed. Create a new one.`);
    const timeoutMs = req.timeoutMs ?? (streaming ? 0 : this.#timeoutMs);
    let unauthorizedRetried = false;
    for (let attempt = 0; ; attempt++) {
      if (this.#bucket) await this.#bucket.take(req.signal);
      const timeout = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
      const signal = timeout && req.signal ? AbortSignal.any([req.signal, timeout]) : (timeout ?? req.signal);
      let res: Dispatcher.ResponseData;
      const started = performance.now();
      const done = (code: string) => this.#onRequestDone?.({ method: req.method, host: this.#host, code, seconds: (performance.now() - started) / 1000 });
      try {
        const headers = await this.#headers(req, signal, timeout, timeoutMs);
        // The dispatcher's own request (undici's top-level `request` only adds URL parsing and a global
        // dispatcher): `operant build` bundles undici's dispatchers without its fetch, WebSocket and mocks.
        const sent = this.#agent.request({
          origin: this.#origin,
          path: this.#pathPrefix + req.path + buildQuery(req.query),
          method: req.method,
          headers,
          ...(req.body !== undefined && { body: typeof req.body === "string" ? req.body : JSON.stringify(req.body) }),
          ...(signal && { signal }),
          headersTimeout: timeoutMs || this.#timeoutMs,
          bodyTimeout: streaming ? 0 : timeoutMs,
        });
        res = await this.#settleOnAbort(sent, signal);
      } catch (err) {
        done("<error>");
        throw networkError(err, req, this.#target, timeout);
      }
      done(String(res.statusCode));
      if (res.statusCode < 300) return res;
      if (res.statusCode < 400) {
        // The API server never redirects; following one would send credentials elsewhere, and treating it as
        // success would hand the caller an empty answer.
        await res.body.dump().catch(() => {});
        const location = header(res.headers, "location");
        throw new OperantError(
          "UnexpectedRedirect",
          `${req.method} ${req.path}: ${this.#target} answered ${res.statusCode} with a redirect${location ? ` to ${location}` : " (no Location)"}, which the API server never sends: ` +
            `something else answered (a login page, a load balancer, a URL with a missing or extra path prefix). Check the kubeconfig's server address; operant does not follow redirects, so credentials are not sent on.`,
        );
      }

      const raw = Buffer.from(await res.body.arrayBuffer().catch(() => new ArrayBuffer(0)));
      let status: Status | undefined;
      let text: string;
      if (header(res.headers, "content-type")?.startsWith(PROTOBUF_MEDIA_TYPE)) {
        // Asked for protobuf: errors come as a protobuf Status.
        status = tryDecodeStatus(raw);
        text = status?.message ?? "";
      } else {
        text = raw.toString("utf8");
        try {
          status = JSON.parse(text) as Status;
        } catch {
          status = undefined;
        }
      }
      const retryAfter = retryAfterSeconds(res.headers);
      if (res.statusCode === 401 && !unauthorizedRetried) {
        unauthorizedRetried = true;
        this.config.credentials.invalidate();
        continue;
      }
      if ((res.statusCode === 429 || res.statusCode === 503) && retryAfter !== undefined && attempt < this.#maxRetries) {
        await sleep(Math.min(retryAfter, 60) * 1000, req.signal);
        continue;
      }
      throw new ApiError({ method: req.method, path: req.path, status: res.statusCode, body: status?.kind === "Status" ? status : undefined, text, retryAfterSeconds: retryAfter });
    }
  }

  /**
   * Settles with `p`, or rejects with the signal's reason as soon as it
   * aborts. undici does not give up a request whose connection is still in
   * its TLS handshake until its connect timeout (10 s), so without this an
   * abort, or `timeoutMs`, against a server that accepts connections but never
   * answers would wait that long. A response that still arrives is discarded.
   */
  #settleOnAbort(p: Promise<Dispatcher.ResponseData>, signal: AbortSignal | undefined): Promise<Dispatcher.ResponseData> {
    if (!signal) return p;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        reject(signal.reason as Error);
        const late = p.then(
          (res) => res.body.destroy(),
          () => {},
        );
        this.#abandoned.add(late);
        void late.finally(() => this.#abandoned.delete(late));
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener("abort", onAbort, { once: true });
      p.then(
        (res) => {
          signal.removeEventListener("abort", onAbort);
          resolve(res);
        },
        (err: Error) => {
          signal.removeEventListener("abort", onAbort);
          reject(err);
        },
      );
    });
  }

  /** Sends a request and returns the parsed JSON body. Errors become {@link ApiError} or OperantError (`ConnectionFailed`, `Timeout`, `TlsFailed`). */
  async request<T = unknown>(req: ApiRequest): Promise<ApiResponse<T>> {
    const res = await this.#send(req, false);
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw networkError(err, req, this.#target, undefined);
    }
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new OperantError("InvalidResponse", `${req.method} ${req.path}: the API server sent a body that is not JSON (${text.slice(0, 120)}…)`, { cause: err });
      }
    }
    return { status: res.statusCode, headers: res.headers, body: body as T };
  }

  /**
   * Sends a request and returns the response body as bytes with its
   * Content-Type (for answers that may be protobuf). Errors as {@link Transport.request}.
   */
  async requestBytes(req: ApiRequest): Promise<{ status: number; headers: ApiResponse["headers"]; contentType: string; body: Buffer }> {
    const res = await this.#send(req, false);
    let body: Buffer;
    try {
      body = Buffer.from(await res.body.arrayBuffer());
    } catch (err) {
      throw networkError(err, req, this.#target, undefined);
    }
    return { status: res.statusCode, headers: res.headers, contentType: header(res.headers, "content-type") ?? "", body };
  }

  /** Sends a request and returns the response body as a stream (for watches). The caller must consume or destroy it. */
  async stream(req: ApiRequest): Promise<{ status: number; headers: ApiResponse["headers"]; body: Readable }> {
    const res = await this.#send(req, true);
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  /**
   * Refuses further requests and closes the connections once requests in
   * flight are done. Requests that were aborted but are still stuck in
   * undici (a connection hanging in its TLS handshake) are not waited for:
   * then the connections are destroyed at once.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#abandoned.size > 0) await this.#agent.destroy();
    else await this.#agent.close();
  }
}
