// Exec credential plugins (client.authentication.k8s.io v1 and v1beta1):
// aws eks get-token, gke-gcloud-auth-plugin, kubelogin, … The plugin runs
// without a shell and without stdin (unless a person is at a terminal and the
// entry allows it), with a time limit after which it is killed; its
// ExecCredential is cached until `expirationTimestamp`; concurrent callers
// share one run, and a run that failed or timed out is not shared with later
// calls; KUBERNETES_EXEC_INFO carries the request; errors are coded and name
// the plugin.
import { OperantError } from "../../core/errors.ts";
import type { CredentialMaterial, Credentials } from "./cluster-config.ts";
import { DEFAULT_CREDENTIAL_PLUGIN_TIMEOUT_MS, runCredentialCommand } from "./credential-command.ts";
import { SingleFlight } from "./credentials.ts";
import type { KubeconfigExec } from "./kubeconfig.ts";

/** The ExecCredential API versions operant can talk to plugins in. */
const SUPPORTED_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];

/**
 * The cluster an exec plugin authenticates to, passed to it in
 * `KUBERNETES_EXEC_INFO` when the kubeconfig sets `provideClusterInfo`.
 *
 * @example
 * ```ts
 * const cluster: ExecPluginCluster = { server: "https://eks.example:443", caPem };
 * ```
 */
export interface ExecPluginCluster {
  server: string;
  tlsServerName?: string;
  insecureSkipTlsVerify?: boolean;
  caPem?: string;
  proxyUrl?: string;
  /** The cluster's `client.authentication.k8s.io/exec` extension. */
  config?: unknown;
}

/**
 * Options of {@link execPluginCredentials}.
 *
 * @example
 * ```ts
 * const options: ExecPluginOptions = { user: "eks-admin", origin: "/home/x/.kube/config", cluster: { server } };
 * ```
 */
export interface ExecPluginOptions {
  /** Name of the kubeconfig user (for messages). */
  user: string;
  /** The kubeconfig file the user entry came from (for messages). */
  origin: string;
  cluster: ExecPluginCluster;
  /** Variables the plugin gets on top of this process's environment (before the entry's own `env`). */
  env?: NodeJS.ProcessEnv;
  /**
   * How long one run of the plugin may take before it is killed (SIGTERM, then SIGKILL 2 s later) and `get()`
   * rejects with `CredentialPluginTimeout`; the next `get()` runs it again. Default 60 s
   * ({@link DEFAULT_CREDENTIAL_PLUGIN_TIMEOUT_MS}); 0: no limit. Interactive runs (a person at a terminal) have no limit.
   */
  timeoutMs?: number;
  /**
   * Whether a person can answer the plugin on this process's stdin. Default: stdin is a terminal. Only then does a
   * plugin whose `interactiveMode` is not `Never` get stdin (and `spec.interactive: true`); otherwise its stdin is
   * closed, so a plugin that reads it gets end-of-file instead of waiting forever.
   */
  interactive?: boolean;
}

/**
 * Checks that operant can run this exec entry: an ExecCredential version it
 * speaks and no need for an interactive terminal. Throws `KubeconfigUnsupported`.
 *
 * @example
 * ```ts
 * checkExecSupported(user.exec, "dev", "/home/x/.kube/config");
 * ```
 */
export function checkExecSupported(exec: KubeconfigExec, user: string, origin: string, interactive = false): void {
  const v = exec.apiVersion;
  if (v === undefined || !SUPPORTED_VERSIONS.includes(v)) {
    const hint = v?.endsWith("/v1alpha1") ? " (v1alpha1 was removed in Kubernetes 1.24)" : "";
    throw new OperantError(
      "KubeconfigUnsupported",
      `user "${user}" in ${origin}: exec plugin apiVersion ${v === undefined ? "is missing" : `"${v}" is not supported${hint}`}. Set users[].user.exec.apiVersion to client.authentication.k8s.io/v1 (or v1beta1) and update the plugin if it does not speak it.`,
    );
  }
  if (exec.interactiveMode === "Always" && !interactive) {
    throw new OperantError(
      "KubeconfigUnsupported",
      `user "${user}" in ${origin}: exec plugin "${exec.command}" requires an interactive terminal (interactiveMode: Always), and this process's stdin is not one. Log in with the plugin beforehand so it can answer non-interactively, or use a non-interactive credential.`,
    );
  }
}

