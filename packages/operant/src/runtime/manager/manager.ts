// The manager runs controllers and other runnables on one client and one
// shared cache: it waits for the caches before starting controllers, serves
// metrics and health, handles SIGTERM/SIGINT with a graceful drain, and runs
// leader-only work only while leading (leader election plugs in through
// `leaderElection`).
import { hostname } from "node:os";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { Client, type ClientOptions } from "../../client/client.ts";
import { OperantError } from "../../core/errors.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import { toMillis, type Duration } from "../../core/time.ts";
import { Cache } from "../cache/cache.ts";
import type { InformerOptions } from "../cache/informer.ts";
import type { AnyControllerDefinition, ControllerDefinition } from "../controller/builder.ts";
import type { KubeObject } from "../../core/object.ts";
import { ControllerRunner, type ControllerStatus } from "../controller/runner.ts";
import { EventRecorder } from "../events/recorder.ts";
import { registered } from "../metrics/controller-metrics.ts";
import { answerChecks, RouterServer, type Check, type Route } from "./http-server.ts";

/** Something the manager runs besides controllers. */
export interface Runnable {
  readonly name: string;
  /** Run only on the elected leader (default true, like controllers). Metrics, probes and status pages run everywhere. */
  readonly needsLeaderElection?: boolean;
  /** Runs until `signal` aborts. */
  start(signal: AbortSignal, manager: Manager): Promise<void>;
}

/**
 * Leader election, as the manager sees it: `run` resolves once this process
 * leads, and the returned signal aborts when it stops leading.
 * Implementations live with leader election (Lease, leader-for-life).
 */
export interface LeaderElector {
  readonly mode: string;
  /** Waits until this process leads (rejects if `signal` aborts first); the returned signal aborts when leadership is lost. */
  acquire(signal: AbortSignal, manager: Manager): Promise<AbortSignal>;
  /** Gives leadership up (after leader-only work stopped). */
  release(): Promise<void>;
  /** For status pages: who leads and since when. */
  describe(): Record<string, unknown>;
}

