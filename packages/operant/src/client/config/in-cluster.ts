// Running in a Pod: the API server's address comes from the Service
// environment variables, identity and trust from the ServiceAccount volume
// the kubelet mounts (a projected token it rotates, the cluster CA, the
// namespace).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { OperantError } from "../../core/errors.ts";
import type { Duration } from "../../core/time.ts";
import type { ClusterConfig } from "./cluster-config.ts";
import { describeReadError } from "./referenced-file.ts";
import { tokenFileCredentials } from "./token-file.ts";

/**
 * Where the kubelet mounts a Pod's ServiceAccount credentials.
 *
 * @example
 * ```ts
 * join(DEFAULT_SERVICE_ACCOUNT_DIR, "token") // "/var/run/secrets/kubernetes.io/serviceaccount/token"
 * ```
 */
export const DEFAULT_SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * Options of {@link inClusterConfig}.
 *
 * @example
 * ```ts
 * const options: InClusterOptions = { serviceAccountDir: "/tmp/sa", env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" } };
 * ```
 */
export interface InClusterOptions {
  /** Environment to read `KUBERNETES_SERVICE_HOST`, `KUBERNETES_SERVICE_PORT` and `POD_NAMESPACE` from. Default `process.env`, read when called. */
  env?: NodeJS.ProcessEnv;
  /** Directory holding `token`, `ca.crt` and `namespace`. Default {@link DEFAULT_SERVICE_ACCOUNT_DIR}. */
  serviceAccountDir?: string;
  /** How often the token file is re-read (the kubelet rotates it). Default `"1m"`. */
  tokenRefreshInterval?: Duration;
}

/**
 * Whether the environment looks like a Pod: both `KUBERNETES_SERVICE_HOST`
 * and `KUBERNETES_SERVICE_PORT` are set.
 *
 * @example
 * ```ts
 * if (isInCluster()) console.log("running in a Pod");
 * ```
 */
export function isInCluster(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.KUBERNETES_SERVICE_HOST && !!env.KUBERNETES_SERVICE_PORT;
}

/**
 * The configuration of a Pod's own ServiceAccount, as client-go's
 * `rest.InClusterConfig()` builds it: server `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`,
 * CA from `ca.crt`, the bearer token from `token` (re-read every
 * `tokenRefreshInterval` and after `invalidate()`, since the kubelet rotates
 * it), namespace from `POD_NAMESPACE`, else the `namespace` file, else
 * `"default"`. Throws `InClusterConfigMissing` when the variables or the
 * token or CA file are missing.
 *
 * @example
 * ```ts
 * const config = await inClusterConfig();
 * ```
 */
export async function inClusterConfig(options: InClusterOptions = {}): Promise<ClusterConfig> {
  const env = options.env ?? process.env;
  const dir = options.serviceAccountDir ?? DEFAULT_SERVICE_ACCOUNT_DIR;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    const missing = [!host && "KUBERNETES_SERVICE_HOST", !port && "KUBERNETES_SERVICE_PORT"].filter(Boolean).join(" and ");
    throw new OperantError(
      "InClusterConfigMissing",
      `in-cluster config needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, but ${missing} ${missing.includes(" and ") ? "are" : "is"} not set: this does not look like a Pod. Outside a cluster, use a kubeconfig (--kubeconfig, KUBECONFIG or ~/.kube/config).`,
    );
  }
  const missingFile = (name: string, fix: string) => (reason: string, cause: unknown) =>
    new OperantError("InClusterConfigMissing", `in-cluster config: ServiceAccount ${name} ${join(dir, name)} ${reason}. ${fix}`, { cause });
  const noToken = "Mount a ServiceAccount token: check that automountServiceAccountToken is not false on the Pod or its ServiceAccount.";

  let ca: string;
  try {
    ca = await readFile(join(dir, "ca.crt"), "utf8");
  } catch (err) {
    throw missingFile("ca.crt", noToken)(describeReadError(err), err);
  }
  const credentials = await tokenFileCredentials(join(dir, "token"), {
    ...(options.tokenRefreshInterval !== undefined && { refreshInterval: options.tokenRefreshInterval }),
    error: missingFile("token", noToken),
  });
  const namespace = env.POD_NAMESPACE || (await readFile(join(dir, "namespace"), "utf8").then((s) => s.trim(), () => "")) || "default";
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    tls: { ca },
    credentials,
    namespace,
    source: `in-cluster ServiceAccount (${dir}, KUBERNETES_SERVICE_HOST=${host})`,
  };
}
