// What the HTTP transport needs to reach one API server: where it is, how to
// trust it, who to be. Produced by loadClusterConfig() from a kubeconfig or the
// in-cluster ServiceAccount; plain data apart from the Credentials source.

/**
 * TLS settings for the connection to the API server. Certificates and keys
 * are PEM strings, already read from files or decoded from `-data` fields.
 *
 * @example
 * ```ts
 * const tls: TlsConfig = { ca: caPem, serverName: "kubernetes.default.svc" };
 * ```
 */
export interface TlsConfig {
  /** CA bundle that signs the server's certificate; absent: the system roots. */
  ca?: string;
  /** Static client certificate from the kubeconfig. A certificate from {@link Credentials.get} (exec plugins) takes precedence. */
  cert?: string;
  /** Private key of {@link TlsConfig.cert}. */
  key?: string;
  /** `insecure-skip-tls-verify`: do not verify the server's certificate. */
  insecureSkipVerify?: boolean;
  /** `tls-server-name`: the name to verify the server's certificate against (and to send as SNI). */
  serverName?: string;
}

/**
 * What to attach to one request: an `Authorization` header value and/or a
 * client certificate that replaces {@link TlsConfig.cert} (exec plugins can
 * issue and rotate certificates).
 *
 * @example
 * ```ts
 * const m: CredentialMaterial = { authorization: "Bearer eyJhbGciOi…" };
 * ```
 */
export interface CredentialMaterial {
  /** Full header value, e.g. `Bearer <token>` or `Basic <base64>`. */
  authorization?: string;
  /** PEM client certificate; when set, use it instead of {@link TlsConfig.cert}. */
  cert?: string;
  /** PEM private key for {@link CredentialMaterial.cert}. */
  key?: string;
}

/**
 * A source of credentials for requests. Implementations cache: `get()` is
 * cheap enough to call before every request, and only re-reads a token file
 * or re-runs an exec plugin when the cached value is stale or was
 * invalidated. Concurrent `get()` calls share one refresh.
 *
 * @example
 * ```ts
 * const { authorization } = await config.credentials.get(signal);
 * // … after a 401:
 * config.credentials.invalidate();
 * ```
 */
export interface Credentials {
  /** Credentials for the next request. Rejects with an `OperantError` (e.g. `CredentialPluginFailed`) or with `signal.reason` when aborted. */
  get(signal?: AbortSignal): Promise<CredentialMaterial>;
  /** Drops cached credentials, so the next `get()` re-reads the token file or re-runs the plugin. Call it after a 401. */
  invalidate(): void;
}

/**
 * A resolved connection to one cluster: the server, TLS settings,
 * credentials and default namespace of a kubeconfig context (or of the
 * in-cluster ServiceAccount).
 *
 * @example
 * ```ts
 * const config = await loadClusterConfig({ context: "kind-dev" });
 * console.log(`${config.server} as ${config.source}, namespace ${config.namespace}`);
 * ```
 */
export interface ClusterConfig {
  /** Base URL of the API server, `https://host:port` plus any path prefix, without a trailing slash. */
  server: string;
  tls: TlsConfig;
  credentials: Credentials;
  /** The context's namespace; in-cluster: `POD_NAMESPACE` or the ServiceAccount's namespace file; else `"default"`. */
  namespace: string;
  /** Name of the kubeconfig context used; absent in-cluster. */
  contextName?: string;
  /** Where this came from, for logs and error messages: `kubeconfig /home/x/.kube/config, context kind-dev` or `in-cluster ServiceAccount (…)`. */
  source: string;
  /** The cluster's `proxy-url` (http, https or socks5), when set. Operant only exposes it. */
  proxyUrl?: string;
}

/**
 * Codes of the errors the config loader throws (`OperantError.code`).
 * docs/errors.md gives the cause and fix of each.
 *
 * @example
 * ```ts
 * if (isOperantError(err, "KubeconfigNotFound" satisfies ClusterConfigErrorCode)) suggestClusterUp();
 * ```
 */
export type ClusterConfigErrorCode =
  | "KubeconfigNotFound"
  | "KubeconfigUnreadable"
  | "KubeconfigInvalid"
  | "KubeconfigUnsupported"
  | "KubeconfigContextNotFound"
  | "KubeconfigClusterNotFound"
  | "KubeconfigUserNotFound"
  | "KubeconfigReferencedFileUnreadable"
  | "CredentialPluginNotFound"
  | "CredentialPluginFailed"
  | "InClusterConfigMissing";
