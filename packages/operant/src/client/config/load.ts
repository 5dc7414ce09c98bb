// loadClusterConfig(): find the configuration the way kubectl does and
// resolve it. Nothing is read at import time; the environment is read when
// the function is called (process.env unless one is given).
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { OperantError } from "../../core/errors.ts";
import type { Duration } from "../../core/time.ts";
import type { ClusterConfig } from "./cluster-config.ts";
import { inClusterConfig, isInCluster } from "./in-cluster.ts";
import { mergeKubeconfigs, parseKubeconfig, type Kubeconfig } from "./kubeconfig.ts";
import { proxyFromEnvironment } from "./proxy-env.ts";
import { describeReadError } from "./referenced-file.ts";
import { resolveKubeconfig } from "./resolve.ts";

/**
 * Options of {@link loadClusterConfig}. All are optional.
 *
 * @example
 * ```ts
 * const options: LoadClusterConfigOptions = { kubeconfig: "./kind.kubeconfig", context: "kind-dev", inCluster: "never" };
 * ```
 */
export interface LoadClusterConfigOptions {
  /** Path of the kubeconfig to use, like kubectl's `--kubeconfig`; it must exist. Default: `KUBECONFIG`, else `~/.kube/config`. */
  kubeconfig?: string;
  /** Context to use, like `--context`. Default: the kubeconfig's `current-context`. */
  context?: string;
  /**
   * Environment to read `KUBECONFIG`, `HOME`, the proxy variables and the in-cluster variables from.
   * Default `process.env`, read when called. With a given environment that has
   * no `HOME` (nor `USERPROFILE`), `~/.kube/config` is not looked at.
   * Exec credential plugins get this environment on top of the process's own.
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Whether to use the in-cluster ServiceAccount configuration:
   * `"auto"` (default) when no kubeconfig is found and no context was asked
   * for (kubectl's behaviour); `"never"`; or `"only"`, ignoring kubeconfigs.
   */
  inCluster?: "auto" | "never" | "only";
  /** ServiceAccount directory for in-cluster config. Default `/var/run/secrets/kubernetes.io/serviceaccount`. */
  serviceAccountDir?: string;
  /** How often token files (in-cluster token, kubeconfig `tokenFile`) are re-read. Default `"1m"`. */
  tokenRefreshInterval?: Duration;
  /**
   * How long one run of an exec credential plugin (or an auth-provider's `cmd-path`) may take before it is
   * killed; the request that needed credentials then fails with `CredentialPluginTimeout`, and the next one
   * runs the plugin again. Default 60 s; 0: no limit. (The client's `timeoutMs` bounds each request's wait
   * for credentials too, without stopping the run others may share.)
   */
  credentialPluginTimeoutMs?: number;
}

/**
 * Loads the cluster configuration like kubectl:
 *
 * 1. `options.kubeconfig` (like `--kubeconfig`): that file, which must exist;
 * 2. else `KUBECONFIG`: a list of files separated by `:` (`;` on Windows),
 *    merged (for each cluster, user and context name the first file that
 *    defines it wins; the first file that sets `current-context` decides it);
 *    files in the list that do not exist are skipped;
 * 3. else `~/.kube/config`;
 * 4. if none of these yields a kubeconfig with entries, the in-cluster
 *    ServiceAccount configuration when running in a Pod (see `inCluster`).
 *
 * Then the context (`options.context` or `current-context`) is resolved:
 * relative paths against the directory of the file that defined the entry,
 * CA/cert/key read, credentials chosen (static token, `tokenFile`, basic
 * auth, client certificate, exec plugin or legacy auth-provider).
 *
 * Proxies as kubectl: the cluster's `proxy-url` when set; else `HTTPS_PROXY`
 * (`HTTP_PROXY` for an http server; upper case before lower case) unless the
 * server is localhost or a loopback address or `NO_PROXY` exempts it (names,
 * `.suffixes`, IPs, CIDRs, `:port`; `*` for all). See {@link proxyFromEnvironment}.
 *
 * Errors (`OperantError.code`): `KubeconfigNotFound`, `KubeconfigUnreadable`,
 * `KubeconfigInvalid`, `KubeconfigUnsupported`, `KubeconfigContextNotFound`,
 * `KubeconfigClusterNotFound`, `KubeconfigUserNotFound`,
 * `KubeconfigReferencedFileUnreadable`, `InClusterConfigMissing`; exec
 * plugins report `CredentialPluginNotFound` / `CredentialPluginFailed` from
 * `credentials.get()`.
 *
 * @example
 * ```ts
 * const config = await loadClusterConfig();                       // like plain kubectl
 * const dev = await loadClusterConfig({ context: "kind-dev" });   // like kubectl --context kind-dev
 * const pod = await loadClusterConfig({ inCluster: "only" });     // the Pod's ServiceAccount
 * ```
 */
export async function loadClusterConfig(options: LoadClusterConfigOptions = {}): Promise<ClusterConfig> {
  const env = options.env ?? process.env;
  return withEnvironmentProxy(await loadFrom(options, env), env);
}

