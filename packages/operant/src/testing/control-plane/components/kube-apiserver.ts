import { join } from "node:path";
import type { ComponentDefinition } from "./component-definition.ts";
import { etcdClientUrl } from "./etcd.ts";

/**
 * kube-apiserver: TLS on loopback with the control plane's serving certificate,
 * client certificates from its client CA, Node and RBAC authorization.
 *
 * @example
 * ```ts
 * const running = await launch(kubeApiServer, ctx, binary);
 * ```
 */
export const kubeApiServer: ComponentDefinition = {
  name: "kube-apiserver",
  args: (ctx) => [
    `--etcd-servers=${etcdClientUrl(ctx)}`,
    `--secure-port=${ctx.ports.apiserver}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    "--endpoint-reconciler-type=none",
    `--tls-cert-file=${join(ctx.paths.pki, "apiserver.crt")}`,
    `--tls-private-key-file=${join(ctx.paths.pki, "apiserver.key")}`,
    `--client-ca-file=${join(ctx.paths.pki, "client-ca.crt")}`,
    "--authorization-mode=Node,RBAC",
    `--service-cluster-ip-range=${ctx.serviceClusterIpRange}`,
    "--allow-privileged=true",
    `--service-account-issuer=${ctx.server}/`,
    `--service-account-key-file=${join(ctx.paths.pki, "sa.pub")}`,
    `--service-account-signing-key-file=${join(ctx.paths.pki, "sa.key")}`,
    `--cert-dir=${join(ctx.paths.pki, "apiserver-generated")}`,
    "--storage-media-type=application/json", // object bytes stay readable in etcd; costs nothing here
    ...(ctx.profile === "minimal" ? ["--disable-admission-plugins=ServiceAccount"] : []),
    ...ctx.apiServerFlags,
  ],
  readiness: () => [{ check: async (api) => (await api.call("GET", "/readyz").catch(() => ({ status: 0 }))).status === 200, what: "kube-apiserver did not report ready on /readyz" }],
};
