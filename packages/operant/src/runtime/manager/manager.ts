// The manager runs controllers and other runnables on one client and one
// shared cache: it waits for the caches before starting controllers, serves
// metrics and health, handles SIGTERM/SIGINT with a graceful drain, and runs
// leader-only work only while leading (leader election plugs in through
// `leaderElection`: an elector, or settings for operant's Lease and
// leader-for-life electors), and serves the status page on every replica.
import { hostname } from "node:os";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { Client, type ClientOptions } from "../../client/client.ts";
import { OperantError } from "../../core/errors.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import { sleep, toMillis, type Duration } from "../../core/time.ts";
import { Cache } from "../cache/cache.ts";
import type { InformerHealth, InformerOptions } from "../cache/informer.ts";
import type { AnyControllerDefinition, ControllerDefinition } from "../controller/builder.ts";
import { refOf, type KubeObject } from "../../core/object.ts";
import { createLeaderElector, type LeaderElectionConfig } from "../../leader/create/create-elector.ts";
import type { LeaderElector } from "../../leader/elector.ts";
import { ControllerRunner, type ControllerStatus } from "../controller/runner.ts";
import { EventRecorder, type EventsApi } from "../events/recorder.ts";
import { registeredMetric } from "../metrics/registered-metric.ts";
import { restClientMetrics } from "../metrics/rest-client-metrics.ts";
import { statusPageRoutes, statusReport, type StatusSection } from "../status-page/status-page.ts";
import { createCertificateAuthority } from "../../pki/pki.ts";
import { answerChecks, isLoopback, parseBindAddress, RouterServer, type Check, type Route, type TlsSource } from "./http-server.ts";
import { RequestAuthorizer } from "./request-authorizer.ts";

/**
 * How `/metrics` is served. By default: HTTPS, each request's bearer token
 * checked with a TokenReview and its user authorised with a
 * SubjectAccessReview for `get` on the non-resource URL `/metrics` (no token:
 * 401, not allowed: 403), as controller-runtime ≥ 0.19 does — unless the
 * metrics bind address is a loopback one, where plain HTTP is kept for local
 * runs.
 *
 * @example
 * ```ts
 * new Manager({ metricsBindAddress: ":8443", metricsServing: { certificates: new CertificateDirectory({ directory: "/tmp/k8s-metrics-server/metrics-certs" }) } });
 * ```
 */
export interface MetricsServingOptions {
  /** `true`: HTTPS with authentication and authorization; `false`: plain HTTP, no authentication (beyond loopback only if you accept it: a warning is logged). Default: `true` unless the address is loopback. */
  secure?: boolean;
  /** The serving certificate (default: a self-signed one made at start, kept in memory; clients skip verification or trust it by pinning). */
  certificates?: TlsSource;
  /** How long an authentication and authorization answer is reused for the same token (default 10 s). */
  reviewCacheTtl?: Duration;
  /** At most this many cached answers (default 1024). */
  reviewCacheSize?: number;
}

/**
 * Where the status page (`/` HTML, `/status` JSON) is served: its own
 * listener, loopback by default (`127.0.0.1:8082`, a `kubectl port-forward`
 * away), or on the metrics server behind its authentication (`withMetrics`).
 *
 * @example
 * ```ts
 * new Manager({ statusPage: { bindAddress: "127.0.0.1:0" } });   // any free loopback port: manager.addresses.status
 * ```
 */
export interface StatusPageOptions {
  /** Its own listener's address (default `127.0.0.1:8082`). A port already in use is logged, not fatal: the page is diagnostics. */
  bindAddress?: string;
  /** Serve it on the metrics server instead, behind the same authentication (the user needs `get` on `/status` and `/`). */
  withMetrics?: boolean;
}

/**
 * Something the manager runs besides controllers.
 *
 * @example
 * ```ts
 * const heartbeat: Runnable = { name: "heartbeat", needsLeaderElection: false, start: async (signal) => { while (!signal.aborted) await sleep("30s", signal).catch(() => {}); } };
 * manager.add(heartbeat);
 * ```
 */
