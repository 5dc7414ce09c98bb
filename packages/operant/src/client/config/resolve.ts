// From a kubeconfig and a context name to a ClusterConfig: pick the context,
// its cluster and user, read the files they reference, and choose the one
// credential source the user entry describes.
import { OperantError } from "../../core/errors.ts";
import type { Duration } from "../../core/time.ts";
import { authProviderCredentials } from "./auth-provider.ts";
import type { ClusterConfig, Credentials, TlsConfig } from "./cluster-config.ts";
import { staticCredentials } from "./credentials.ts";
import { execPluginCredentials } from "./exec-plugin.ts";
import { kubeconfigFromObject, parseKubeconfig, type Kubeconfig, type KubeconfigCluster, type KubeconfigEntry, type KubeconfigParseOptions, type KubeconfigUser } from "./kubeconfig.ts";
import { readReferencedFile } from "./referenced-file.ts";
import { tokenFileCredentials } from "./token-file.ts";

/**
 * Options for turning a kubeconfig into a {@link ClusterConfig}.
 *
 * @example
 * ```ts
 * const options: ResolveKubeconfigOptions = { context: "kind-dev" };
 * ```
 */
export interface ResolveKubeconfigOptions {
  /** Context to use. Default: the kubeconfig's `current-context`. */
  context?: string;
  /** How often a `tokenFile` is re-read. Default `"1m"`. */
  tokenRefreshInterval?: Duration;
  /** Extra environment for exec credential plugins, on top of this process's environment. */
  pluginEnv?: NodeJS.ProcessEnv;
  /**
   * How long one run of an exec credential plugin (or of a legacy auth-provider's `cmd-path`) may take before it
   * is killed and the call that needed credentials fails with `CredentialPluginTimeout`. Default 60 s; 0: no limit.
   */
  credentialPluginTimeoutMs?: number;
  /** How {@link ClusterConfig.source} names the kubeconfig. Default: `kubeconfig <sources>`. */
  sourceLabel?: string;
}

/**
 * Builds a {@link ClusterConfig} from a kubeconfig given as YAML/JSON text or
 * as an object (what a kubeconfig file parses to). Relative paths resolve
 * against the directory of `path`, else `baseDir`, else the working directory.
 *
 * @example
 * ```ts
 * const config = await clusterConfigFromKubeconfig(yamlText, { context: "dev" });
 * const fromObject = await clusterConfigFromKubeconfig({ clusters: [...], users: [...], contexts: [...], "current-context": "dev" });
 * ```
 */
export async function clusterConfigFromKubeconfig(kubeconfig: string | object, options: ResolveKubeconfigOptions & KubeconfigParseOptions = {}): Promise<ClusterConfig> {
  const kc = typeof kubeconfig === "string" ? await parseKubeconfig(kubeconfig, options) : kubeconfigFromObject(kubeconfig, options);
  return resolveKubeconfig(kc, options);
}

/**
 * Resolves a parsed (possibly merged) {@link Kubeconfig}: selects the context
 * (`options.context` or `current-context`), its cluster and user, reads the
 * CA, client certificate and key, and picks the credential source.
 *
 * Credentials follow client-go's precedence: a token or `tokenFile`
 * (re-read every `tokenRefreshInterval`; `tokenFile` wins when readable, and
 * `token` is the fallback), else basic auth; an `exec` plugin or
 * `auth-provider` is used only when the user has no token, basic auth or
 * client certificate. `-data` fields win over their file counterparts.
 *
 * @example
 * ```ts
 * const config = await resolveKubeconfig(mergeKubeconfigs([a, b]), { context: "prod" });
 * ```
 */
