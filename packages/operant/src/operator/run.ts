// The body of an operator's main.ts: flags and environment in, a running
// manager out. Projects call it instead of copying a page of setup code.
import { Command, CommanderError, Option } from "commander";
import { pino } from "pino";
import { OperantError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { LeaderElectionConfig } from "../leader/create/create-elector.ts";
import { FAST_LEASE_TIMINGS } from "../leader/lease/timings.ts";
import { operatorNamespace } from "../leader/namespace/operator-namespace.ts";
import { Manager, type ManagerOptions } from "../runtime/manager/manager.ts";
import { memberIdentity } from "../sharding/membership.ts";
import { shardOperator } from "../sharding/sharding.ts";
import { LOG_FORMATS, LOG_LEVELS, chooseLogFormat, reportFailure, textLogDestination, type LogFormat } from "./log-format.ts";
import type { OperatorDefinition } from "./operator.ts";
import { CertificateDirectory } from "../webhook/certificates/directory.ts";
import { hasWebhooks, webhookRunnable } from "./webhooks.ts";

/**
 * Settings parsed from flags and environment.
 *
 * @example
 * ```ts
 * const flags: OperatorFlags = parseOperatorFlags(operator, process.argv, process.env);
 * console.log(flags.watchNamespaces, flags.leaderElect);
 * ```
 */
export interface OperatorFlags {
  kubeconfig?: string;
  context?: string;
  /** Empty: all namespaces. */
  watchNamespaces: string[];
  leaderElect: boolean;
  leaderElectionMode: "lease" | "leader-for-life";
  leaderElectionId: string;
  leaderElectionNamespace?: string;
  /** Lease timings: `default` (15 s / 10 s / 2 s) or `fast` (5 s / 3 s / 0.5 s). */
  leaderElectionPreset: "default" | "fast";
  /** Default `127.0.0.1:8080` (loopback: plain HTTP for local runs); the generated Deployment passes `:8443`. */
  metricsBindAddress: string;
  /** `--metrics-secure` / `--no-metrics-secure`; undefined: HTTPS with authentication unless the address is loopback. */
  metricsSecure?: boolean;
  /** A directory with tls.crt and tls.key for the metrics server; unset: a self-signed certificate made at start. */
  metricsCertDir?: string;
  /** The status page's own listener (default `127.0.0.1:8082`); `metrics` serves it on the metrics server, behind its authentication. */
  statusBindAddress: string;
  healthProbeBindAddress: string;
  /** Where the webhook server listens, when the operator has webhooks (default loopback `127.0.0.1:9443`; in a Pod `:9443`). */
  webhookBindAddress: string;
  /** A directory with tls.crt and tls.key (a mounted cert-manager Secret); unset: operant-managed certificates. */
  webhookCertDir?: string;
  logLevel: string;
  /** Shard the controllers across replicas (`--shard`; default: the definition's `sharding.enabled`). */
  shard: boolean;
  /** `--log-format`: json, or text (one readable line per entry); else env OPERANT_LOG_FORMAT, else text on a terminal and json otherwise. */
  logFormat: LogFormat;
  /** `--kube-api-qps` (else env KUBE_API_QPS): requests per second to the API server; undefined: the client's default (20). */
  kubeApiQps?: number;
  /** `--kube-api-burst` (else env KUBE_API_BURST): requests allowed in a burst; undefined: the client's default (30). */
  kubeApiBurst?: number;
  /** `--debug`: failures are reported with their stack. */
  debug: boolean;
  /** Values of the operator's own flags ({@link RunOperatorOptions.flags}), by flag name; undefined when neither given nor defaulted. */
  custom: Record<string, string | undefined>;
}

/**
 * A flag of the operator's own (beyond the standard ones), parsed with them
 * and listed in `--help`: `--<name> <value>`, else env `<env>`, else `default`.
 *
 * @example
 * ```ts
 * const image: OperatorFlagSpec = { name: "postgres-image", env: "POSTGRES_IMAGE", default: "postgres:17", description: "image of the Postgres pods" };
 * ```
 */
export interface OperatorFlagSpec {
  /** Kebab-case name without dashes, e.g. `postgres-image` for `--postgres-image <value>`. */
  name: string;
  description: string;
  /** Environment variable read when the flag is not given (looked up in the `env` passed in, never in `process.env`). */
  env?: string;
  default?: string;
}

/**
 * What {@link runOperator} reads besides the definition. Everything is explicit: nothing is read from the environment unless passed.
 *
 * @example
 * ```ts
 * await runOperator(operator, { argv: process.argv, env: process.env, exitOnFailure: true } satisfies RunOperatorOptions);
 * ```
 */
export interface RunOperatorOptions {
  /** Command-line arguments (as `process.argv`). */
  argv?: readonly string[];
  /** Environment (`WATCH_NAMESPACE`, `POD_NAME`, `POD_NAMESPACE`, `KUBECONFIG`). */
  env?: NodeJS.ProcessEnv;
  /** A logger to use instead of pino at `--log-level`. */
  logger?: Logger;
  /**
   * Extra manager options (e.g. a client, a registry). With `--leader-elect`,
   * runOperator sets the manager's `leaderElection` to
   * {@link leaderElectionFromFlags}'s settings; a `leaderElection` here (an
   * elector of your own, or settings) replaces them. Leadership lost makes
   * the returned promise reject with `LeadershipLost` (the process exits
   * non-zero), unless `onLeadershipLost` is `"rejoin"`.
   */
  manager?: Partial<ManagerOptions>;
  /** The operator's own flags, parsed with the standard ones; their values are in `flags.custom`. */
  flags?: readonly OperatorFlagSpec[];
  /**
   * Builds the definition to run from the parsed flags (e.g. controllers
   * configured by the operator's own flags). Default: `op` as given.
   */
  configure?: (flags: OperatorFlags) => OperatorDefinition;
  /** Stops the operator when aborted (as SIGTERM does). */
  signal?: AbortSignal;
  /** Called with the manager just before it starts (e.g. to await `manager.listening` and read its addresses). */
  onStart?: (manager: Manager) => void;
  /**
   * For a process's main module: on failure, report it as one line —
   * `error [Code]: message` on stderr, or one JSON log line when logs are
   * JSON; the stack only with `--debug` — set the exit status to 1 and
   * resolve undefined (the process ends within a second), instead of
   * rejecting (which Node prints as a stack). Default false: the returned
   * promise rejects with the error.
   */
  exitOnFailure?: boolean;
}

const STANDARD_FLAGS = new Set(["kubeconfig", "context", "watch-namespace", "leader-elect", "leader-election-mode", "leader-election-id", "leader-election-namespace", "leader-election-preset", "metrics-bind-address", "metrics-secure", "metrics-cert-dir", "status-bind-address", "health-probe-bind-address", "webhook-bind-address", "webhook-cert-dir", "log-level", "log-format", "shard", "kube-api-qps", "kube-api-burst", "debug", "help"]);

/** A positive number from a flag or environment variable, or a coded error naming where it came from. */
function positiveNumber(value: string | undefined, where: string, integer: boolean): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new OperantError("InvalidArgument", `${where} must be a positive ${integer ? "integer" : "number"} (got "${value}"), e.g. ${integer ? "100" : "50"}.`);
  }
  return n;
}

