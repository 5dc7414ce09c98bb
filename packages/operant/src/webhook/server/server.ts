// The webhook server: HTTPS answering AdmissionReviews at each webhook's path
// and ConversionReviews at /convert. HTTP/2 (node:http2), with HTTP/1.1 for
// clients that do not offer it: the API server's webhook client negotiates h2
// and then multiplexes every concurrent call over one connection, where over
// HTTP/1.1 it opens a connection (a TLS handshake, ~1 ms of this process's CPU)
// per concurrent call and drops those beyond its idle pool — under load, a
// handshake storm (measured in bench/peers: CPU per request 1.01 ms at
// 200 requests/s over HTTP/1.1). Its certificate comes from a
// CertificateSource; when the source rotates, the server swaps its secure
// context in place (new handshakes get the new certificate, connections in
// flight keep theirs), so no request fails. It runs on every replica.
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from "node:http2";
import type { IncomingMessage, ServerResponse } from "node:http";
import { once } from "node:events";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { OperantError, isOperantError } from "../../core/errors.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import type { KeyPair } from "../../pki/pki.ts";
import type { AdmissionWebhook } from "../admission/admission.ts";
import type { ConversionDefinition } from "../conversion/conversion.ts";
import type { CertificateSource } from "../certificates/source.ts";
import { admissionReview, conversionReview, parseAdmissionReview, parseConversionReview, type ConversionResponseWire } from "../review/review.ts";

/**
 * Options of {@link WebhookServer}.
 *
 * @example
 * ```ts
 * const server = new WebhookServer({ webhooks: [memcachedValidator], conversions: [memcachedConversion], certificates } satisfies WebhookServerOptions);
 * ```
 */
export interface WebhookServerOptions {
  /** Admission webhooks, each served at its `path`. */
  webhooks?: readonly AdmissionWebhook[];
  /** Conversions, served at `/convert` (one path for every resource, told apart by group and kind). */
  conversions?: readonly ConversionDefinition[];
  /** Where the serving certificate comes from: `staticCertificates`, `CertificateDirectory` or `ManagedCertificates`. */
  certificates: CertificateSource;
  /**
   * Host and port (default `127.0.0.1:9443`: loopback). In a Pod, listen on
   * all interfaces (`:9443`, what the generated Deployment passes with
   * `--webhook-bind-address`) so that the Service reaches it.
   */
  bindAddress?: string;
  /** Largest request body accepted (default 8 MiB: an object and its old version, each up to 1.5 MiB, with room). */
  maxBodyBytes?: number;
  logger?: Logger;
}

/**
 * Counts of what the server answered (for tests and status pages).
 *
 * @example
 * ```ts
 * assert.equal(server.stats.failed, 0);
 * ```
 */
export interface WebhookServerStats {
  /** Admission and conversion reviews answered with 200. */
  answered: number;
  /** Requests refused with 4xx (malformed body, unknown path, wrong method). */
  rejected: number;
  /** Handler failures (answered, but with code 500 or a conversion Failure). */
  failed: number;
  /** Times the secure context was swapped for a rotated certificate. */
  rotations: number;
}

function parseBind(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(":");
  const port = Number(address.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new OperantError("InvalidArgument", `webhook bind address "${address}" is not valid: use "127.0.0.1:9443", ":9443" (all interfaces) or "127.0.0.1:0" for any free port.`);
  }
  const host = address.slice(0, i);
  return { host: host === "" ? "::" : host.replace(/^\[(.*)\]$/, "$1"), port };
}

/**
 * Serves admission and conversion webhooks over HTTPS. Add it to a Manager
 * (it runs on every replica, leader or not), or `listen()` / `close()` it
 * yourself.
 *
 * @example
 * ```ts
 * const server = new WebhookServer({
 *   webhooks: [validateMemcached, defaultMemcached],
 *   conversions: [memcachedConversion],
 *   certificates: new ManagedCertificates({ client, namespace: "memcached-operator-system", service: "memcached-operator-webhook" }),
 * });
 * manager.add(server);
 * ```
 */
