/**
 * Cluster configuration for operant's client: kubeconfig loading with
 * kubectl's precedence and merge rules, in-cluster ServiceAccount config, and
 * credentials (tokens, token files, client certificates, basic auth, exec
 * plugins and legacy auth providers through @kubernetes/client-node, loaded
 * only when a kubeconfig needs them).
 *
 * @example
 * ```ts
 * import { loadClusterConfig } from "./client/config/index.ts";
 * const config = await loadClusterConfig({ context: "kind-dev" });
 * const { authorization } = await config.credentials.get();
 * ```
 * @module
 */
export type { ClusterConfig, ClusterConfigErrorCode, CredentialMaterial, Credentials, TlsConfig } from "./cluster-config.ts";
export { loadClusterConfig, type LoadClusterConfigOptions } from "./load.ts";
export { clusterConfigFromKubeconfig, resolveKubeconfig, type ResolveKubeconfigOptions } from "./resolve.ts";
export { inClusterConfig, isInCluster, DEFAULT_SERVICE_ACCOUNT_DIR, type InClusterOptions } from "./in-cluster.ts";
export {
  parseKubeconfig,
  kubeconfigFromObject,
  mergeKubeconfigs,
  type Kubeconfig,
  type KubeconfigAuthProvider,
  type KubeconfigCluster,
  type KubeconfigContext,
  type KubeconfigEntry,
  type KubeconfigExec,
  type KubeconfigParseOptions,
  type KubeconfigUser,
} from "./kubeconfig.ts";
export { staticCredentials } from "./credentials.ts";
export { tokenFileCredentials, type TokenFileCredentialsOptions } from "./token-file.ts";
export { execPluginCredentials, type ExecPluginCluster, type ExecPluginOptions } from "./exec-plugin.ts";
export { DEFAULT_CREDENTIAL_PLUGIN_TIMEOUT_MS } from "./credential-command.ts";
export { authProviderCredentials, SUPPORTED_AUTH_PROVIDERS } from "./auth-provider.ts";
export { bypassesProxy, proxyFromEnvironment, type EnvironmentProxy } from "./proxy-env.ts";