export async function resolveKubeconfig(kc: Kubeconfig, options: ResolveKubeconfigOptions = {}): Promise<ClusterConfig> {
  const where = kc.sources.join(", ") || "the kubeconfig";
  const contextName = options.context ?? kc.currentContext;
  const contexts = [...kc.contexts.keys()];
  const available = contexts.length ? `Available contexts: ${contexts.join(", ")}.` : "It defines no contexts.";
  if (contextName === undefined) {
    throw new OperantError(
      "KubeconfigContextNotFound",
      `${where} sets no current-context and no context was given. ${available} Pick one with \`kubectl config use-context NAME\` or pass the context option (--context).`,
    );
  }
  const ctx = kc.contexts.get(contextName);
  if (!ctx) {
    const how = options.context === undefined ? ` (it is the current-context)` : "";
    throw new OperantError("KubeconfigContextNotFound", `context "${contextName}"${how} is not defined in ${where}. ${available} Pass one of them as the context, or fix the kubeconfig.`);
  }
  const clusterName = ctx.value.cluster;
  if (!clusterName) throw new OperantError("KubeconfigInvalid", `${ctx.origin}: context "${contextName}" names no cluster. Set contexts[].context.cluster.`);
  const cluster = kc.clusters.get(clusterName);
  if (!cluster) {
    throw new OperantError(
      "KubeconfigClusterNotFound",
      `context "${contextName}" (${ctx.origin}) uses cluster "${clusterName}", which is not defined in ${where}. Defined clusters: ${[...kc.clusters.keys()].join(", ") || "none"}. Add it (kubectl config set-cluster) or fix the context.`,
    );
  }
  let user: KubeconfigEntry<KubeconfigUser> | undefined;
  if (ctx.value.user) {
    user = kc.users.get(ctx.value.user);
    if (!user) {
      throw new OperantError(
        "KubeconfigUserNotFound",
        `context "${contextName}" (${ctx.origin}) uses user "${ctx.value.user}", which is not defined in ${where}. Defined users: ${[...kc.users.keys()].join(", ") || "none"}. Add it (kubectl config set-credentials) or fix the context.`,
      );
    }
  }

  const server = serverUrl(cluster);
  const tls: TlsConfig = {};
  const ca = await pem(cluster.value.certificateAuthorityData, cluster.value.certificateAuthority, `certificate-authority of cluster "${cluster.name}" in ${cluster.origin}`);
  if (ca) tls.ca = ca;
  if (cluster.value.insecureSkipTlsVerify) {
    // kubectl refuses the combination too: a CA asks for verification that insecure-skip-tls-verify turns off.
    if (ca) {
      throw new OperantError(
        "KubeconfigInvalid",
        `${cluster.origin}: cluster "${cluster.name}" sets both a certificate-authority and insecure-skip-tls-verify: true, which contradict each other (kubectl refuses this too). ` +
          `Remove insecure-skip-tls-verify to verify the server with the CA (recommended), or remove certificate-authority${cluster.value.certificateAuthorityData !== undefined ? "-data" : ""} to skip verification.`,
      );
    }
    tls.insecureSkipVerify = true;
  }
  if (cluster.value.tlsServerName) tls.serverName = cluster.value.tlsServerName;
  const proxyUrl = cluster.value.proxyUrl;
  if (proxyUrl !== undefined && !URL.canParse(proxyUrl)) {
    throw new OperantError("KubeconfigInvalid", `${cluster.origin}: proxy-url "${proxyUrl}" of cluster "${cluster.name}" is not a URL. Use a form like http://proxy:3128 or socks5://proxy:1080.`);
  }

  let credentials: Credentials = staticCredentials();
  if (user) {
    credentials = await userCredentials(user, tls, { server, caPem: ca, cluster: cluster.value }, options);
  }
  return {
    server,
    tls,
    credentials,
    namespace: ctx.value.namespace ?? "default",
    contextName,
    source: `${options.sourceLabel ?? `kubeconfig ${where}`}, context ${contextName}`,
    ...(proxyUrl !== undefined && { proxyUrl }),
  };
}