export class WebhookServer {
  readonly name = "webhook-server";
  /** Webhooks serve on every replica: the API server calls whichever Pod the Service picks. */
  readonly needsLeaderElection = false;
  readonly stats: WebhookServerStats = { answered: 0, rejected: 0, failed: 0, rotations: 0 };
  readonly #options: WebhookServerOptions;
  readonly #routes = new Map<string, AdmissionWebhook>();
  readonly #log: Logger;
  readonly #stop = new AbortController();
  #server: Http2SecureServer | undefined;
  #unsubscribe: (() => void) | undefined;
  /** HTTP/2 sessions, closed gracefully (GOAWAY, streams in flight finish) by close(). */
  readonly #sessions = new Set<ServerHttp2Session>();
  /** HTTP/1.1 connections and the requests in flight on each: idle ones are ended by close(). */
  readonly #http1 = new Map<Socket, number>();
  #closing = false;

  constructor(options: WebhookServerOptions) {
    this.#options = options;
    this.#log = (options.logger ?? silentLogger).child({ component: "webhook-server" });
    for (const w of options.webhooks ?? []) {
      const other = this.#routes.get(w.path);
      if (other) throw new OperantError("InvalidWebhook", `webhooks ${other.name} and ${w.name} both use path ${w.path}: give one another path.`);
      this.#routes.set(w.path, w);
    }
    const kinds = new Set<string>();
    for (const c of options.conversions ?? []) {
      const key = `${c.kind}.${c.group}`;
      if (kinds.has(key)) throw new OperantError("InvalidWebhook", `two conversions for ${key}: declare one, with every version as a spoke.`);
      kinds.add(key);
    }
  }

  /** The port listened on (after {@link WebhookServer.listen}). */
  get port(): number {
    const a = this.#server?.address() as AddressInfo | null | undefined;
    if (!a) throw new OperantError("InvalidArgument", "the webhook server is not listening: call listen() (or start the manager) first.");
    return a.port;
  }

