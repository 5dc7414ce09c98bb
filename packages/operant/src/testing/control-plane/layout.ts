// Where a control plane keeps its files, and the ports its components listen on.
import { join } from "node:path";

/** The files and folders inside a control plane's directory. */
export interface Paths {
  pki: string;
  logs: string;
  etcdData: string;
  kwokHome: string;
  users: string;
  kubeconfig: string;
  state: string;
}

/**
 * The layout of a control plane's directory.
 *
 * @example
 * ```ts
 * const { kubeconfig } = pathsOf(cp.dir);
 * ```
 */
export function pathsOf(dir: string): Paths {
  return {
    pki: join(dir, "pki"),
    logs: join(dir, "logs"),
    etcdData: join(dir, "etcd"),
    kwokHome: join(dir, "kwok"),
    users: join(dir, "users"),
    kubeconfig: join(dir, "kubeconfig"),
    state: join(dir, "state.json"),
  };
}

/** The loopback ports of the components (the `full` profile's only in `full`). */
export interface Ports {
  etcd: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager?: number;
  scheduler?: number;
  kwok?: number;
}