export interface Runnable {
  readonly name: string;
  /** Run only on the elected leader (default true, like controllers). Metrics, probes and status pages run everywhere. */
  readonly needsLeaderElection?: boolean;
  /** Runs until `signal` aborts. */
  start(signal: AbortSignal, manager: Manager): Promise<void>;
}

/**
 * Options for {@link Manager}.
 *
 * @example
 * ```ts
 * const manager = new Manager({ namespaces: ["default"], leaderElection: { namespace: "my-operator-system" }, metricsBindAddress: ":8443" } satisfies ManagerOptions);
 * ```
 */
export interface ManagerOptions {
  /** An existing client; otherwise one is made from the kubeconfig options at start. */
  client?: Client;
  /** Kubeconfig path (else KUBECONFIG, ~/.kube/config, or in-cluster). */
  kubeconfig?: string;
  context?: string;
  /** Client tuning (qps, burst, timeouts). Default qps 20, burst 30. */
  clientOptions?: ClientOptions;
  /** Namespaces watched for namespaced kinds (default: all). */
  namespaces?: readonly string[];
  /** Logger (pino or compatible); default: silent. */
  logger?: Logger;
  /** Prometheus registry (default: a new one, not prom-client's global). */
  registry?: Registry;
  /** `/metrics` bind address (default ":8080"; `false` disables). */
  metricsBindAddress?: string | false;
  /**
   * `/healthz` and `/readyz` bind address (default "127.0.0.1:8081": loopback, since the probes are
   * unauthenticated; a Pod's kubelet probes the Pod IP, so the generated Deployment passes ":8081";
   * `false` disables; may equal the metrics address).
   */
  healthBindAddress?: string | false;
  /** How long in-flight reconciles may finish after a shutdown begins (default 30 s). */
  gracefulShutdownTimeout?: Duration;
  /** Stop on SIGTERM/SIGINT (default true). A second signal exits at once. */
  handleSignals?: boolean;
  /** An informer is unhealthy in /readyz once it has been failing for this long without a success in between (default 60 s). */
  informerFailureGrace?: Duration;
  /**
   * How long the caches may take to list everything before `start()` fails
   * with `CacheSyncTimeout`, naming the kinds and the likely cause (e.g. a
   * missing RBAC rule); default 2 minutes, as controller-runtime's
   * `CacheSyncTimeout`. `0` waits forever.
   */
  cacheSyncTimeout?: Duration;
  /** Watch tuning for every informer (inactivity timeout, backoff). */
  watch?: InformerOptions<never>["watch"];
  /**
   * Leader election: an elector, or settings for one of operant's
   * (`{ mode: "lease" | "leader-for-life", id, namespace?, … }`); omitted:
   * this process always leads. Caches, metrics, probes, the status page and
   * runnables with `needsLeaderElection: false` run on every replica.
   */
  leaderElection?: LeaderElector | LeaderElectionConfig;
  /**
   * What to do when leadership is lost (the lease could not be renewed in
   * time, or the lock vanished): `"exit"` (default, as controller-runtime)
   * stops the manager and makes `start()` reject with `LeadershipLost`
   * within 1 s of the loss, without waiting for reconciles that ignore
   * `ctx.signal`, so the process exits non-zero and its Pod restarts;
   * `"rejoin"` stops leader-only work and campaigns again in this process.
   * Either way, from the moment of the loss the reconciles' client (`ctx`'s
   * writes and `ctx.client`) is fenced: writes are refused with `Fenced`.
   */
  onLeadershipLost?: "exit" | "rejoin";
  /** How /metrics is served: HTTPS with token authentication and authorization unless bound to loopback (see {@link MetricsServingOptions}). */
  metricsServing?: MetricsServingOptions;
  /**
   * The status page (`/` HTML, `/status` JSON): `true` or options (see
   * {@link StatusPageOptions}; default: on its own loopback listener
   * `127.0.0.1:8082` when metrics are served), or `false`.
   */
  statusPage?: boolean | StatusPageOptions;
  /**
   * The operator's own sections on the status page (e.g. what it elected or
   * decided), after the election and before the controllers; `GET /status`
   * has them under `sections.<name>`. Shown on every replica. Default: none.
   */
  statusSections?: readonly StatusSection[];
  /** Name for events' reportingController and logs (default "operant"). */
  name?: string;
  /** This replica's identity in events and leader election (default: the host name, which in a Pod is the Pod's name). */
  instanceName?: string;
  /** The API the event recorder writes Events to (default `events.k8s.io/v1`; `v1`: the core group's, for RBAC that grants only those). */
  eventsApi?: EventsApi;
}