  /** Loads the certificate, then listens. Resolves once listening. */
  async listen(signal?: AbortSignal): Promise<void> {
    if (this.#server) return;
    const pair = await this.#options.certificates.start(signal ?? this.#stop.signal);
    const server = createSecureServer({ cert: pair.certPem, key: pair.keyPem, minVersion: "TLSv1.2", allowHTTP1: true }, (req, res) => void this.#handle(req, res));
    // HTTP/1.1 connections (served by node:http under the hood) stay open between calls.
    (server as unknown as { keepAliveTimeout: number }).keepAliveTimeout = 30_000;
    server.on("session", (session: ServerHttp2Session) => {
      this.#sessions.add(session);
      session.on("close", () => this.#sessions.delete(session));
      if (this.#closing) session.close();
    });
    server.on("secureConnection", (socket: TLSSocket) => {
      if (socket.alpnProtocol === "h2") return;
      this.#http1.set(socket, 0);
      socket.on("close", () => this.#http1.delete(socket));
    });
    this.#unsubscribe = this.#options.certificates.subscribe((next) => this.#rotate(next));
    const { host, port } = parseBind(this.#options.bindAddress ?? "127.0.0.1:9443");
    server.listen(port, host);
    await Promise.race([once(server, "listening"), once(server, "error").then(([err]) => Promise.reject(new OperantError("InvalidArgument", `the webhook server cannot listen on ${host}:${port}: ${(err as Error).message}`, { cause: err })))]);
    this.#server = server;
    this.#log.info({ address: server.address(), webhooks: [...this.#routes.keys()], conversions: (this.#options.conversions ?? []).map((c) => `${c.kind}.${c.group}`) }, "webhook server listening");
  }

  #rotate(pair: KeyPair): void {
    if (!this.#server) return;
    this.#server.setSecureContext({ cert: pair.certPem, key: pair.keyPem, minVersion: "TLSv1.2" });
    this.stats.rotations++;
    this.#log.info({}, "webhook server certificate rotated");
  }

  /** Stops listening and closes idle connections; requests in flight finish. */
  async close(): Promise<void> {
    this.#unsubscribe?.();
    this.#stop.abort(new OperantError("WebhookRequestAborted", "the webhook server closed while the handler ran"));
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    this.#closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const session of this.#sessions) session.close();
    for (const [socket, inFlight] of this.#http1) if (inFlight === 0) socket.end();
    await closed;
  }

  /** Runnable: listens until `signal` aborts, then closes. */
  async start(signal: AbortSignal): Promise<void> {
    await this.listen(signal);
    if (!signal.aborted) await once(signal, "abort");
    await this.close();
  }

  async #handle(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): Promise<void> {
    const socket = req.httpVersionMajor === 1 ? req.socket : undefined;
    if (socket) this.#http1.set(socket, (this.#http1.get(socket) ?? 0) + 1);
    try {
      await this.#serve(req, res);
    } finally {
      if (socket && this.#http1.has(socket)) this.#http1.set(socket, this.#http1.get(socket)! - 1);
    }
  }

  async #serve(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    if (req.method === "GET" && (path === "/healthz" || path === "/readyz")) return this.#send(res, 200, "ok", "text/plain");
    if (req.method !== "POST") return this.#refuse(res, 405, `${req.method} is not allowed: the API server POSTs reviews.`);
    const webhook = this.#routes.get(path);
    if (!webhook && path !== "/convert") return this.#refuse(res, 404, `no webhook is served at ${path}: check clientConfig's path (served: ${[...this.#routes.keys(), "/convert"].join(", ")}).`);
    let body: string;
    try {
      body = await this.#read(req);
    } catch (err) {
      return this.#refuse(res, 413, (err as Error).message);
    }
    const done = new AbortController();
    const onClose = (): void => done.abort(new OperantError("WebhookRequestAborted", "the API server closed the connection before the answer (its timeoutSeconds passed)"));
    res.on("close", onClose);
    try {
      if (webhook) {
        const request = parseAdmissionReview(body);
        const response = await webhook.review(request, AbortSignal.any([done.signal, this.#stop.signal]));
        if (!response.allowed && response.status?.code === 500) {
          this.stats.failed++;
          this.#log.warn({ webhook: webhook.name, uid: request.uid, err: response.status.message }, "admission handler failed");
        }
        this.stats.answered++;
        this.#send(res, 200, JSON.stringify(admissionReview(response)), "application/json");
      } else {
        const request = parseConversionReview(body);
        const response = this.#convert(request.uid, request.desiredAPIVersion, request.objects);
        if (response.result.status === "Failure") this.stats.failed++;
        this.stats.answered++;
        this.#send(res, 200, JSON.stringify(conversionReview(response)), "application/json");
      }
    } catch (err) {
      if (isOperantError(err, "MalformedReview")) return this.#refuse(res, 400, err.message);
      this.stats.failed++;
      this.#log.error({ err: (err as Error).message }, "webhook request failed");
      this.#send(res, 500, JSON.stringify({ error: (err as Error).message }), "application/json");
    } finally {
      res.off("close", onClose);
    }
  }

  #convert(uid: string, desired: string, objects: Record<string, unknown>[]): ConversionResponseWire {
    const group = desired.split("/")[0];
    try {
      const convertedObjects = objects.map((o) => {
        const c = (this.#options.conversions ?? []).find((d) => d.group === group && d.kind === o.kind);
        if (!c) throw new OperantError("ConversionFailed", `no conversion is declared for ${String(o.kind)} in group ${String(group)}: add it to the webhook server's conversions.`);
        return c.convert(o, desired);
      });
      return { uid, convertedObjects, result: { status: "Success" } };
    } catch (err) {
      this.#log.warn({ uid, err: (err as Error).message }, "conversion failed");
      return { uid, convertedObjects: [], result: { status: "Failure", message: (err as Error).message } };
    }
  }

  async #read(req: IncomingMessage | Http2ServerRequest): Promise<string> {
    const limit = this.#options.maxBodyBytes ?? 8 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new Error(`the request body is larger than ${limit} bytes (maxBodyBytes).`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  #refuse(res: ServerResponse | Http2ServerResponse, status: number, message: string): void {
    this.stats.rejected++;
    this.#log.warn({ status, err: message }, "webhook request refused");
    this.#send(res, status, JSON.stringify({ error: message }), "application/json");
  }

  #send(res: ServerResponse | Http2ServerResponse, status: number, body: string, type: string): void {
    if (res.headersSent || ("stream" in res ? res.stream.destroyed : res.destroyed)) return;
    // Closing: an HTTP/1.1 connection is ended after this answer (HTTP/2 sessions got a GOAWAY).
    const headers = { "content-type": type, "content-length": Buffer.byteLength(body), ...(this.#closing && !("stream" in res) && { connection: "close" }) };
    // Both responses take writeHead(status, headers); TypeScript cannot call the union of their overloads.
    (res as ServerResponse).writeHead(status, headers);
    res.end(body);
  }
}