/**
 * The standard flags of an operator process (and `extra`, its own) as a
 * commander Command: for parsing, and for `operant run --help` outside a
 * project.
 *
 * @example
 * ```ts
 * operatorCommand({ name: "my-operator", leaderElection: { mode: "lease", id: "my-operator" } }).helpInformation()
 * ```
 */
export function operatorCommand(op: Pick<OperatorDefinition, "name" | "leaderElection"> & { sharding?: { enabled: boolean } }, extra: readonly OperatorFlagSpec[] = []): Command {
  const cmd = new Command(op.name)
    .description(`Runs the ${op.name} operator`)
    .option("--kubeconfig <path>", "kubeconfig file (default: KUBECONFIG, ~/.kube/config, or in-cluster)")
    .option("--context <name>", "kubeconfig context")
    .option("--watch-namespace <list>", "comma-separated namespaces to watch (default: env WATCH_NAMESPACE, else all)")
    .option("--leader-elect", "elect a leader among replicas; only the leader reconciles", false)
    .addOption(new Option("--leader-election-mode <mode>", "how to elect").choices(["lease", "leader-for-life"]).default(op.leaderElection.mode))
    .option("--leader-election-id <name>", "name of the Lease / ConfigMap lock", op.leaderElection.id)
    .option("--leader-election-namespace <ns>", "namespace of the lock (default: env POD_NAMESPACE, else the Pod's namespace)")
    .addOption(new Option("--leader-election-preset <preset>", "Lease timings: default (15s/10s/2s) or fast (5s/3s/0.5s: quicker failover, more API calls)").choices(["default", "fast"]).default("default"))
    .option("--metrics-bind-address <addr>", "address of /metrics (loopback: plain HTTP; any other: HTTPS, each request's token checked with a TokenReview and a SubjectAccessReview for get /metrics)", "127.0.0.1:8080")
    .option("--metrics-secure", "serve /metrics over HTTPS with authentication and authorization even on loopback")
    .option("--no-metrics-secure", "serve /metrics over plain HTTP without authentication, even beyond loopback")
    .option("--metrics-cert-dir <dir>", "serve the metrics server's tls.crt and tls.key from this directory instead of a self-signed certificate")
    .option("--status-bind-address <addr>", "address of the status page (/ and /status); \"metrics\" serves it on the metrics server, behind its authentication", "127.0.0.1:8082")
    .option("--health-probe-bind-address <addr>", "address of /healthz and /readyz (unauthenticated: loopback unless given, e.g. :8081 in a Pod)", "127.0.0.1:8081")
    .option("--webhook-bind-address <addr>", "address of the webhook server (HTTPS), when the operator has webhooks", "127.0.0.1:9443")
    .option("--webhook-cert-dir <dir>", "serve tls.crt and tls.key from this directory (e.g. a mounted cert-manager Secret) instead of operant-managed certificates")
    .option("--kube-api-qps <n>", "requests per second to the API server (default: env KUBE_API_QPS, else 20)")
    .option("--kube-api-burst <n>", "requests allowed in a burst above --kube-api-qps (default: env KUBE_API_BURST, else 30)")
    .addOption(new Option("--log-level <level>", "the least severe level logged").choices(LOG_LEVELS).default("info"))
    .addOption(new Option("--log-format <format>", "json (one object per line) or text (one readable line per entry) (default: env OPERANT_LOG_FORMAT, else text on a terminal, json otherwise)").choices(LOG_FORMATS))
    .option("--debug", "report a failure with its stack", false)
    .option("--shard", "split the controllers' objects across replicas (each replica reconciles its own shard; see docs/sharding.md)", op.sharding?.enabled ?? false)
    .option("--no-shard", "run unsharded even if the operator shards by default");
  for (const f of extra) cmd.option(`--${f.name} <value>`, f.env ? `${f.description} (default: env ${f.env}${f.default === undefined ? "" : `, else ${f.default}`})` : f.description);
  // Errors are reported by runOperator, as one line; commander prints only help.
  return cmd.exitOverride().configureOutput({ writeErr: (str) => process.stderr.write(str), outputError: () => {} });
}