/**
 * Runs controllers on a shared cache.
 *
 * @example
 * ```ts
 * const manager = new Manager({ namespaces: ["default"], logger: pino() });
 * manager.add(memcached);
 * await manager.start();   // until SIGTERM; drains in-flight reconciles, then returns
 * ```
 */
export class Manager {
  readonly registry: Registry;
  readonly logger: Logger;
  readonly #options: ManagerOptions;
  readonly #definitions: AnyControllerDefinition[] = [];
  readonly #runnables: Runnable[] = [];
  #runners: ControllerRunner<KubeObject>[] = [];
  readonly #healthChecks = new Map<string, Check>();
  readonly #readyChecks = new Map<string, Check>();
  readonly #routes = new Map<string, { server: "metrics" | "health"; route: Route }>();
  readonly #stop = new AbortController();
  readonly #servers: RouterServer[] = [];
  readonly #elector: LeaderElector | undefined;
  #client: Client | undefined;
  #cache: Cache | undefined;
  #recorder: EventRecorder | undefined;
  #leading = false;
  #started = false;
  #addresses: { metrics?: string; health?: string; status?: string } = {};
  #authorizer: RequestAuthorizer | undefined;
  readonly #listening = Promise.withResolvers<void>();

  constructor(options: ManagerOptions = {}) {
    this.#options = options;
    this.registry = options.registry ?? new Registry();
    this.logger = options.logger ?? silentLogger;
    this.#client = options.client;
    const le = options.leaderElection;
    this.#elector = le === undefined ? undefined : isElector(le) ? le : createLeaderElector(le, options.instanceName ?? hostname());
    this.#healthChecks.set("ping", () => undefined);
    this.#readyChecks.set("informers", () => this.#informerProblems());
  }

