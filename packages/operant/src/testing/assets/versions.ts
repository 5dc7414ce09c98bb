/**
 * The one place the local control plane's versions are pinned. Changing a
 * version here changes what is built (and the cache directory it lands in).
 *
 * Kubernetes v1.36 is built with Go 1.26; etcd v3.6 is kubeadm's etcd for
 * Kubernetes 1.34–1.36; kwok v0.8.0 simulates the kubelets.
 *
 * @example
 * ```ts
 * console.log(CONTROL_PLANE_VERSIONS.kubernetes); // "v1.36.3"
 * ```
 */
export const CONTROL_PLANE_VERSIONS = {
  kubernetes: "v1.36.3",
  etcd: "v3.6.10",
  kwok: "v0.8.0",
} as const;

/** The Go version the pinned modules declare (`go` directive); older toolchains cannot build them. */
export const MINIMUM_GO = "1.26.0";

/**
 * A control-plane binary operant can run.
 *
 * @example
 * ```ts
 * const names: BinaryName[] = ["etcd", "kube-apiserver"];
 * const found = await locateBinaries(names);
 * ```
 */
export type BinaryName = "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kwok";

/** All binaries, in start order. */
export const BINARIES: readonly BinaryName[] = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"];