/**
 * Parses an operator's standard flags: `--kubeconfig`, `--context`,
 * `--watch-namespace` (comma list; else env `WATCH_NAMESPACE`),
 * `--leader-elect`, `--leader-election-mode`, `--leader-election-id`,
 * `--leader-election-namespace`, `--metrics-bind-address`,
 * `--metrics-secure`/`--no-metrics-secure`, `--metrics-cert-dir`,
 * `--status-bind-address`, `--webhook-bind-address`, `--webhook-cert-dir`,
 * `--health-probe-bind-address`, `--kube-api-qps` / `--kube-api-burst`
 * (else env `KUBE_API_QPS` / `KUBE_API_BURST`), `--log-level` (pino's
 * levels), `--log-format json|text` (else env `OPERANT_LOG_FORMAT`, else text
 * on a terminal), `--debug`; plus the operator's own `extra` flags (values
 * in `custom`).
 *
 * @example
 * ```ts
 * parseOperatorFlags(op, ["node", "main.ts", "--watch-namespace", "a,b"], {}).watchNamespaces // ["a", "b"]
 * parseOperatorFlags(op, ["node", "main.ts"], { POSTGRES_IMAGE: "postgres:17" }, [{ name: "postgres-image", env: "POSTGRES_IMAGE", description: "…" }]).custom // { "postgres-image": "postgres:17" }
 * ```
 */
