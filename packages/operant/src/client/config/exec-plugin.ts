// Exec credential plugins (client.authentication.k8s.io v1 and v1beta1):
// aws eks get-token, gke-gcloud-auth-plugin, kubelogin, … Running the plugin
// and caching its ExecCredential until `expirationTimestamp` is
// @kubernetes/client-node's ExecAuth, loaded only when a kubeconfig user has
// an `exec` entry (its module is light; the client-node index is not). This
// file adds what operant's contract needs around it: KUBERNETES_EXEC_INFO,
// one plugin run for concurrent callers, invalidate() after a 401, abortable
// waits, and coded errors naming the plugin.
import type { RequestOptions } from "node:https";
import type { User } from "@kubernetes/client-node/dist/config_types.js";
import type { ExecAuth } from "@kubernetes/client-node/dist/exec_auth.js";
import { OperantError } from "../../core/errors.ts";
import type { CredentialMaterial, Credentials } from "./cluster-config.ts";
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
export function checkExecSupported(exec: KubeconfigExec, user: string, origin: string): void {
  const v = exec.apiVersion;
  if (v === undefined || !SUPPORTED_VERSIONS.includes(v)) {
    const hint = v?.endsWith("/v1alpha1") ? " (v1alpha1 was removed in Kubernetes 1.24)" : "";
    throw new OperantError(
      "KubeconfigUnsupported",
      `user "${user}" in ${origin}: exec plugin apiVersion ${v === undefined ? "is missing" : `"${v}" is not supported${hint}`}. Set users[].user.exec.apiVersion to client.authentication.k8s.io/v1 (or v1beta1) and update the plugin if it does not speak it.`,
    );
  }
  if (exec.interactiveMode === "Always") {
    throw new OperantError(
      "KubeconfigUnsupported",
      `user "${user}" in ${origin}: exec plugin "${exec.command}" requires an interactive terminal (interactiveMode: Always), which a library cannot provide. Log in with the plugin beforehand so it can answer non-interactively, or use a non-interactive credential.`,
    );
  }
}

/**
 * Credentials from an exec credential plugin. The plugin runs on the first
 * `get()`, its ExecCredential is cached until `status.expirationTimestamp`
 * (forever without one), and `invalidate()` makes the next `get()` run it
 * again. The plugin inherits this process's environment plus `options.env`,
 * the entry's `env` and `KUBERNETES_EXEC_INFO`; it gets no terminal.
 *
 * Errors: `CredentialPluginNotFound` when the command does not exist (with
 * the entry's `installHint`), `CredentialPluginFailed` when it exits non-zero
 * (with its stderr), prints something other than an ExecCredential, or
 * returns neither a token nor a client certificate.
 *
 * @example
 * ```ts
 * const creds = await execPluginCredentials(user.exec, { user: "eks", origin: path, cluster: { server } });
 * const { authorization } = await creds.get();
 * ```
 */
export async function execPluginCredentials(exec: KubeconfigExec, options: ExecPluginOptions): Promise<Credentials> {
  checkExecSupported(exec, options.user, options.origin);
  const { ExecAuth: ExecAuthClass } = await import("@kubernetes/client-node/dist/exec_auth.js");
  return new ExecPlugin(ExecAuthClass, exec, options);
}

class ExecPlugin implements Credentials {
  readonly #newAuth: () => ExecAuth;
  readonly #exec: KubeconfigExec;
  readonly #options: ExecPluginOptions;
  readonly #user: User;
  readonly #flight = new SingleFlight<CredentialMaterial>();
  #auth: ExecAuth;

  constructor(ExecAuthClass: new () => ExecAuth, exec: KubeconfigExec, options: ExecPluginOptions) {
    this.#newAuth = () => new ExecAuthClass();
    this.#auth = this.#newAuth();
    this.#exec = exec;
    this.#options = options;
    const info = {
      apiVersion: exec.apiVersion,
      kind: "ExecCredential",
      spec: { interactive: false, ...(exec.provideClusterInfo && { cluster: clusterInfo(options.cluster) }) },
    };
    const env = [
      ...Object.entries(options.env ?? {}).flatMap(([name, value]) => (value === undefined ? [] : [{ name, value }])),
      ...exec.env,
      { name: "KUBERNETES_EXEC_INFO", value: JSON.stringify(info) },
    ];
    // The shape client-node's ExecAuth reads (config_types User).
    this.#user = { name: options.user, exec: { command: exec.command, args: exec.args, env } };
  }

  get(signal?: AbortSignal): Promise<CredentialMaterial> {
    return this.#flight.run(() => this.#fetch(), signal);
  }

  invalidate(): void {
    this.#auth = this.#newAuth(); // a fresh ExecAuth has an empty cache
    this.#flight.reset();
  }

  async #fetch(): Promise<CredentialMaterial> {
    const opts: RequestOptions & { headers: Record<string, string> } = { headers: {} };
    try {
      await this.#auth.applyAuthentication(this.#user, opts);
    } catch (err) {
      throw this.#error(err);
    }
    const m: { authorization?: string; cert?: string; key?: string } = {};
    const authorization = opts.headers.Authorization;
    if (authorization) m.authorization = authorization;
    if (typeof opts.cert === "string" && typeof opts.key === "string") {
      m.cert = opts.cert;
      m.key = opts.key;
    }
    if (!m.authorization && !m.cert) {
      this.invalidate();
      throw this.#failed("printed an ExecCredential with neither status.token nor status.clientCertificateData and status.clientKeyData");
    }
    return m;
  }

  #error(err: unknown): OperantError {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT" && e.syscall?.startsWith("spawn")) {
      const hint = this.#exec.installHint ? `\n\n${this.#exec.installHint.trim()}` : "";
      return new OperantError(
        "CredentialPluginNotFound",
        `user "${this.#options.user}" in ${this.#options.origin} needs the credential plugin "${this.#exec.command}", which was not found${this.#exec.command.includes("/") ? "" : " on PATH"}. Install it, or fix users[].user.exec.command.${hint}`,
        { cause: err },
      );
    }
    if (e.code === "EACCES") return this.#failed(`could not be started: ${this.#exec.command} is not executable (permission denied)`, err);
    if (err instanceof SyntaxError) return this.#failed(`printed something that is not ExecCredential JSON (${err.message})`, err);
    const stderr = (err instanceof Error ? err.message : String(err)).trim();
    return this.#failed(stderr ? `failed:\n${tail(stderr, 4000)}` : "exited with an error and printed nothing on stderr", err);
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
