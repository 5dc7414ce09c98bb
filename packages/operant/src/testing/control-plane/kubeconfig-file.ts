import { stringify } from "yaml";

/** Credentials a kubeconfig user entry carries. */
export type KubeconfigCredentials = { certPem: string; keyPem: string } | { token: string };

/**
 * A single-context kubeconfig document for one server and one user.
 *
 * @example
 * ```ts
 * kubeconfigYaml({ name: "operant", server: "https://127.0.0.1:6443", caPem, credentials: { token } })
 * ```
 */
export function kubeconfigYaml(options: { name: string; server: string; caPem: string; credentials: KubeconfigCredentials; user?: string; namespace?: string }): string {
  const user = options.user ?? "admin";
  const creds =
    "token" in options.credentials
      ? { token: options.credentials.token }
      : {
          "client-certificate-data": Buffer.from(options.credentials.certPem).toString("base64"),
          "client-key-data": Buffer.from(options.credentials.keyPem).toString("base64"),
        };
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: options.name, cluster: { server: options.server, "certificate-authority-data": Buffer.from(options.caPem).toString("base64") } }],
    users: [{ name: user, user: creds }],
    contexts: [{ name: options.name, context: { cluster: options.name, user, ...(options.namespace && { namespace: options.namespace }) } }],
    "current-context": options.name,
    preferences: {},
  });
}