export function parseOperatorFlags(op: OperatorDefinition, argv: readonly string[], env: NodeJS.ProcessEnv, extra: readonly OperatorFlagSpec[] = []): OperatorFlags {
  const seen = new Set<string>();
  for (const f of extra) {
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(f.name)) throw new OperantError("InvalidArgument", `operator flag name "${f.name}" is not valid: use kebab-case without leading dashes, e.g. "postgres-image".`);
    if (STANDARD_FLAGS.has(f.name) || seen.has(f.name)) throw new OperantError("InvalidArgument", `operator flag --${f.name} is declared twice (or is a standard flag of runOperator): give it another name.`);
    seen.add(f.name);
  }
  const cmd = operatorCommand(op, extra);
  cmd.parse([...argv]);
  const all = cmd.opts<Record<string, unknown>>();
  const custom: Record<string, string | undefined> = {};
  for (const f of extra) {
    const key = f.name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    const given = all[key];
    custom[f.name] = typeof given === "string" ? given : ((f.env ? env[f.env] : undefined) || f.default);
  }
  const o = cmd.opts<{ kubeconfig?: string; context?: string; watchNamespace?: string; leaderElect: boolean; leaderElectionMode: "lease" | "leader-for-life"; leaderElectionId: string; leaderElectionNamespace?: string; leaderElectionPreset: "default" | "fast"; metricsBindAddress: string; metricsSecure?: boolean; metricsCertDir?: string; statusBindAddress: string; healthProbeBindAddress: string; webhookBindAddress: string; webhookCertDir?: string; logLevel: string; logFormat?: string; kubeApiQps?: string; kubeApiBurst?: string; debug: boolean; shard: boolean }>();
  const kubeApiQps = positiveNumber(o.kubeApiQps, "--kube-api-qps", false) ?? positiveNumber(env.KUBE_API_QPS, "KUBE_API_QPS", false);
  const kubeApiBurst = positiveNumber(o.kubeApiBurst, "--kube-api-burst", true) ?? positiveNumber(env.KUBE_API_BURST, "KUBE_API_BURST", true);
  const list = (o.watchNamespace ?? env.WATCH_NAMESPACE ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    ...(o.kubeconfig && { kubeconfig: o.kubeconfig }),
    ...(o.context && { context: o.context }),
    watchNamespaces: [...new Set(list)],
    leaderElect: o.leaderElect,
    leaderElectionMode: o.leaderElectionMode,
    leaderElectionId: o.leaderElectionId,
    ...(o.leaderElectionNamespace && { leaderElectionNamespace: o.leaderElectionNamespace }),
    leaderElectionPreset: o.leaderElectionPreset,
    metricsBindAddress: o.metricsBindAddress,
    ...(o.metricsSecure !== undefined && { metricsSecure: o.metricsSecure }),
    ...(o.metricsCertDir && { metricsCertDir: o.metricsCertDir }),
    statusBindAddress: o.statusBindAddress,
    healthProbeBindAddress: o.healthProbeBindAddress,
    webhookBindAddress: o.webhookBindAddress,
    ...(o.webhookCertDir && { webhookCertDir: o.webhookCertDir }),
    logLevel: o.logLevel,
    logFormat: chooseLogFormat(o.logFormat, env, process.stdout.isTTY === true),
    ...(kubeApiQps !== undefined && { kubeApiQps }),
    ...(kubeApiBurst !== undefined && { kubeApiBurst }),
    debug: o.debug,
    shard: o.shard,
    custom,
  };
}

/**
 * Runs an operator until SIGTERM/SIGINT (or `options.signal` aborts): parses
 * flags (the standard ones and `options.flags`), builds the definition to run
 * (`options.configure`, default `op`), builds the manager (with leader
 * election when asked), adds the controllers, starts. Resolves with the
 * manager once it has stopped (undefined after `--help`).
 *
 * @example
 * ```ts
 * // src/main.ts
 * import { runOperator } from "operant";
 * import operator from "./operator.ts";
 * await runOperator(operator, { argv: process.argv, env: process.env, exitOnFailure: true });
 * // with a flag of its own, read by a controller factory:
 * await runOperator(operator, {
 *   argv: process.argv, env: process.env,
 *   flags: [{ name: "postgres-image", env: "POSTGRES_IMAGE", default: "postgres:17", description: "image of the Postgres pods" }],
 *   configure: (flags) => postgresOperator({ image: flags.custom["postgres-image"]! }),
 * });
 * ```
 */