/**
 * Credentials from an exec credential plugin. The plugin runs on the first
 * `get()`, its ExecCredential is cached until `status.expirationTimestamp`
 * (forever without one), and `invalidate()` makes the next `get()` run it
 * again. The plugin inherits this process's environment plus `options.env`,
 * the entry's `env` and `KUBERNETES_EXEC_INFO`. It runs without a shell; its
 * stdin is closed unless a person is at a terminal (`options.interactive`)
 * and its `interactiveMode` is not `Never`. A run that takes longer than
 * `options.timeoutMs` (default 60 s) is killed. Concurrent `get()` calls share
 * one run; once a run has failed, the next `get()` starts a new one.
 *
 * Errors: `CredentialPluginNotFound` when the command does not exist (with
 * the entry's `installHint`), `CredentialPluginTimeout` when a run overran
 * `timeoutMs`, `CredentialPluginFailed` when it exits non-zero (with its
 * stderr), prints something other than an ExecCredential, or returns neither
 * a token nor a client certificate.
 *
 * @example
 * ```ts
 * const creds = await execPluginCredentials(user.exec, { user: "eks", origin: path, cluster: { server } });
 * const { authorization } = await creds.get();
 * ```
 */
export async function execPluginCredentials(exec: KubeconfigExec, options: ExecPluginOptions): Promise<Credentials> {
  const interactive = (options.interactive ?? process.stdin.isTTY === true) && exec.interactiveMode !== "Never";
  checkExecSupported(exec, options.user, options.origin, interactive);
  return Promise.resolve(new ExecPlugin(exec, options, interactive));
}

interface ExecCredentialStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

class ExecPlugin implements Credentials {
  readonly #exec: KubeconfigExec;
  readonly #options: ExecPluginOptions;
  readonly #env: NodeJS.ProcessEnv;
  readonly #interactive: boolean;
  readonly #timeoutMs: number;
  readonly #flight = new SingleFlight<CredentialMaterial>();
  #cached: { material: CredentialMaterial; expiresAt: number } | undefined;

  constructor(exec: KubeconfigExec, options: ExecPluginOptions, interactive: boolean) {
    this.#exec = exec;
    this.#options = options;
    this.#interactive = interactive;
    this.#timeoutMs = interactive ? 0 : (options.timeoutMs ?? DEFAULT_CREDENTIAL_PLUGIN_TIMEOUT_MS);
    const info = {
      apiVersion: exec.apiVersion,
      kind: "ExecCredential",
      spec: { interactive, ...(exec.provideClusterInfo && { cluster: clusterInfo(options.cluster) }) },
    };
    this.#env = { ...process.env, ...options.env };
    for (const { name, value } of exec.env) this.#env[name] = value;
    this.#env.KUBERNETES_EXEC_INFO = JSON.stringify(info);
  }

  get(signal?: AbortSignal): Promise<CredentialMaterial> {
    const c = this.#cached;
    if (c && c.expiresAt > Date.now()) return signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve(c.material);
    return this.#flight.run(() => this.#fetch(), signal);
  }

  invalidate(): void {
    this.#cached = undefined;
    this.#flight.reset();
  }