/** Options for {@link Manager}. */
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
  /** `/healthz` and `/readyz` bind address (default ":8081"; `false` disables; may equal the metrics address). */
  healthBindAddress?: string | false;
  /** How long in-flight reconciles may finish after a shutdown begins (default 30 s). */
  gracefulShutdownTimeout?: Duration;
  /** Stop on SIGTERM/SIGINT (default true). A second signal exits at once. */
  handleSignals?: boolean;
  /** An informer is unhealthy in /readyz after failing for this long (default 60 s). */
  informerFailureGrace?: Duration;
  /** Watch tuning for every informer (inactivity timeout, backoff). */
  watch?: InformerOptions<never>["watch"];
  /** Leader election; omitted: this process always leads. */
  leaderElection?: LeaderElector;
  /** Name for events' reportingController and logs (default "operant"). */
  name?: string;
  /** This replica's identity in events and leader election (default: the host name, which in a Pod is the Pod's name). */
  instanceName?: string;
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
  readonly #runners: ControllerRunner<KubeObject>[] = [];
  readonly #healthChecks = new Map<string, Check>();
  readonly #readyChecks = new Map<string, Check>();
  readonly #routes = new Map<string, { server: "metrics" | "health"; route: Route }>();
  readonly #stop = new AbortController();
  readonly #servers: RouterServer[] = [];
  #client: Client | undefined;
  #cache: Cache | undefined;
  #recorder: EventRecorder | undefined;
  #leading = false;
  #started = false;
  #addresses: { metrics?: string; health?: string } = {};

  constructor(options: ManagerOptions = {}) {
    this.#options = options;
    this.registry = options.registry ?? new Registry();
    this.logger = options.logger ?? silentLogger;
    this.#client = options.client;
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

  /** Actual listen addresses (useful with ":0"). */
  get addresses(): Readonly<{ metrics?: string; health?: string }> {
    return this.#addresses;
  }

  /** Whether this process currently leads (always true without leader election, once started). */
  get leading(): boolean {
    return this.#leading;
  }

  /** The leader elector, if any. */
  get leaderElection(): LeaderElector | undefined {
    return this.#options.leaderElection;
  }

  /** Status of every controller. */
  controllers(): ControllerStatus[] {
    return this.#runners.map((r) => r.status());
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
        else if (w.lastError && Date.now() - w.lastError.at > grace) problems.push(`${w.target}: failing for ${Math.round((Date.now() - w.lastError.at) / 1000)}s (${w.lastError.code}: ${w.lastError.message})`);
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
    registered(this.registry, "operant_informer_synced", "gauge", () => new Gauge({ name: "operant_informer_synced", help: "1 once the informer's watch has listed everything", labelNames: labels, registers, collect() { this.reset(); each((k, s, w) => this.set({ kind: k, scope: s }, w.synced ? 1 : 0)); } }));
    registered(this.registry, "operant_informer_last_event_age_seconds", "gauge", () => new Gauge({ name: "operant_informer_last_event_age_seconds", help: "Seconds since the informer last received anything (event, bookmark or list page)", labelNames: labels, registers, collect() { this.reset(); each((k, s, w) => w.lastEventAt && this.set({ kind: k, scope: s }, (Date.now() - w.lastEventAt) / 1000)); } }));
    registered(this.registry, "operant_informer_healthy", "gauge", () => new Gauge({ name: "operant_informer_healthy", help: "0 while the informer's last list or watch attempt failed", labelNames: labels, registers, collect() { this.reset(); each((k, s, w) => this.set({ kind: k, scope: s }, w.lastError ? 0 : 1)); } }));
    for (const [name, field, help] of [
      ["operant_informer_relists_total", "relists", "Full lists (the first one included)"],
      ["operant_informer_restarts_total", "restarts", "Watch streams reopened"],
      ["operant_informer_stalls_total", "stalls", "Watch streams abandoned for inactivity"],
      ["operant_informer_errors_total", "errors", "Failed list or watch attempts"],
    ] as const) {
      registered(this.registry, name, "counter", () => new Counter({ name, help, labelNames: labels, registers, collect() { this.reset(); each((k, s, w) => this.inc({ kind: k, scope: s }, w[field])); } }));
    }
    registered(this.registry, "leader_election_master_status", "gauge", () => new Gauge({ name: "leader_election_master_status", help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease.", labelNames: ["name"], registers, collect: () => undefined }));
  }

  /** Sets `leader_election_master_status{name}`. */
  setLeaderStatus(name: string, leading: boolean): void {
    (this.registry.getSingleMetric("leader_election_master_status") as Gauge | undefined)?.set({ name }, leading ? 1 : 0);
  }

  async #listen(): Promise<void> {
    const metricsAt = this.#options.metricsBindAddress ?? ":8080";
    const healthAt = this.#options.healthBindAddress ?? ":8081";
    const servers = new Map<string, RouterServer>();
    const serverFor = (addr: string) => {
      let s = servers.get(addr);
      if (!s) servers.set(addr, (s = new RouterServer()));
      return s;
    };
    if (metricsAt !== false) {
      const s = serverFor(metricsAt);
      s.route("/metrics", async (_req, res) => {
        res.setHeader("content-type", this.registry.contentType);
        res.end(await this.registry.metrics());
      });
      for (const [path, r] of this.#routes) if (r.server === "metrics" || healthAt === false) s.route(path, r.route);
    }
    if (healthAt !== false) {
      const s = serverFor(healthAt);
      s.route("/healthz", (req, res) => answerChecks(this.#healthChecks, req, res));
      s.route("/readyz", (req, res) => answerChecks(this.#readyChecks, req, res));
      for (const [path, r] of this.#routes) if (r.server === "health" || metricsAt === false) s.route(path, r.route);
    }
    for (const [addr, s] of servers) {
      const actual = await s.listen(addr);
      this.#servers.push(s);
      if (addr === metricsAt) this.#addresses.metrics = actual;
      if (addr === healthAt) this.#addresses.health = actual;
    }
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
    try {
      this.#client ??= await Client.connect({ ...(this.#options.kubeconfig && { kubeconfig: this.#options.kubeconfig }), ...(this.#options.context && { context: this.#options.context }), ...this.#options.clientOptions });
      this.#cache = new Cache(this.#client, { namespaces: this.#options.namespaces, logger: log, watch: this.#options.watch });
      this.#recorder = new EventRecorder(this.#client, { reportingController: `operant.dev/${this.#options.name ?? "operant"}`, reportingInstance: this.#options.instanceName ?? hostname(), logger: log });
      this.#registerInformerMetrics();
      collectDefaultMetrics({ register: this.registry });
      for (const def of this.#definitions) {
        const runner = new ControllerRunner<KubeObject>(def as ControllerDefinition<KubeObject>, { client: this.#client, cache: this.#cache, recorder: this.#recorder, registry: this.registry, log });
        runner.prepare();
        this.#runners.push(runner);
      }
      await this.#listen();
      log.info({ ...this.#addresses, controllers: this.#definitions.map((d) => d.name), namespaces: this.#options.namespaces ?? "all" }, "manager starting");
      // Every replica keeps its cache warm, leader or not: a new leader starts reconciling at once.
      this.#cache.start(stop.signal);
      const everywhere = this.#runnables.filter((r) => r.needsLeaderElection === false).map((r) => this.#runRunnable(r, stop.signal));

      let leading: AbortSignal = stop.signal;
      const elector = this.#options.leaderElection;
      if (elector) {
        try {
          const lost = await elector.acquire(stop.signal, this);
          leading = AbortSignal.any([stop.signal, lost]);
        } catch (err) {
          if (!stop.signal.aborted) throw err;
        }
      }
      if (!stop.signal.aborted) {
        this.#leading = true;
        log.info({}, elector ? "leading: starting controllers" : "starting controllers");
        const work = [
          ...this.#runners.map((r) => r.run(leading, { drainMs, leading })),
          ...this.#runnables.filter((r) => r.needsLeaderElection !== false).map((r) => this.#runRunnable(r, leading)),
        ];
        await Promise.all(work);
        this.#leading = false;
        if (elector) {
          if (!stop.signal.aborted) log.error({}, "leadership lost: leader-only work stopped");
          await elector.release().catch((err: unknown) => log.warn({ err: (err as Error).message }, "releasing leadership failed"));
        }
      }
      if (!stop.signal.aborted) this.stop("leadership lost");
      await Promise.all(everywhere);
    } finally {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      if (!stop.signal.aborted) this.stop("start failed");
      await this.#recorder?.close().catch(() => {});
      await Promise.all(this.#servers.map((s) => s.close()));
      if (!this.#options.client) await this.#client?.close();
      log.info({}, "manager stopped");
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