async function userCredentials(
  user: KubeconfigEntry<KubeconfigUser>,
  tls: TlsConfig,
  cluster: { server: string; caPem: string | undefined; cluster: KubeconfigCluster },
  options: ResolveKubeconfigOptions,
): Promise<Credentials> {
  const u = user.value;
  const of = `of user "${user.name}" in ${user.origin}`;
  if (u.impersonation.length > 0) {
    throw new OperantError(
      "KubeconfigUnsupported",
      `user "${user.name}" in ${user.origin} sets impersonation (${u.impersonation.join(", ")}), which operant does not support. Use a kubeconfig user that authenticates as the identity you want, or remove the impersonation fields.`,
    );
  }
  const cert = await pem(u.clientCertificateData, u.clientCertificate, `client-certificate ${of}`);
  const key = await pem(u.clientKeyData, u.clientKey, `client-key ${of}`);
  if ((cert === undefined) !== (key === undefined)) {
    throw new OperantError("KubeconfigInvalid", `${user.origin}: user "${user.name}" has a client ${cert ? "certificate but no client-key" : "key but no client-certificate"}. Set both (or their -data forms), or neither.`);
  }
  if (cert && key) {
    tls.cert = cert;
    tls.key = key;
  }
  const hasToken = u.token !== undefined || u.tokenFile !== undefined;
  const hasBasic = u.username !== undefined || u.password !== undefined;
  if (hasToken && hasBasic) {
    throw new OperantError("KubeconfigInvalid", `${user.origin}: user "${user.name}" has both a token and a username/password; only one authentication method is allowed. Remove one.`);
  }
  if (u.exec && u.authProvider) {
    throw new OperantError("KubeconfigInvalid", `${user.origin}: user "${user.name}" has both exec and auth-provider. Keep one (exec is kubectl's replacement for auth-provider).`);
  }
  if (u.tokenFile !== undefined) {
    const tokenFile = u.tokenFile;
    return tokenFileCredentials(tokenFile, {
      ...(u.token !== undefined && { fallbackToken: u.token }),
      ...(options.tokenRefreshInterval !== undefined && { refreshInterval: options.tokenRefreshInterval }),
      error: (reason, cause) =>
        new OperantError(
          "KubeconfigReferencedFileUnreadable",
          `tokenFile ${of}: file ${tokenFile} ${reason}. Fix the path (relative paths are resolved against the kubeconfig file's directory), or use token instead.`,
          { cause },
        ),
    });
  }
  if (u.token !== undefined) return staticCredentials({ authorization: `Bearer ${u.token}` });
  if (hasBasic) return staticCredentials({ authorization: `Basic ${Buffer.from(`${u.username ?? ""}:${u.password ?? ""}`).toString("base64")}` });
  if (cert) return staticCredentials(); // client-go does not run exec/auth-provider next to a static client certificate
  if (u.exec) {
    const c = cluster.cluster;
    return execPluginCredentials(u.exec, {
      user: user.name,
      origin: user.origin,
      ...(options.pluginEnv && { env: options.pluginEnv }),
      ...(options.credentialPluginTimeoutMs !== undefined && { timeoutMs: options.credentialPluginTimeoutMs }),
      cluster: {
        server: cluster.server,
        ...(c.tlsServerName && { tlsServerName: c.tlsServerName }),
        ...(c.insecureSkipTlsVerify && { insecureSkipTlsVerify: true }),
        ...(cluster.caPem && { caPem: cluster.caPem }),
        ...(c.proxyUrl && { proxyUrl: c.proxyUrl }),
        ...(c.execExtension !== undefined && { config: c.execExtension }),
      },
    });
  }
  if (u.authProvider) {
    return authProviderCredentials(u.authProvider, {
      user: user.name,
      origin: user.origin,
      ...(options.pluginEnv && { env: options.pluginEnv }),
      ...(options.credentialPluginTimeoutMs !== undefined && { timeoutMs: options.credentialPluginTimeoutMs }),
    });
  }
  return staticCredentials();
}

function serverUrl(cluster: KubeconfigEntry<KubeconfigCluster>): string {
  const raw = cluster.value.server?.trim();
  if (!raw) throw new OperantError("KubeconfigInvalid", `${cluster.origin}: cluster "${cluster.name}" has no server. Set clusters[].cluster.server to the API server's URL, e.g. https://127.0.0.1:6443.`);
  let url: URL;
  try {
    url = new URL(raw.includes("://") ? raw : `https://${raw}`);
  } catch (err) {
    throw new OperantError("KubeconfigInvalid", `${cluster.origin}: server "${raw}" of cluster "${cluster.name}" is not a URL. Use a form like https://127.0.0.1:6443.`, { cause: err });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new OperantError("KubeconfigInvalid", `${cluster.origin}: server "${raw}" of cluster "${cluster.name}" must be an http(s) URL, e.g. https://127.0.0.1:6443.`);
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

// A PEM value from a base64 `-data` field (preferred) or a file.
async function pem(data: string | undefined, file: string | undefined, what: string): Promise<string | undefined> {
  if (data !== undefined) {
    const text = Buffer.from(data, "base64").toString("utf8");
    if (!text.includes("-----BEGIN ")) {
      throw new OperantError("KubeconfigInvalid", `${what}: the -data field is not base64 of a PEM block. Store the base64 of the PEM file (base64 -w0 file.pem), or point the file field at the PEM file.`);
    }
    return text;
  }
  if (file === undefined) return undefined;
  const text = await readReferencedFile(file, what);
  if (!text.includes("-----BEGIN ")) throw new OperantError("KubeconfigInvalid", `${what}: file ${file} is not PEM (no -----BEGIN line). Point it at a PEM certificate or key.`);
  return text;
}