  async #fetch(): Promise<CredentialMaterial> {
    let outcome;
    try {
      outcome = await runCredentialCommand(this.#exec.command, this.#exec.args, { env: this.#env, timeoutMs: this.#timeoutMs, interactive: this.#interactive });
    } catch (err) {
      throw this.#startError(err);
    }
    const stderr = outcome.stderr.trim();
    const said = stderr ? `; it printed on stderr:\n${tail(stderr, 4000)}` : "";
    switch (outcome.kind) {
      case "timedOut":
        throw new OperantError(
          "CredentialPluginTimeout",
          `credential plugin "${this.#exec.command}" for user "${this.#options.user}" (${this.#options.origin}) did not finish within ${this.#timeoutMs / 1000} s and was killed${said}\n` +
            `A plugin that waits for a login or for input cannot get one here (its stdin is closed). Run the command by hand to log in, or raise the timeout (credentialPluginTimeoutMs) if it is only slow.`,
          { retryable: true },
        );
      case "tooMuchOutput":
        throw this.#failed("printed more than 1 MiB, which is no ExecCredential");
      case "signalled":
        throw this.#failed(`was ended by ${outcome.signal}${said}`);
      case "exited":
        break;
    }
    if (outcome.code !== 0) throw this.#failed(stderr ? `failed (exit code ${outcome.code}):\n${tail(stderr, 4000)}` : `exited with code ${outcome.code} and printed nothing on stderr`);
    let status: ExecCredentialStatus;
    try {
      const doc = JSON.parse(outcome.stdout) as { kind?: unknown; status?: unknown };
      if (typeof doc !== "object" || doc === null || typeof doc.status !== "object" || doc.status === null) throw new SyntaxError("no status object");
      status = doc.status;
    } catch (err) {
      throw this.#failed(`printed something that is not ExecCredential JSON (${(err as Error).message})`, err);
    }
    const m: { authorization?: string; cert?: string; key?: string } = {};
    if (typeof status.token === "string" && status.token) m.authorization = `Bearer ${status.token}`;
    if (typeof status.clientCertificateData === "string" && typeof status.clientKeyData === "string" && status.clientCertificateData && status.clientKeyData) {
      m.cert = status.clientCertificateData;
      m.key = status.clientKeyData;
    }
    if (!m.authorization && !m.cert) {
      throw this.#failed("printed an ExecCredential with neither status.token nor status.clientCertificateData and status.clientKeyData");
    }
    const expires = typeof status.expirationTimestamp === "string" ? Date.parse(status.expirationTimestamp) : NaN;
    this.#cached = { material: m, expiresAt: Number.isNaN(expires) ? Infinity : expires };
    return m;
  }

  #startError(err: unknown): OperantError {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT") {
      const hint = this.#exec.installHint ? `\n\n${this.#exec.installHint.trim()}` : "";
      return new OperantError(
        "CredentialPluginNotFound",
        `user "${this.#options.user}" in ${this.#options.origin} needs the credential plugin "${this.#exec.command}", which was not found${this.#exec.command.includes("/") ? "" : " on PATH"}. Install it, or fix users[].user.exec.command.${hint}`,
        { cause: err },
      );
    }
    if (e.code === "EACCES") return this.#failed(`could not be started: ${this.#exec.command} is not executable (permission denied)`, err);
    return this.#failed(`could not be started: ${e.message}`, err);
  }

  #failed(what: string, cause?: unknown): OperantError {
    return new OperantError(
      "CredentialPluginFailed",
      `credential plugin "${this.#exec.command}" for user "${this.#options.user}" (${this.#options.origin}) ${what}\nRun the command by hand to see what it needs (often a fresh login).`,
      { cause, retryable: true },
    );
  }
}

function clusterInfo(c: ExecPluginCluster): Record<string, unknown> {
  return {
    server: c.server,
    ...(c.tlsServerName && { "tls-server-name": c.tlsServerName }),
    ...(c.insecureSkipTlsVerify && { "insecure-skip-tls-verify": true }),
    ...(c.caPem && { "certificate-authority-data": Buffer.from(c.caPem).toString("base64") }),
    ...(c.proxyUrl && { "proxy-url": c.proxyUrl }),
    ...(c.config !== undefined && { config: c.config }),
  };
}

function tail(s: string, max: number): string {
  return s.length <= max ? s : `…${s.slice(-max)}`;
}