  /** Adds a controller definition or a runnable. Call before `start`. */
  add(item: AnyControllerDefinition | Runnable): this {
    if (this.#started) throw new OperantError("ManagerStarted", "add controllers and runnables before manager.start().");
    if ("reconciler" in item) {
      if (this.#definitions.some((d) => d.name === item.name)) throw new OperantError("InvalidName", `two controllers are named "${item.name}": give one another name with .named(…).`);
      this.#definitions.push(item);
    } else this.#runnables.push(item);
    return this;
  }

  /** Adds a /healthz check. */
  addHealthCheck(name: string, check: Check): this {
    this.#healthChecks.set(name, check);
    return this;
  }

  /** Adds a /readyz check. */
  addReadyCheck(name: string, check: Check): this {
    this.#readyChecks.set(name, check);
    return this;
  }

  /** Serves `handler` at `path` on the metrics server (or the health one). */
  route(path: string, handler: Route, server: "metrics" | "health" = "metrics"): this {
    this.#routes.set(path, { server, route: handler });
    return this;
  }

  /** The API client (available once started, or when passed in). */
  get client(): Client {
    if (!this.#client) throw new OperantError("ManagerNotStarted", "the manager has no client yet: pass one in the options or wait for start().");
    return this.#client;
  }

  /** The shared cache (available once started). */
  get cache(): Cache {
    if (!this.#cache) throw new OperantError("ManagerNotStarted", "the cache exists once manager.start() has begun.");
    return this.#cache;
  }

  /** Resolves once the HTTP servers listen and the cache has started (rejects if start fails before that). */
  get listening(): Promise<void> {
    return this.#listening.promise;
  }

  /** Actual listen addresses (useful with ":0"); `status` is the status page's own listener. */
  get addresses(): Readonly<{ metrics?: string; health?: string; status?: string }> {
    return this.#addresses;
  }

  /** Whether this process currently leads (always true without leader election, once started). */
  get leading(): boolean {
    return this.#leading;
  }

  /** The leader elector, if any. */
  get leaderElection(): LeaderElector | undefined {
    return this.#elector;
  }

  /** The manager's name (events' reporting controller, status page). */
  get name(): string {
    return this.#options.name ?? "operant";
  }

  /** This replica's instance name (default: the host name). */
  get instanceName(): string {
    return this.#options.instanceName ?? hostname();
  }

  /** Status of every controller. */
  controllers(): ControllerStatus[] {
    return this.#runners.map((r) => r.status());
  }

  /** The operator's own status page sections (the `statusSections` option). */
  get statusSections(): readonly StatusSection[] {
    return this.#options.statusSections ?? [];
  }

  /** Stops the manager (same as SIGTERM). */
  stop(reason = "stop requested"): void {
    this.#stop.abort(new OperantError("ShuttingDown", reason));
  }

  /** Whether the manager has been asked to stop. */
  get stopping(): boolean {
    return this.#stop.signal.aborted;
  }

  #informerProblems(): string | undefined {
    if (!this.#cache) return "not started";
    const grace = toMillis(this.#options.informerFailureGrace ?? "60s");
    const problems: string[] = [];
    for (const h of this.#cache.health()) {
      for (const w of h.watchers) {
        if (!w.synced) problems.push(`${w.target}: not synced${w.lastError ? ` (${w.lastError.code}: ${w.lastError.message})` : ""}`);
        // From the first failure since the last success: every retry refreshes lastError.at.
        else if (w.lastError && w.failingSince !== undefined && Date.now() - w.failingSince > grace) problems.push(`${w.target}: failing for ${Math.round((Date.now() - w.failingSince) / 1000)}s (${w.lastError.code}: ${w.lastError.message})`);
      }
    }
    return problems.length ? problems.join("; ") : undefined;
  }

  #registerInformerMetrics(): void {
    const registers = [this.registry];
    const cache = () => this.#cache?.health() ?? [];
    const labels = ["kind", "scope"] as const;
    const each = (fn: (kind: string, scope: string, w: ReturnType<Cache["health"]>[number]["watchers"][number]) => void) => {
      for (const h of cache()) for (const w of h.watchers) fn(h.kind, w.target, w);
    };
    registeredMetric(this.registry, "operant_informer_synced", Gauge, () => new Gauge({ name: "operant_informer_synced", help: "1 once the informer's watch has listed everything", labelNames: labels, registers, collect() { this.reset(); each((k, s, w) => this.set({ kind: k, scope: s }, w.synced ? 1 : 0)); } }));
    registeredMetric(this.registry, "operant_informer_last_event_age_seconds", Gauge, () => new Gauge({ name: "operant_informer_last_event_age_seconds", help: "Seconds since the informer last received anything (event, bookmark or list page)", labelNames: labels, registers, collect() { this.reset(); each((k, s, w) => w.lastEventAt && this.set({ kind: k, scope: s }, (Date.now() - w.lastEventAt) / 1000)); } }));
    registeredMetric(this.registry, "operant_informer_rejected_objects", Gauge, () => new Gauge({ name: "operant_informer_rejected_objects", help: "Objects the informer could not take as they are (transform or indexer threw, or not cacheable); see the status page", labelNames: ["kind"], registers, collect() { this.reset(); for (const h of cache()) this.inc({ kind: h.kind }, h.rejected.length); } }));
    registeredMetric(this.registry, "operant_informer_healthy", Gauge, () => new Gauge({ name: "operant_informer_healthy", help: "0 while the informer's last list or watch attempt failed", labelNames: labels, registers, collect() { this.reset(); each((k, s, w) => this.set({ kind: k, scope: s }, w.lastError ? 0 : 1)); } }));
    for (const [name, field, help] of [
      ["operant_informer_relists_total", "relists", "Full lists (the first one included)"],
      ["operant_informer_restarts_total", "restarts", "Watch streams reopened"],
      ["operant_informer_stalls_total", "stalls", "Watch streams abandoned for inactivity"],
      ["operant_informer_errors_total", "errors", "Failed list or watch attempts"],
    ] as const) {
      registeredMetric(this.registry, name, Counter, () => new Counter({ name, help, labelNames: labels, registers, collect() { this.reset(); each((k, s, w) => this.inc({ kind: k, scope: s }, w[field])); } }));
    }
    registeredMetric(this.registry, "leader_election_master_status", Gauge, () => new Gauge({ name: "leader_election_master_status", help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease.", labelNames: ["name"], registers, collect: () => undefined }));
  }

  /** Sets `leader_election_master_status{name}`. */
  setLeaderStatus(name: string, leading: boolean): void {
    (this.registry.getSingleMetric("leader_election_master_status") as Gauge | undefined)?.set({ name }, leading ? 1 : 0);
  }

  async #listen(): Promise<void> {
    const metricsAt = this.#options.metricsBindAddress ?? ":8080";
    const healthAt = this.#options.healthBindAddress ?? "127.0.0.1:8081";
    const serving = this.#options.metricsServing ?? {};
    const secure = metricsAt !== false && (serving.secure ?? !isLoopback(metricsAt));
    if (metricsAt !== false && !secure && !isLoopback(metricsAt)) this.logger.warn({ address: metricsAt }, "metrics are served over plain HTTP without authentication beyond loopback: anyone who reaches the port reads them");
    const sp = this.#options.statusPage ?? metricsAt !== false;
    const status = sp === false ? undefined : sp === true ? {} : sp;
    const statusRoutes = status ? Object.entries(statusPageRoutes(() => statusReport(this))).filter(([path]) => !this.#routes.has(path)) : [];
    const servers = new Map<string, RouterServer>();
    const serverFor = (addr: string) => {
      let s = servers.get(addr);
      if (!s) servers.set(addr, (s = new RouterServer()));
      return s;
    };
    // A secure metrics server never shares a listener with the probes (the kubelet calls those without a token).
    const metricsKey = secure ? `secure ${metricsAt}` : metricsAt;
    if (metricsAt !== false) {
      const s = serverFor(metricsKey as string);
      s.route("/metrics", async (_req, res) => {
        res.setHeader("content-type", this.registry.contentType);
        res.end(await this.registry.metrics());
      });
      for (const [path, r] of this.#routes) if (r.server === "metrics" || healthAt === false) s.route(path, r.route);
      if (status?.withMetrics) for (const [path, route] of statusRoutes) s.route(path, route);
    }
    if (healthAt !== false) {
      const s = serverFor(healthAt);
      s.route("/healthz", (req, res) => answerChecks(this.#healthChecks, req, res));
      s.route("/readyz", (req, res) => answerChecks(this.#readyChecks, req, res));
      for (const [path, r] of this.#routes) if (r.server === "health" || metricsAt === false) s.route(path, r.route);
    }
    if (secure && metricsAt === healthAt && parseBindAddress(metricsAt).port !== 0) throw new OperantError("InvalidArgument", `metrics are served over HTTPS with authentication, so they cannot share ${metricsAt} with the health probes (which the kubelet calls without a token): give them different addresses.`);
    for (const [key, s] of servers) {
      const addr = key.replace(/^secure /, "");
      const tls = secure && key === metricsKey ? (serving.certificates ?? selfSigned(this.instanceName)) : undefined;
      if (tls) {
        const authorizer = (this.#authorizer = new RequestAuthorizer({ client: this.client, ...(serving.reviewCacheTtl !== undefined && { cacheTtl: serving.reviewCacheTtl }), ...(serving.reviewCacheSize !== undefined && { cacheSize: serving.reviewCacheSize }) }));
        const guard = async (req: Parameters<typeof authorizer.check>[0]) => {
          const d = await authorizer.check(req);
          if (d.status !== 200) this.logger.debug({ status: d.status, user: d.user, path: req.url }, "metrics request refused");
          return d.status === 200 ? undefined : d;
        };
        const actual = await s.listen(addr, { tls, guard });
        this.#servers.push(s);
        this.#addresses.metrics = actual;
        continue;
      }
      const actual = await s.listen(addr);
      this.#servers.push(s);
      if (key === metricsKey) this.#addresses.metrics = actual;
      if (addr === healthAt) this.#addresses.health = actual;
    }
    if (status && !status.withMetrics) {
      const s = new RouterServer();
      for (const [path, route] of statusRoutes) s.route(path, route);
      const at = status.bindAddress ?? "127.0.0.1:8082";
      try {
        this.#addresses.status = await s.listen(at);
        this.#servers.push(s);
      } catch (err) {
        this.logger.warn({ address: at, err: (err as Error).message }, "the status page is not served: pass another statusPage.bindAddress (--status-bind-address)");
      }
    }
  }

  /** The authorizer of the secure metrics server (its `reviews` count), when metrics are served securely. */
  get metricsAuthorizer(): RequestAuthorizer | undefined {
    return this.#authorizer;
  }

  /**
   * Connects, starts the servers and the cache, waits for leadership (if
   * configured), runs controllers and runnables, and returns after a graceful
   * shutdown (SIGTERM/SIGINT, `stop()` or `signal`).
   */
  async start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#started) throw new OperantError("ManagerStarted", "manager.start() was already called.");
    this.#started = true;
    const log = this.logger;
    const stop = this.#stop;
    options.signal?.addEventListener("abort", () => this.stop("signal aborted"), { once: true });
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) {
        log.warn({ signal: sig }, "second signal: exiting at once");
        process.exit(1);
      }
      log.info({ signal: sig }, "shutting down gracefully");
      this.stop(`received ${sig}`);
    };
    if (this.#options.handleSignals ?? true) {
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
    }
    const drainMs = toMillis(this.#options.gracefulShutdownTimeout ?? "30s");
    let syncFailure: OperantError | undefined;
    try {
      this.#client ??= await Client.connect({ ...(this.#options.kubeconfig && { kubeconfig: this.#options.kubeconfig }), ...(this.#options.context && { context: this.#options.context }), onRequestDone: restClientMetrics(this.registry), ...this.#options.clientOptions });
      this.#cache = new Cache(this.#client, {
        namespaces: this.#options.namespaces,
        logger: log,
        watch: this.#options.watch,
        // The informer logged it; tell the object's owner too, where `kubectl describe` shows it.
        onRejected: (r) => this.#recorder?.event(r.object, { type: "Warning", reason: "CacheRejected", note: r.message, action: "Cache" }),
      });
      this.#recorder = new EventRecorder(this.#client, { reportingController: `operant.dev/${this.#options.name ?? "operant"}`, reportingInstance: this.#options.instanceName ?? hostname(), logger: log, ...(this.#options.eventsApi && { api: this.#options.eventsApi }) });
      this.#registerInformerMetrics();
      collectDefaultMetrics({ register: this.registry });
      this.#runners = this.#newRunners();
      await this.#listen();
      log.info({ ...this.#addresses, controllers: this.#definitions.map((d) => d.name), namespaces: this.#options.namespaces ?? "all", leaderElection: this.#elector?.mode ?? "none" }, "manager starting");
      // Every replica keeps its cache warm, leader or not: a new leader starts reconciling at once.
      this.#cache.start(stop.signal);
      const syncTimeoutMs = toMillis(this.#options.cacheSyncTimeout ?? "2m");
      const syncWatch =
        syncTimeoutMs > 0
          ? setTimeout(() => {
              if (stop.signal.aborted || this.#cache!.synced) return;
              syncFailure = cacheSyncTimeoutError(this.#cache!.health(), syncTimeoutMs);
              log.error({ err: syncFailure.message }, "caches did not sync in time; stopping");
              this.stop(syncFailure.message);
            }, syncTimeoutMs)
          : undefined;
      syncWatch?.unref();
      stop.signal.addEventListener("abort", () => clearTimeout(syncWatch), { once: true });
      this.#listening.resolve();
      const everywhere = this.#runnables.filter((r) => r.needsLeaderElection === false).map((r) => this.#runRunnable(r, stop.signal));
      let lostWith: unknown;
      try {
        lostWith = await this.#lead(drainMs);
      } finally {
        if (!stop.signal.aborted) this.stop(lostWith === undefined ? "leader work ended" : "leadership lost");
        await Promise.all(everywhere);
      }
      if (syncFailure) throw syncFailure;
      if (lostWith !== undefined) {
        const why = lostWith instanceof Error ? lostWith.message : JSON.stringify(lostWith);
        throw new OperantError("LeadershipLost", `${this.name} lost leadership: ${why} The manager stopped; exit non-zero so that the Pod restarts, or set onLeadershipLost: "rejoin" to campaign again in this process.`, { cause: lostWith });
      }
    } finally {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      if (!stop.signal.aborted) this.stop("start failed");
      this.#listening.reject(new OperantError("ManagerStopped", "the manager stopped before it was listening."));
      this.#listening.promise.catch(() => {});
      await this.#recorder?.close().catch(() => {});
      await Promise.all(this.#servers.map((s) => s.close()));
      if (!this.#options.client) await this.#client?.close();
      log.info({}, "manager stopped");
    }
  }

  /** One runner per controller definition, its informers acquired (so they start with, or are shared from, the cache). */
  #newRunners(): ControllerRunner<KubeObject>[] {
    const deps = { client: this.#client!, cache: this.#cache!, recorder: this.#recorder!, registry: this.registry, log: this.logger };
    return this.#definitions.map((def) => {
      const runner = new ControllerRunner<KubeObject>(def as ControllerDefinition<KubeObject>, deps);
      runner.prepare();
      return runner;
    });
  }

  /** Queues every cached object of each runner's kind (a new term's runners got no initial list). */
  #enqueueAll(runners: ControllerRunner<KubeObject>[]): void {
    for (const r of runners) {
      const def = r.definition;
      const lease = this.cache.acquire(def.kind, { namespaces: def.forOptions.namespaces, labelSelector: def.forOptions.labelSelector });
      for (const key of lease.informer.keys()) r.enqueue(refOf(key));
      lease.release();
    }
  }

  /**
   * Campaigns (if electing), runs controllers and leader-only runnables while
   * leading, releases after they stopped; with `rejoin`, campaigns again after
   * a lost term. Returns the loss reason when leadership was lost and the
   * manager must exit, else undefined (shutdown).
   */
  async #lead(drainMs: number): Promise<unknown> {
    const stop = this.#stop.signal;
    const elector = this.#elector;
    const log = this.logger;
    const rejoin = (this.#options.onLeadershipLost ?? "exit") === "rejoin";
    for (;;) {
      let lost: AbortSignal | undefined;
      if (elector) {
        try {
          lost = await elector.acquire(stop, { client: this.client, logger: this.logger, leading: (name, yes) => this.setLeaderStatus(name, yes) });
        } catch (err) {
          if (stop.aborted) return undefined;
          throw err;
        }
      }
      const leading = lost ? AbortSignal.any([stop, lost]) : stop;
      let running = true;
      let next: ControllerRunner<KubeObject>[] | undefined;
      // After a lost term, take the informers for the next one before this term's runners let go of them: caches stay warm.
      if (lost && rejoin) lost.addEventListener("abort", () => running && !stop.aborted && (next = this.#newRunners()), { once: true });
      let failure: unknown;
      let lostWith: unknown;
      try {
        if (!leading.aborted) {
          this.#leading = true;
          log.info({}, elector ? "leading: starting controllers" : "starting controllers");
          const fail = (err: unknown) => {
            failure ??= err;
            this.stop(`leader work failed: ${(err as Error).message}`);
          };
          // Graceful stop (shutdown) drains in-flight reconciles; a lost leadership aborts them at once and
          // fences their client (writes refused with `Fenced`).
          // The term lasts until stop or loss, as controller-runtime's: a manager with no controllers
          // yet (a new project) or whose runnables returned keeps serving probes and metrics.
          const work = Promise.all([
            ...this.#runners.map((r) => r.run(leading, { drainMs, ...(lost && { leading: lost }) }).catch(fail)),
            ...this.#runnables.filter((r) => r.needsLeaderElection !== false).map((r) => this.#runRunnable(r, leading)),
            new Promise<void>((resolve) => (leading.aborted ? resolve() : leading.addEventListener("abort", () => resolve(), { once: true }))),
          ]);
          // Exiting after a loss does not wait for reconciles that ignore their signal (they can no longer write):
          // start() rejects within LOSS_EXIT_MS, well inside leaseDuration − renewDeadline, as controller-runtime exits at once.
          await (lost && !rejoin ? Promise.race([work, afterAbort(lost, LOSS_EXIT_MS)]) : work);
        }
      } finally {
        running = false;
        this.#leading = false;
        if (lost?.aborted) lostWith = lost.reason ?? new Error("leadership lost");
        // Only now, with leader-only work stopped, may another replica lead.
        if (elector) await elector.release().catch((err: unknown) => log.warn({ err: (err as Error).message }, "releasing leadership failed"));
      }
      if (failure !== undefined) throw failure as Error;
      if (lostWith === undefined || stop.aborted) return undefined;
      log.error({ err: lostWith instanceof Error ? lostWith.message : JSON.stringify(lostWith) }, "leadership lost: leader-only work stopped");
      if (!rejoin) return lostWith;
      // A term that ends as soon as it begins (a starved renewal, a Lease another replica keeps taking) must not
      // turn this loop into a busy one that builds runners and informers as fast as it can: pause between terms.
      await sleep(REJOIN_PAUSE_MS, stop, { unref: true }).catch(() => undefined);
      if (stop.aborted) return undefined;
      this.#runners = next ?? this.#newRunners();
      this.#enqueueAll(this.#runners);
      log.info({}, "rejoining the election as a candidate");
    }
  }

  async #runRunnable(r: Runnable, signal: AbortSignal): Promise<void> {
    try {
      await r.start(signal, this);
    } catch (err) {
      if (signal.aborted) return;
      this.logger.error({ runnable: r.name, err: (err as Error).message }, "runnable failed; stopping the manager");
      this.stop(`runnable ${r.name} failed: ${(err as Error).message}`);
    }
  }
}

/** A self-signed serving certificate made in memory (controller-runtime does the same without a cert dir). */
function selfSigned(instance: string): TlsSource {
  const ca = createCertificateAuthority(`${instance}-metrics-ca`, 365);
  const pair = ca.issue({ commonName: `${instance}-metrics`, hosts: ["localhost", "127.0.0.1", instance], usage: "server" });
  return { start: () => Promise.resolve(pair), subscribe: () => () => undefined };
}

/** After losing leadership with `onLeadershipLost: "exit"`, how long leader-only work may take to stop before `start()` rejects anyway. */
const LOSS_EXIT_MS = 1000;

/** With `onLeadershipLost: "rejoin"`, the pause between a lost term and the next campaign. */
const REJOIN_PAUSE_MS = 1000;

/** Resolves `ms` after `signal` aborts (never keeps the process alive). */
function afterAbort(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const go = () => setTimeout(resolve, ms).unref();
    if (signal.aborted) go();
    else signal.addEventListener("abort", go, { once: true });
  });
}

/** `CacheSyncTimeout`: which informers never listed, and the likely cause of each. */
function cacheSyncTimeoutError(health: readonly InformerHealth[], timeoutMs: number): OperantError {
  const stuck: string[] = [];
  for (const h of health) {
    for (const w of h.watchers) {
      if (w.synced) continue;
      const e = w.lastError;
      const cause = !e
        ? "no answer from the API server yet"
        : e.code === "Forbidden"
          ? `RBAC: forbidden to list/watch ${h.kind} (${e.message}); grant the operator's ServiceAccount get, list and watch on it (operant generate derives the rules from the controllers)`
          : e.code === "NotFound"
            ? `${h.kind} is not served (${e.message}); is its CRD installed (operant install)?`
            : e.code === "Unauthorized"
              ? `the credentials were rejected (${e.message})`
              : `${e.code}: ${e.message}`;
      stuck.push(`${w.target}: ${cause}`);
    }
  }
  return new OperantError("CacheSyncTimeout", `the caches did not sync within ${Math.round(timeoutMs / 1000)}s, so no controller started. Not synced: ${stuck.join("; ") || "(unknown)"}. Fix the cause, or raise cacheSyncTimeout if the lists are just slow.`);
}

function isElector(x: LeaderElector | LeaderElectionConfig): x is LeaderElector {
  return typeof (x as LeaderElector).acquire === "function";
}