export async function runOperator(given: OperatorDefinition, options: RunOperatorOptions = {}): Promise<Manager | undefined> {
  const env = options.env ?? {};
  const argv = options.argv ?? ["node", given.name];
  let logger: Logger | undefined = options.logger;
  try {
    return await startOperator(given, options, env, argv, (l) => (logger = l));
  } catch (err) {
    if (!options.exitOnFailure) throw err;
    // The flags may be what failed: read --log-format and --debug from argv as given.
    const value = (name: string) => argv.map((a, i) => (a === name ? argv[i + 1] : a.startsWith(`${name}=`) ? a.slice(name.length + 1) : undefined)).find((v) => v !== undefined);
    const format = chooseLogFormat(value("--log-format"), env, process.stdout.isTTY === true);
    reportFailure(err, { format, logger: logger ?? (format === "json" ? pino({ base: { operator: given.name } }) : undefined), debug: argv.includes("--debug") });
    // Exit once the report is written (stdout may be a pipe); something left open must not keep a failed process alive.
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 1000).unref();
    return undefined;
  }
}

async function startOperator(given: OperatorDefinition, options: RunOperatorOptions, env: NodeJS.ProcessEnv, argv: readonly string[], useLogger: (l: Logger) => void): Promise<Manager | undefined> {
  let flags: OperatorFlags;
  try {
    flags = parseOperatorFlags(given, argv, env, options.flags);
  } catch (err) {
    // --help and --version print and end the run; other flag errors become a coded error with the usage hint.
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return undefined;
      throw new OperantError("InvalidArgument", `${err.message.replace(/^error: /, "").replace(/\.$/, "")} — run with --help for the flags.`, { cause: err });
    }
    throw err;
  }
  const op = options.configure ? options.configure(flags) : given;
  const base = { operator: op.name };
  const logger: Logger = options.logger ?? (flags.logFormat === "text" ? pino({ level: flags.logLevel, base }, textLogDestination(process.stdout)) : pino({ level: flags.logLevel, base }));
  useLogger(logger);
  if (op.scope === "Namespaced" && flags.watchNamespaces.length === 0) {
    logger.warn({}, `${op.name} is namespace-scoped but no namespace was given (--watch-namespace or WATCH_NAMESPACE): watching all namespaces needs cluster-wide RBAC`);
  }
  const sharded = flags.shard ? await shardingFromFlags(op, flags, env) : undefined;
  if (sharded && flags.leaderElect) logger.info({}, "--shard: every replica reconciles its own shard; --leader-elect elects only the sharder");
  const leaderElection = flags.leaderElect && !sharded ? await leaderElectionFromFlags(flags, env) : undefined;
  const rate = { ...(flags.kubeApiQps !== undefined && { qps: flags.kubeApiQps }), ...(flags.kubeApiBurst !== undefined && { burst: flags.kubeApiBurst }) };
  const manager = new Manager({
    name: op.name,
    ...(flags.kubeconfig && { kubeconfig: flags.kubeconfig }),
    ...(flags.context && { context: flags.context }),
    ...(flags.watchNamespaces.length > 0 && { namespaces: flags.watchNamespaces }),
    metricsBindAddress: flags.metricsBindAddress,
    metricsServing: { ...(flags.metricsSecure !== undefined && { secure: flags.metricsSecure }), ...(flags.metricsCertDir && { certificates: new CertificateDirectory({ directory: flags.metricsCertDir, logger }) }) },
    statusPage: flags.statusBindAddress === "metrics" ? { withMetrics: true } : { bindAddress: flags.statusBindAddress },
    healthBindAddress: flags.healthProbeBindAddress,
    logger,
    ...(env.POD_NAME && { instanceName: env.POD_NAME }),
    // OLM bundles grant the core group's events only (see operator/bundle.ts).
    ...(env.OPERANT_EVENTS_API === "v1" && { eventsApi: "v1" as const }),
    ...(leaderElection && { leaderElection }),
    ...options.manager,
    ...((Object.keys(rate).length > 0 || options.manager?.clientOptions) && { clientOptions: { ...rate, ...options.manager?.clientOptions } }),
  });
  for (const c of sharded?.controllers ?? op.controllers) manager.add(c);
  for (const r of sharded?.runnables ?? []) manager.add(r);
  if (hasWebhooks(op)) {
    manager.add(webhookRunnable(op, { ...(sharded && { shardWebhooks: sharded.webhooks }), bindAddress: flags.webhookBindAddress, ...(flags.webhookCertDir && { certDir: flags.webhookCertDir }), ...(env.POD_NAMESPACE && { namespace: env.POD_NAMESPACE }), logger }));
  }
  options.onStart?.(manager);
  await manager.start(options.signal ? { signal: options.signal } : {});
  return manager;
}

