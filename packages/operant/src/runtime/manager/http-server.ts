// The manager's HTTP endpoints: /metrics (Prometheus), /healthz and /readyz
// (kube-style checks with ?verbose), and whatever else is mounted (the status
// page). One server per bind address; metrics and probes may share one.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { OperantError } from "../../core/errors.ts";

/** A handler for one path. */
export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A named check: returns nothing when healthy, throws or returns a message when not. */
export type Check = () => void | string | undefined | Promise<void | string | undefined>;

/**
 * A serving certificate that may change (the shape of operant/webhook's
 * `CertificateSource`: `ManagedCertificates`, `CertificateDirectory`,
 * `staticCertificates` all fit).
 *
 * @example
 * ```ts
 * const tls: TlsSource = new CertificateDirectory({ directory: "/tmp/k8s-metrics-server/serving-certs" });
 * ```
 */
export interface TlsSource {
  start(signal: AbortSignal): Promise<{ certPem: string; keyPem: string }>;
  subscribe(listener: (pair: { certPem: string; keyPem: string }) => void): () => void;
}

/** Something asked before any route: answer `undefined` to go on, or a status and message to refuse with. */
export type Guard = (req: IncomingMessage) => Promise<{ status: number; message: string } | undefined>;

/** Whether a bind address is a loopback one (`127.x.x.x`, `::1`, `localhost`); `":8080"` (all interfaces) is not. */
export function isLoopback(address: string): boolean {
  const { host } = parseBindAddress(address);
  if (host === undefined) return false;
  const h = host.replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Parses `":8080"`, `"127.0.0.1:0"`, `"0.0.0.0:9090"` into host and port. */
export function parseBindAddress(address: string): { host: string | undefined; port: number } {
  const i = address.lastIndexOf(":");
  const host = i > 0 ? address.slice(0, i) : undefined;
  const port = Number(address.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new OperantError("InvalidArgument", `bind address "${address}" is not valid: use ":8080", "127.0.0.1:8080" or ":0" for any free port.`);
  }
  return { host: host === "" ? undefined : host, port };
}

/**
 * Runs the checks and answers like the API server's /healthz and /readyz:
 * `ok` (200) or a list of failures (500); `?verbose` lists every check.
 */
export async function answerChecks(checks: Map<string, Check>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const verbose = new URL(req.url ?? "/", "http://x").searchParams.has("verbose");
  const lines: string[] = [];
  let ok = true;
  for (const [name, check] of checks) {
    let failure: string | undefined;
    try {
      failure = (await check()) ?? undefined;
    } catch (err) {
      failure = (err as Error).message;
    }
    if (failure) ok = false;
    lines.push(failure ? `[-]${name} failed: ${failure}` : `[+]${name} ok`);
  }
  res.statusCode = ok ? 200 : 500;
  res.setHeader("content-type", "text/plain; charset=utf-8");
  res.setHeader("x-content-type-options", "nosniff");
  if (ok && !verbose) res.end("ok");
  else res.end(`${lines.join("\n")}\n${ok ? "check passed" : "check failed"}\n`);
}

/**
 * A minimal router over node's http server.
 *
 * @example
 * ```ts
 * const srv = new RouterServer(); srv.route("/healthz", handler); const addr = await srv.listen(":8081");
 * ```
 */
export class RouterServer {
  readonly #routes = new Map<string, Route>();
  #server: Server | undefined;

  route(path: string, handler: Route): void {
    this.#routes.set(path, handler);
  }

  #unsubscribe: (() => void) | undefined;
  readonly #stopTls = new AbortController();

  /**
   * Listens and returns the actual `host:port`. With `tls`, serves HTTPS
   * and swaps the certificate in place when the source rotates it; with
   * `guard`, every request is asked about first (authentication).
   */
  async listen(address: string, options: { tls?: TlsSource; guard?: Guard } = {}): Promise<string> {
    const { host, port } = parseBindAddress(address);
    const guard = options.guard;
    const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const handler = this.#routes.get(path) ?? this.#routes.get(path.replace(/\/+$/, "") || "/");
      if (!handler) {
        res.statusCode = 404;
        res.end(`not found: ${path}\n`);
        return;
      }
      if (guard) {
        const refusal = await guard(req);
        if (refusal) {
          res.statusCode = refusal.status;
          res.setHeader("content-type", "text/plain; charset=utf-8");
          if (refusal.status === 401) res.setHeader("www-authenticate", 'Bearer realm="operant"');
          res.end(`${refusal.message}\n`);
          return;
        }
      }
      await handler(req, res);
    };
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      serve(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.statusCode = 500;
        res.end(`internal error: ${(err as Error).message}\n`);
      });
    };
    let server: Server;
    if (options.tls) {
      const pair = await options.tls.start(this.#stopTls.signal);
      const https = createHttpsServer({ cert: pair.certPem, key: pair.keyPem, minVersion: "TLSv1.2" }, onRequest);
      this.#unsubscribe = options.tls.subscribe((next) => https.setSecureContext({ cert: next.certPem, key: next.keyPem, minVersion: "TLSv1.2" }));
      server = https;
    } else server = createServer(onRequest);
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) =>
        reject(err.code === "EADDRINUSE" ? new OperantError("AddressInUse", `cannot listen on ${address}: the port is already in use. Pick another bind address (":0" takes any free port).`, { cause: err }) : err),
      );
      server.listen(port, host, resolve);
    });
    this.#server = server;
    const a = server.address() as { address: string; port: number };
    return `${a.address.includes(":") ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async close(): Promise<void> {
    this.#unsubscribe?.();
    this.#stopTls.abort();
    const s = this.#server;
    if (!s) return;
    this.#server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
