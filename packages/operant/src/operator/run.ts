// The body of an operator's main.ts: flags and environment in, a running
// manager out. Projects call it instead of copying a page of setup code.
import { Command, Option } from "commander";
import { pino } from "pino";
import type { Logger } from "../core/logger.ts";
import { Manager, type LeaderElector, type ManagerOptions } from "../runtime/manager/manager.ts";
import type { OperatorDefinition } from "./operator.ts";

/** Settings parsed from flags and environment. */
export interface OperatorFlags {
  kubeconfig?: string;
  context?: string;
  /** Empty: all namespaces. */
  watchNamespaces: string[];
  leaderElect: boolean;
  leaderElectionMode: "lease" | "leader-for-life";
  leaderElectionId: string;
  leaderElectionNamespace?: string;
  metricsBindAddress: string;
  healthProbeBindAddress: string;
  logLevel: string;
}

/** What {@link runOperator} reads besides the definition. Everything is explicit: nothing is read from the environment unless passed. */
export interface RunOperatorOptions {
  /** Command-line arguments (as `process.argv`). */
  argv?: readonly string[];
  /** Environment (`WATCH_NAMESPACE`, `POD_NAME`, `POD_NAMESPACE`, `KUBECONFIG`). */
  env?: NodeJS.ProcessEnv;
  /** A logger to use instead of pino at `--log-level`. */
  logger?: Logger;
  /** Extra manager options (e.g. a client, a registry). */
  manager?: Partial<ManagerOptions>;
  /**
   * Builds the leader elector when `--leader-elect` is given. Defaults to
   * operant's Lease / leader-for-life electors.
   */
  leaderElector?: (flags: OperatorFlags, op: OperatorDefinition, env: NodeJS.ProcessEnv) => LeaderElector | Promise<LeaderElector>;
}

/**
 * Parses an operator's standard flags: `--kubeconfig`, `--context`,
 * `--watch-namespace` (comma list; else env `WATCH_NAMESPACE`),
 * `--leader-elect`, `--leader-election-mode`, `--leader-election-id`,
 * `--leader-election-namespace`, `--metrics-bind-address`,
 * `--health-probe-bind-address`, `--log-level`.
 *
 * @example
 * ```ts
 * parseOperatorFlags(op, ["node", "main.ts", "--watch-namespace", "a,b"], {}).watchNamespaces // ["a", "b"]
 * ```
 */
export function parseOperatorFlags(op: OperatorDefinition, argv: readonly string[], env: NodeJS.ProcessEnv): OperatorFlags {
  const cmd = new Command(op.name)
    .description(`Runs the ${op.name} operator`)
    .option("--kubeconfig <path>", "kubeconfig file (default: KUBECONFIG, ~/.kube/config, or in-cluster)")
    .option("--context <name>", "kubeconfig context")
    .option("--watch-namespace <list>", "comma-separated namespaces to watch (default: env WATCH_NAMESPACE, else all)")
    .option("--leader-elect", "elect a leader among replicas; only the leader reconciles", false)
    .addOption(new Option("--leader-election-mode <mode>", "lease (default) or leader-for-life").choices(["lease", "leader-for-life"]).default(op.leaderElection.mode))
    .option("--leader-election-id <name>", "name of the Lease / ConfigMap lock", op.leaderElection.id)
    .option("--leader-election-namespace <ns>", "namespace of the lock (default: the Pod's namespace)")
    .option("--metrics-bind-address <addr>", "address of /metrics and the status page", ":8080")
    .option("--health-probe-bind-address <addr>", "address of /healthz and /readyz", ":8081")
    .option("--log-level <level>", "trace, debug, info, warn, error", "info")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  cmd.parse([...argv]);
  const o = cmd.opts<{ kubeconfig?: string; context?: string; watchNamespace?: string; leaderElect: boolean; leaderElectionMode: "lease" | "leader-for-life"; leaderElectionId: string; leaderElectionNamespace?: string; metricsBindAddress: string; healthProbeBindAddress: string; logLevel: string }>();
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
    metricsBindAddress: o.metricsBindAddress,
    healthProbeBindAddress: o.healthProbeBindAddress,
    logLevel: o.logLevel,
  };
}

/**
 * Runs an operator until SIGTERM/SIGINT: parses flags, builds the manager
 * (with leader election when asked), adds the controllers, starts.
 *
 * @example
 * ```ts
 * // src/main.ts
 * import { runOperator } from "operant";
 * import operator from "./operator.ts";
 * await runOperator(operator, { argv: process.argv, env: process.env });
 * ```
 */
export async function runOperator(op: OperatorDefinition, options: RunOperatorOptions = {}): Promise<Manager> {
  const env = options.env ?? {};
  const flags = parseOperatorFlags(op, options.argv ?? ["node", op.name], env);
  const logger = options.logger ?? (pino({ level: flags.logLevel, base: { operator: op.name } }));
  if (op.scope === "Namespaced" && flags.watchNamespaces.length === 0) {
    logger.warn({}, `${op.name} is namespace-scoped but no namespace was given (--watch-namespace or WATCH_NAMESPACE): watching all namespaces needs cluster-wide RBAC`);
  }
  const leaderElection = flags.leaderElect && options.leaderElector ? await options.leaderElector(flags, op, env) : undefined;
  if (flags.leaderElect && !leaderElection) logger.warn({}, "--leader-elect given but no leader elector is available; running without election");
  const manager = new Manager({
    name: op.name,
    ...(flags.kubeconfig && { kubeconfig: flags.kubeconfig }),
    ...(flags.context && { context: flags.context }),
    ...(flags.watchNamespaces.length > 0 && { namespaces: flags.watchNamespaces }),
    metricsBindAddress: flags.metricsBindAddress,
    healthBindAddress: flags.healthProbeBindAddress,
    logger,
    ...(env.POD_NAME && { instanceName: env.POD_NAME }),
    ...(leaderElection && { leaderElection }),
    ...options.manager,
  });
  for (const c of op.controllers) manager.add(c);
  await manager.start();
  return manager;
}
