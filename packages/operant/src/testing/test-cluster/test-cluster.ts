// What most operator tests start with: the shared control plane, a client,
// the operator's CRDs installed, a fresh namespace per test, and the
// operator's controllers running in this process.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Client, type ClientOptions } from "../../client/client.ts";
import { OperantError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { Duration } from "../../core/time.ts";
import { installCrds } from "../../crd/install/install.ts";
import type { ResourceDefinition } from "../../crd/resource/resource.ts";
import { Namespace } from "../../kinds/index.ts";
import type { AnyControllerDefinition } from "../../runtime/controller/builder.ts";
import { Manager } from "../../runtime/manager/manager.ts";
import { ControlPlane } from "../control-plane/control-plane.ts";

/**
 * A cluster ready for a test file: see {@link testCluster}.
 *
 * @example
 * ```ts
 * let cluster: TestCluster;
 * before(async () => { cluster = await testCluster({ resources: operator.resources }); });
 * after(() => cluster.close());
 * ```
 */
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
  /**
   * Runs `operator`'s controllers in a Manager of this process, watching
   * `options.namespace`, until `stop()`; {@link TestCluster.close} stops any
   * still running.
   *
   * @example
   * ```ts
   * test("it scales", async (t) => {
   *   const ns = await cluster.namespace("memcached");
   *   cluster.startOperator(operator, { namespace: ns, stopAfter: t });
   * });
   * ```
   */
  startOperator(operator: TestOperatorDefinition, options: StartOperatorOptions): RunningTestOperator;
  /** Stops the operators started with {@link TestCluster.startOperator} and closes the client (the shared control plane stays up for the other test files). */
  close(): Promise<void>;
}

/**
 * What {@link TestCluster.startOperator} needs of an operator: its name and controllers (a `defineOperator()` result has both).
 *
 * @example
 * ```ts
 * const op: TestOperatorDefinition = { name: "memcached-operator", controllers: [memcachedController] };
 * cluster.startOperator(op, { namespace: ns, stopAfter: t });
 * ```
 */
export interface TestOperatorDefinition {
  readonly name: string;
  readonly controllers: readonly AnyControllerDefinition[];
}

/**
 * Options of {@link TestCluster.startOperator}.
 *
 * @example
 * ```ts
 * cluster.startOperator(operator, { namespace: ns, stopAfter: t, gracefulShutdownTimeout: "2s" } satisfies StartOperatorOptions);
 * ```
 */
export interface StartOperatorOptions {
  /** The namespace (or namespaces) the Manager watches. */
  namespace: string | readonly string[];
  /** The client the controllers use (default: the cluster's admin client); pass another to test under a narrower identity. */
  client?: Client;
  logger?: Logger;
  /** How long stop() lets in-flight reconciles finish (default "5s"). */
  gracefulShutdownTimeout?: Duration;
  /** Serve metrics and probes on free loopback ports (`manager.addresses`); default false, nothing listens. */
  serve?: boolean;
  /** A node:test test context (or anything with `after()`): the operator stops when that test ends. */
  stopAfter?: {
    /** Registers `fn` to run when the test ends (node:test's `t.after`). */
    after(fn: () => Promise<void>): void;
  };
}

/**
 * An operator running in the test process: see {@link TestCluster.startOperator}.
 *
 * @example
 * ```ts
 * const running: RunningTestOperator = cluster.startOperator(operator, { namespace: ns });
 * t.after(running.stop);
 * ```
 */
export interface RunningTestOperator {
  readonly manager: Manager;
  /** Stops the Manager and waits until its controllers have drained; safe to call twice, and unbound (`t.after(running.stop)`). */
  readonly stop: () => Promise<void>;
}

/**
 * Options for {@link testCluster}.
 *
 * @example
 * ```ts
 * const cluster = await testCluster({ resources: [Memcached], client: { qps: 50 } } satisfies TestClusterOptions);
 * ```
 */
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
  const running = new Set<RunningTestOperator>();
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
    startOperator(operator, options) {
      const manager = new Manager({
        client: options.client ?? client,
        namespaces: typeof options.namespace === "string" ? [options.namespace] : [...options.namespace],
        metricsBindAddress: options.serve ? "127.0.0.1:0" : false,
        healthBindAddress: options.serve ? "127.0.0.1:0" : false,
        statusPage: options.serve ? { bindAddress: "127.0.0.1:0" } : false,
        handleSignals: false,
        gracefulShutdownTimeout: options.gracefulShutdownTimeout ?? "5s",
        name: operator.name,
        ...(options.logger && { logger: options.logger }),
      });
      for (const c of operator.controllers) manager.add(c);
      const done = manager.start();
      const handle: RunningTestOperator = {
        manager,
        stop: async () => {
          running.delete(handle);
          manager.stop();
          await done;
        },
      };
      running.add(handle);
      options.stopAfter?.after(handle.stop);
      return handle;
    },
    async close() {
      await Promise.all([...running].map((r) => r.stop()));
      await client.close();
    },
  };
}
