// What most operator tests start with: the shared control plane, a client,
// the operator's CRDs installed, and a fresh namespace per test.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Client, type ClientOptions } from "../../client/client.ts";
import { OperantError } from "../../core/errors.ts";
import { installCrds } from "../../crd/install/install.ts";
import type { ResourceDefinition } from "../../crd/resource/resource.ts";
import { Namespace } from "../../kinds/index.ts";
import { ControlPlane } from "../control-plane/control-plane.ts";

/** A cluster ready for a test file: see {@link testCluster}. */
export interface TestCluster {
  readonly controlPlane: ControlPlane;
  /** An admin client (no client-side rate limit). */
  readonly client: Client;
  /** The admin kubeconfig's path. */
  readonly kubeconfigPath: string;
  /** Creates a namespace with a unique name (`<prefix>-<random>`) and returns its name. */
  namespace(prefix?: string): Promise<string>;
  /** Runs `kubectl --kubeconfig <admin> …args` and returns stdout; a failure throws with kubectl's stderr. */
  kubectl(...args: string[]): Promise<string>;
  /** Closes the client (the shared control plane stays up for the other test files). */
  close(): Promise<void>;
}

/** Options for {@link testCluster}. */
export interface TestClusterOptions {
  /** Custom resources whose CRDs to install (e.g. `operator.resources`). */
  resources?: readonly ResourceDefinition[];
  /** A control plane of your own; default {@link ControlPlane.shared} (the `full` profile). */
  controlPlane?: ControlPlane;
  /** Client tuning (default: no rate limit). */
  client?: ClientOptions;
}

/**
 * Connects to the shared local control plane (or the one given), installs
 * the CRDs of `resources` and returns a client and per-test helpers.
 *
 * @example
 * ```ts
 * import { before, after, test } from "node:test";
 * import { testCluster, type TestCluster } from "operant/testing";
 * import operator from "../src/operator.ts";
 *
 * let cluster: TestCluster;
 * before(async () => (cluster = await testCluster({ resources: operator.resources })));
 * after(() => cluster.close());
 *
 * test("it reconciles", async () => {
 *   const ns = await cluster.namespace("memcached");
 *   await cluster.kubectl("-n", ns, "apply", "-f", "config/samples/cache.example.com_v1alpha1_memcached.yaml");
 * });
 * ```
 */
export async function testCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const controlPlane = options.controlPlane ?? (await ControlPlane.shared());
  const client = await Client.connect({ kubeconfig: controlPlane.kubeconfigPath, qps: Infinity, ...options.client });
  if (options.resources?.length) await installCrds(client, options.resources);
  const kubeconfigPath = controlPlane.kubeconfigPath;
  return {
    controlPlane,
    client,
    kubeconfigPath,
    async namespace(prefix = "test") {
      const name = `${prefix}-${randomBytes(3).toString("hex")}`;
      await client.create(Namespace, { metadata: { name } });
      return name;
    },
    kubectl: (...args) =>
      new Promise((resolve, reject) => {
        execFile("kubectl", ["--kubeconfig", kubeconfigPath, ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
          if (err) reject(new OperantError("KubectlFailed", `kubectl ${args.join(" ")} failed: ${(stderr || err.message).trim()}`, { cause: err }));
          else resolve(stdout);
        });
      }),
    close: () => client.close(),
  };
}
