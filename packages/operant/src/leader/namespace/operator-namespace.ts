// The namespace an operator runs in, where its election lock lives: given
// explicitly (flag), else POD_NAMESPACE from the downward API (when the
// caller passes an environment), else the namespace file of the Pod's
// ServiceAccount. Outside a cluster there is none, and the caller decides.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_SERVICE_ACCOUNT_DIR } from "../../client/config/in-cluster.ts";

/**
 * Options of {@link operatorNamespace}.
 *
 * @example
 * ```ts
 * const o: OperatorNamespaceOptions = { namespace: flags.leaderElectionNamespace, env: process.env };
 * ```
 */
export interface OperatorNamespaceOptions {
  /** An explicit namespace (e.g. `--leader-election-namespace`): wins when set. */
  namespace?: string | undefined;
  /** Environment to read `POD_NAMESPACE` from; not read unless passed. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Where the ServiceAccount's `namespace` file is (default `/var/run/secrets/kubernetes.io/serviceaccount`). */
  serviceAccountDir?: string | undefined;
}

/**
 * Finds the operator's namespace, or `undefined` outside a cluster.
 *
 * @example
 * ```ts
 * const ns = await operatorNamespace({ env: process.env }); // "memcached-operator-system" in its Pod
 * ```
 */
export async function operatorNamespace(options: OperatorNamespaceOptions = {}): Promise<string | undefined> {
  if (options.namespace) return options.namespace;
  const fromEnv = options.env?.POD_NAMESPACE?.trim();
  if (fromEnv) return fromEnv;
  try {
    const fromFile = (await readFile(join(options.serviceAccountDir ?? DEFAULT_SERVICE_ACCOUNT_DIR, "namespace"), "utf8")).trim();
    return fromFile || undefined;
  } catch {
    return undefined;
  }
}