/**
 * The leader election `--leader-elect` asks for, as the Manager's
 * `leaderElection` settings: the mode, id and namespace from the flags; the
 * namespace otherwise from POD_NAMESPACE or the Pod's ServiceAccount; the
 * identity and leader-for-life's Pod from POD_NAME. Throws
 * `LeaderElectionNamespaceUnknown` for a Lease when no namespace can be
 * found (outside a cluster, pass --leader-election-namespace).
 *
 * @example
 * ```ts
 * const flags = parseOperatorFlags(op, process.argv, process.env);
 * const manager = new Manager({ leaderElection: await leaderElectionFromFlags(flags, process.env) });
 * ```
 */
export async function leaderElectionFromFlags(flags: OperatorFlags, env: NodeJS.ProcessEnv): Promise<LeaderElectionConfig> {
  const namespace = await operatorNamespace({ namespace: flags.leaderElectionNamespace, env });
  const podName = env.POD_NAME || undefined;
  if (flags.leaderElectionMode === "lease" && !namespace) {
    throw new OperantError(
      "LeaderElectionNamespaceUnknown",
      `--leader-elect needs a namespace for the Lease "${flags.leaderElectionId}", and this process is not in a Pod: pass --leader-election-namespace <ns> (or set POD_NAMESPACE).`,
    );
  }
  return { mode: flags.leaderElectionMode, id: flags.leaderElectionId, namespace, podName, ...(flags.leaderElectionPreset === "fast" && { timings: FAST_LEASE_TIMINGS }) };
}

/**
 * The sharding `--shard` asks for: this replica's member id (from POD_NAME,
 * else the host name, plus a random suffix), the operator's namespace for
 * the Leases (`--leader-election-namespace`, POD_NAMESPACE or the Pod's
 * ServiceAccount), the sharder's election on `<leader-election-id>-sharder`,
 * the definition's sharding options (the `fast` preset from
 * `--leader-election-preset fast` unless the definition sets timings).
 * Throws `ShardingNamespaceUnknown` when no namespace can be found.
 *
 * @example
 * ```ts
 * const { controllers, runnables } = await shardingFromFlags(op, parseOperatorFlags(op, ["node", "main", "--shard"], process.env), process.env);
 * ```
 */
export async function shardingFromFlags(op: OperatorDefinition, flags: OperatorFlags, env: NodeJS.ProcessEnv): Promise<ReturnType<typeof shardOperator>> {
  const namespace = await operatorNamespace({ namespace: flags.leaderElectionNamespace, env });
  if (!namespace) {
    throw new OperantError("ShardingNamespaceUnknown", `--shard needs the operator's namespace for the member Leases, and this process is not in a Pod: pass --leader-election-namespace <ns> (or set POD_NAMESPACE).`);
  }
  const { enabled: _enabled, ...options } = op.sharding;
  return shardOperator(op.controllers, {
    ...options,
    ...(options.timings === undefined && flags.leaderElectionPreset === "fast" && { timings: "fast" as const }),
    ring: op.name,
    namespace,
    memberId: memberIdentity(env.POD_NAME || undefined),
    electionId: `${flags.leaderElectionId}-sharder`,
    ...(flags.watchNamespaces.length > 0 && { namespaces: flags.watchNamespaces }),
    // Assignment at creation: only where the generated webhook configuration lists it (sharding on in the definition).
    webhooks: op.sharding.enabled && hasWebhooks(op),
  });
}