/** kubectl's proxy from the environment, unless the kubeconfig's cluster set `proxy-url` (which wins). */
function withEnvironmentProxy(config: ClusterConfig, env: NodeJS.ProcessEnv): ClusterConfig {
  if (config.proxyUrl !== undefined) return config;
  const proxy = proxyFromEnvironment(config.server, env);
  if (!proxy) return config;
  if (!URL.canParse(proxy.url)) {
    throw new OperantError("KubeconfigInvalid", `${proxy.variable}="${proxy.url}" is not a URL, and the API server ${config.server} would be reached through it. Fix the variable (e.g. http://proxy:3128), or add the server's host to NO_PROXY.`);
  }
  return { ...config, proxyUrl: proxy.url, source: `${config.source}, proxy from ${proxy.variable}` };
}

async function loadFrom(options: LoadClusterConfigOptions, env: NodeJS.ProcessEnv): Promise<ClusterConfig> {
  const mode = options.inCluster ?? "auto";
  const inCluster = () =>
    inClusterConfig({
      env,
      ...(options.serviceAccountDir !== undefined && { serviceAccountDir: options.serviceAccountDir }),
      ...(options.tokenRefreshInterval !== undefined && { tokenRefreshInterval: options.tokenRefreshInterval }),
    });
  if (mode === "only") return inCluster();

  const found = await findKubeconfig(options, env);
  if (found.kubeconfig) {
    return resolveKubeconfig(found.kubeconfig, {
      sourceLabel: found.label,
      ...(options.context !== undefined && { context: options.context }),
      ...(options.tokenRefreshInterval !== undefined && { tokenRefreshInterval: options.tokenRefreshInterval }),
      ...(options.env && { pluginEnv: options.env }),
      ...(options.credentialPluginTimeoutMs !== undefined && { credentialPluginTimeoutMs: options.credentialPluginTimeoutMs }),
    });
  }
  if (mode === "auto" && options.context === undefined && isInCluster(env)) return inCluster();

  const inClusterNote =
    mode === "never" ? "" : options.context !== undefined ? " (in-cluster config was not tried because a context was asked for)" : "; not running in a cluster (KUBERNETES_SERVICE_HOST is not set)";
  throw new OperantError(
    "KubeconfigNotFound",
    `no kubeconfig found: ${found.tried.join("; ")}${inClusterNote}. Run \`operant cluster up\` for a local cluster, or point KUBECONFIG or --kubeconfig at a kubeconfig file.`,
  );
}

interface Found {
  /** The merged kubeconfig, when some file had entries. */
  kubeconfig?: Kubeconfig;
  label: string;
  /** What was looked at, for the not-found message. */
  tried: string[];
}

async function findKubeconfig(options: LoadClusterConfigOptions, env: NodeJS.ProcessEnv): Promise<Found> {
  if (options.kubeconfig) {
    const path = resolve(options.kubeconfig);
    const kc = await readKubeconfig(path);
    if (!kc) {
      throw new OperantError("KubeconfigNotFound", `kubeconfig ${path} (given with --kubeconfig / the kubeconfig option) does not exist. Fix the path, or run \`operant cluster up\` for a local cluster.`);
    }
    return { kubeconfig: kc, label: `kubeconfig ${path}`, tried: [path] };
  }
  const list = env.KUBECONFIG;
  if (list) {
    const paths = [...new Set(list.split(delimiter).filter((p) => p.length > 0).map((p) => resolve(p)))];
    const configs: Kubeconfig[] = [];
    for (const p of paths) {
      const kc = await readKubeconfig(p);
      if (kc) configs.push(kc);
    }
    const merged = mergeKubeconfigs(configs);
    const tried = [`KUBECONFIG=${list} (${configs.length ? "no contexts, clusters or users in it" : paths.length > 1 ? "none of these files exists" : "no such file"})`];
    if (isEmpty(merged)) return { label: "", tried };
    return { kubeconfig: merged, label: `kubeconfig ${merged.sources.join(", ")} (KUBECONFIG)`, tried };
  }
  const home = env.HOME || env.USERPROFILE || (options.env === undefined ? homedir() : undefined);
  if (!home) return { label: "", tried: ["KUBECONFIG is not set", "~/.kube/config (no HOME in the given environment)"] };
  const path = join(home, ".kube", "config");
  const kc = await readKubeconfig(path);
  const tried = ["KUBECONFIG is not set", `${path} (${kc ? "no contexts, clusters or users in it" : "does not exist"})`];
  if (!kc || isEmpty(kc)) return { label: "", tried };
  return { kubeconfig: kc, label: `kubeconfig ${path}`, tried };
}

// A kubeconfig file, or undefined when it does not exist.
async function readKubeconfig(path: string): Promise<Kubeconfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new OperantError("KubeconfigUnreadable", `kubeconfig ${path} ${describeReadError(err)}. Fix its permissions or point KUBECONFIG / --kubeconfig at a readable file.`, { cause: err });
  }
  return await parseKubeconfig(text, { path });
}

function isEmpty(kc: Kubeconfig): boolean {
  return kc.currentContext === undefined && kc.contexts.size === 0 && kc.clusters.size === 0 && kc.users.size === 0;
}
