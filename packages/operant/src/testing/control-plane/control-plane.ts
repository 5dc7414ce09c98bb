// A real Kubernetes control plane as local processes: etcd and kube-apiserver
// ("minimal", like envtest), plus kube-controller-manager, kube-scheduler and
// kwok with fake Nodes ("full": Deployments get Pods, Pods run, the garbage
// collector cascades, namespaces finish deleting).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { OperantError } from "../../core/errors.ts";
import type { BuildProgress } from "../assets/build.ts";
import { locateBinaries, type LocateOptions } from "../assets/locate.ts";
import type { BinaryName } from "../assets/versions.ts";
import { createCertificateAuthority, createServiceAccountKeys, reloadCertificateAuthority, type CertificateAuthority } from "../../pki/pki.ts";
import { AdminApi } from "./admin-api.ts";
import { isAlive, startComponent, stopProcessGroup, tailLog, type ComponentRecord } from "./component.ts";
import { etcd, kubeApiServer, kubeControllerManager, kubeScheduler, kwok, launch, type ComponentContext, type ComponentDefinition } from "./components/index.ts";
import { kubeconfigYaml } from "./kubeconfig-file.ts";
import { pathsOf, type Ports } from "./layout.ts";
import { freePort } from "./ports.ts";
import { startWatchdog, type Watchdog } from "./watchdog.ts";

/**
 * The environment variable that hands a shared control plane's directory to test processes.
 *
 * @example
 * ```ts
 * const dir = process.env[SHARED_CONTROL_PLANE_ENV]; // set by the test runner's global setup: ControlPlane.shared() attaches to it
 * ```
 */
export const SHARED_CONTROL_PLANE_ENV = "OPERANT_SHARED_CONTROL_PLANE";

/**
 * The default Service IP range: a /16, room for 65,534 Services (the API server takes at most a /12 for IPv4).
 *
 * @example
 * ```ts
 * await ControlPlane.start({ serviceClusterIpRange: DEFAULT_SERVICE_CLUSTER_IP_RANGE });
 * ```
 */
export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = "10.0.0.0/16";

let sharedPromise: Promise<ControlPlane> | undefined;

/**
 * `minimal`: etcd + kube-apiserver. `full`: plus controller-manager, scheduler, kwok and fake Nodes.
 *
 * @example
 * ```ts
 * const profile: ControlPlaneProfile = "minimal"; // API only: enough for CRDs and the client
 * await using cp = await ControlPlane.start({ profile });
 * ```
 */
export type ControlPlaneProfile = "minimal" | "full";

/**
 * Options for {@link ControlPlane.start}.
 *
 * @example
 * ```ts
 * await using cp = await ControlPlane.start({ profile: "full", nodes: 3, onProgress: (m) => console.error(m) } satisfies ControlPlaneOptions);
 * ```
 */
export interface ControlPlaneOptions {
  /** Default `minimal` (fast, like envtest); use `full` when Pods must run or owners must cascade. */
  profile?: ControlPlaneProfile;
  /** Directory for certificates, data and logs (default: a new temporary directory, removed by `stop()`). */
  dir?: string;
  /**
   * Keep running after this process exits (the CLI's `cluster up`). Without
   * it, a watchdog process kills the control plane and removes its directory
   * as soon as this process is gone, however it ends.
   */
  persistent?: boolean;
  /** Fake Nodes in the `full` profile (default 3). */
  nodes?: number;
  /** How long to wait for everything to be ready (default 90 s). */
  startTimeoutMs?: number;
  /** Where binaries come from and how a missing one is built. */
  binaries?: LocateOptions;
  /**
   * The Service IP range (`--service-cluster-ip-range`), default
   * {@link DEFAULT_SERVICE_CLUSTER_IP_RANGE} (65,534 Services).
   */
  serviceClusterIpRange?: string;
  /** Extra kube-apiserver flags (`--flag=value`). */
  apiServerFlags?: string[];
  /** Progress lines for people (building, starting, ready). */
  onProgress?: (message: string) => void;
}

/**
 * What `state.json` in the control plane's directory records.
 *
 * @example
 * ```ts
 * const state = JSON.parse(await readFile(join(dir, "state.json"), "utf8")) as ControlPlaneState;
 * console.log(state.server, state.kubeconfigPath);
 * ```
 */
export interface ControlPlaneState {
  name: string;
  profile: ControlPlaneProfile;
  dir: string;
  server: string;
  kubeconfigPath: string;
  persistent: boolean;
  startedAt: string;
  components: ComponentRecord[];
  ports: Record<string, number>;
}

/**
 * Formats a build progress event as one readable line.
 *
 * @example
 * ```ts
 * describeBuildProgress({ module: "kubernetes", phase: "compiling", elapsedMs: 75_000, packages: { built: 120, total: 400 } })
 * // "building kubernetes: compiling 120/400 packages [1m15s]"
 * ```
 */
export function describeBuildProgress(p: BuildProgress): string {
  const t = `${Math.floor(p.elapsedMs / 60000)}m${String(Math.floor(p.elapsedMs / 1000) % 60).padStart(2, "0")}s`;
  const pk = p.packages ? ` ${p.packages.built}/${p.packages.total} packages` : "";
  const what = { resolving: "resolving modules (downloads on first build)", compiling: "compiling", done: "built" }[p.phase];
  return `building ${p.module}: ${what}${pk} [${t}]`;
}

/**
 * A local Kubernetes control plane, for test suites and demos.
 *
 * @example
 * ```ts
 * import { test } from "node:test";
 * import { ControlPlane } from "operant/testing";
 *
 * test("pods run", async (t) => {
 *   const cp = await ControlPlane.start({ profile: "full" });
 *   t.after(() => cp.stop());
 *   // cp.kubeconfigPath is an admin kubeconfig; cp.userKubeconfig({ user: "alice" }) is not.
 * });
 * ```
 */
export class ControlPlane implements AsyncDisposable {
  readonly dir: string;
  readonly profile: ControlPlaneProfile;
  /** The API server's URL, `https://127.0.0.1:<port>`. */
  readonly server: string;
  /** Path of the admin kubeconfig (user `admin`, group `system:masters`). */
  readonly kubeconfigPath: string;

  #state: ControlPlaneState;
  #watchdog: Watchdog | undefined;
  #clientCa: CertificateAuthority | undefined;
  #binaries: Map<BinaryName, string>;
  /** What the components were started with (undefined when attached): the API server restarts with it. */
  #context: ComponentContext | undefined;
  #stopped = false;
  #borrowed = false;
  readonly #ownsDir: boolean;

  private constructor(state: ControlPlaneState, binaries: Map<BinaryName, string>, context: ComponentContext | undefined, ownsDir: boolean) {
    this.#state = state;
    this.dir = state.dir;
    this.profile = state.profile;
    this.server = state.server;
    this.kubeconfigPath = state.kubeconfigPath;
    this.#binaries = binaries;
    this.#context = context;
    this.#ownsDir = ownsDir;
  }

  /** A snapshot of what is running (component pids, ports, paths). */
  get state(): Readonly<ControlPlaneState> {
    return this.#state;
  }

  /**
   * Builds the binaries if needed, starts the components and waits until the
   * control plane is really ready: `/readyz`, and for `full` also Nodes Ready
   * and the `default` ServiceAccount. A component that exits or does not get
   * ready in time fails the start with its name and the tail of its log, and
   * nothing is left running.
   */
  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const profile = options.profile ?? "minimal";
    const progress = options.onProgress ?? (() => {});
    const wanted: BinaryName[] = profile === "full" ? ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"] : ["etcd", "kube-apiserver"];
    const located = await locateBinaries(wanted, {
      ...options.binaries,
      onProgress: options.binaries?.onProgress ?? ((p) => progress(describeBuildProgress(p))),
    });
    const binaries = new Map([...located].map(([k, v]) => [k, v.path]));

    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "operant-cp-")));
    const paths = pathsOf(dir);
    for (const d of [paths.pki, paths.logs, paths.etcdData, paths.kwokHome, paths.users]) await mkdir(d, { recursive: true });

    const watchdog = options.persistent ? undefined : startWatchdog(dir);
    const startedAt = Date.now();
    const deadline = startedAt + (options.startTimeoutMs ?? 90_000);
    const components: (ComponentRecord & { exited?: Promise<number | null> })[] = [];
    const track = (c: ComponentRecord & { exited: Promise<number | null> }) => {
      components.push(c);
      watchdog?.watchPid(c.pid);
      return c;
    };

    let ctx: ComponentContext | undefined;
    try {
      // Certificates: a serving CA for the API server, a client CA for users, service-account keys.
      const servingCa = createCertificateAuthority("operant-serving-ca");
      const clientCa = createCertificateAuthority("operant-client-ca");
      const serving = servingCa.issue({ commonName: "kube-apiserver", hosts: ["localhost", "127.0.0.1"], usage: "server" });
      const admin = clientCa.issue({ commonName: "admin", organizations: ["system:masters"], usage: "client" });
      const sa = createServiceAccountKeys();
      const files: Record<string, string> = {
        "serving-ca.crt": servingCa.certPem,
        "client-ca.crt": clientCa.certPem,
        "client-ca.key": clientCa.keyPem,
        "apiserver.crt": serving.certPem,
        "apiserver.key": serving.keyPem,
        "admin.crt": admin.certPem,
        "admin.key": admin.keyPem,
        "sa.key": sa.privateKeyPem,
        "sa.pub": sa.publicKeyPem,
      };
      for (const [name, content] of Object.entries(files)) await writeFile(join(paths.pki, name), content, { mode: 0o600 });

      const ports: Ports = {
        etcd: await freePort(),
        etcdPeer: await freePort(),
        apiserver: await freePort(),
        ...(profile === "full" && { controllerManager: await freePort(), scheduler: await freePort(), kwok: await freePort() }),
      };
      const server = `https://127.0.0.1:${ports.apiserver}`;
      await writeFile(paths.kubeconfig, kubeconfigYaml({ name: "operant", server, caPem: servingCa.certPem, credentials: admin }), { mode: 0o600 });

      const name = dir.split("/").pop() ?? "operant";
      const state: ControlPlaneState = {
        name,
        profile,
        dir,
        server,
        kubeconfigPath: paths.kubeconfig,
        persistent: Boolean(options.persistent),
        startedAt: new Date(startedAt).toISOString(),
        components,
        ports: { ...ports },
      };
      const save = () => writeFile(paths.state, JSON.stringify({ ...state, components: components.map(({ name, pid, logPath }) => ({ name, pid, logPath })) }, null, 2));
      ctx = {
        paths,
        ports,
        server,
        profile,
        serviceClusterIpRange: options.serviceClusterIpRange ?? DEFAULT_SERVICE_CLUSTER_IP_RANGE,
        apiServerFlags: options.apiServerFlags ?? [],
        nodes: options.nodes ?? 3,
      };
      const componentCtx = ctx;
      const api = new AdminApi(server, { caPem: servingCa.certPem, certPem: admin.certPem, keyPem: admin.keyPem });
      /** Starts components together, seeds what they need, and waits for every readiness check of each. */
      const bringUp = async (defs: ComponentDefinition[]) => {
        const running = await Promise.all(defs.map(async (def) => track(await launch(def, componentCtx, binaries.get(def.name)!))));
        await save();
        for (const def of defs) await def.seed?.(componentCtx, api);
        await Promise.all(defs.flatMap((def, i) => def.readiness(componentCtx).map((r) => waitFor(running[i]!, deadline, () => r.check(api), r.what))));
      };
      try {
        progress("starting etcd");
        await bringUp([etcd]);
        progress("starting kube-apiserver");
        await bringUp([kubeApiServer]);
        if (profile === "full") {
          progress("starting kube-controller-manager, kube-scheduler and kwok");
          await bringUp([kubeControllerManager, kubeScheduler, kwok]);
        }
      } finally {
        await api.close();
      }

      await save();
      progress(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s: ${server}`);
      const cp = new ControlPlane(state, binaries, ctx, ownsDir);
      cp.#watchdog = watchdog;
      cp.#clientCa = clientCa;
      return cp;
    } catch (err) {
      for (const c of [...components].reverse()) await stopProcessGroup(c.pid, 0);
      watchdog?.close();
      if (ownsDir || !options.persistent) await rm(dir, { recursive: true, force: true }).catch(() => {});
      throw err;
    }
  }

  /**
   * Attaches to a control plane another process started with `persistent`
   * (what `operant cluster status|down|kubeconfig` do).
   *
   * @example
   * ```ts
   * const cp = await ControlPlane.attach("/home/me/.local/state/operant/clusters/default");
   * await cp.stop();
   * ```
   */
  static async attach(dir: string): Promise<ControlPlane> {
    const file = pathsOf(dir).state;
    if (!existsSync(file)) throw new OperantError("ControlPlaneNotFound", `no control plane in ${dir} (no state.json). Start one with \`operant cluster up\`.`);
    const state = JSON.parse(await readFile(file, "utf8")) as ControlPlaneState;
    const cp = new ControlPlane(state, new Map(), undefined, false);
    const pki = pathsOf(dir).pki;
    const [certPem, keyPem] = await Promise.all([readFile(join(pki, "client-ca.crt"), "utf8"), readFile(join(pki, "client-ca.key"), "utf8")]);
    cp.#clientCa = reloadCertificateAuthority(certPem, keyPem);
    return cp;
  }

  /**
   * The control plane shared by a whole test run: the one whose directory is
   * in `OPERANT_SHARED_CONTROL_PLANE` (a global setup started it), else one
   * started on first call for this process, profile `full`, and stopped when
   * the process exits. Calling `stop()` on it does nothing: it is borrowed.
   * Share it safely by giving each test its own namespace.
   *
   * @example
   * ```ts
   * const cp = await ControlPlane.shared();
   * const kubeconfig = cp.kubeconfigPath;
   * ```
   */
  static shared(): Promise<ControlPlane> {
    sharedPromise ??= (async () => {
      const dir = process.env[SHARED_CONTROL_PLANE_ENV];
      const cp = dir ? await ControlPlane.attach(dir) : await ControlPlane.start({ profile: "full" });
      cp.#borrowed = true;
      return cp;
    })();
    return sharedPromise;
  }

  /** Which components are running. */
  components(): { name: string; pid: number; running: boolean; logPath: string }[] {
    return this.#state.components.map((c) => ({ name: c.name, pid: c.pid, running: isAlive(c.pid), logPath: c.logPath }));
  }

  /** Whether the API server answers `/readyz` with 200 now. */
  async ready(): Promise<boolean> {
    const api = await this.#adminApi();
    try {
      return (await api.call("GET", "/readyz", undefined, 2000).catch(() => ({ status: 0 }))).status === 200;
    } finally {
      await api.close();
    }
  }

  /**
   * Writes a kubeconfig for any user and groups (a client certificate from
   * the control plane's client CA) and returns its path. Such a user has no
   * permissions until RBAC grants them: this is how tests get a non-admin.
   *
   * @example
   * ```ts
   * const path = await cp.userKubeconfig({ user: "alice", groups: ["dev"] });
   * ```
   */
  async userKubeconfig(options: { user: string; groups?: string[]; namespace?: string }): Promise<string> {
    const ca = this.#clientCa;
    if (!ca) throw new OperantError("ControlPlaneNotFound", "this control plane has no client CA loaded");
    const pair = ca.issue({ commonName: options.user, organizations: options.groups ?? [], usage: "client" });
    const safe = options.user.replace(/[^\w.-]/g, "_");
    const path = join(pathsOf(this.dir).users, `${safe}.kubeconfig`);
    await writeFile(path, kubeconfigYaml({ name: "operant", user: options.user, server: this.server, caPem: await this.#servingCa(), credentials: pair, ...(options.namespace && { namespace: options.namespace }) }), { mode: 0o600 });
    return path;
  }

  /**
   * Writes a kubeconfig that authenticates as a ServiceAccount with a token
   * from the TokenRequest API, and returns its path. The ServiceAccount must
   * exist.
   *
   * @example
   * ```ts
   * const path = await cp.serviceAccountKubeconfig({ namespace: "system", name: "memcached-operator" });
   * ```
   */
  async serviceAccountKubeconfig(options: { namespace: string; name: string; expirationSeconds?: number }): Promise<string> {
    const api = await this.#adminApi();
    try {
      const res = await api.call("POST", `/api/v1/namespaces/${options.namespace}/serviceaccounts/${options.name}/token`, {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: options.expirationSeconds ?? 3600 },
      });
      const token = (res.body as { status?: { token?: string } } | undefined)?.status?.token;
      if (res.status !== 201 || !token) throw new OperantError("ControlPlaneRequestFailed", `TokenRequest for ${options.namespace}/${options.name} failed (${res.status}): ${res.text.slice(0, 300)}`);
      const path = join(pathsOf(this.dir).users, `sa-${options.namespace}-${options.name}.kubeconfig`);
      await writeFile(path, kubeconfigYaml({ name: "operant", user: `system:serviceaccount:${options.namespace}:${options.name}`, server: this.server, caPem: await this.#servingCa(), credentials: { token }, namespace: options.namespace }), { mode: 0o600 });
      return path;
    } finally {
      await api.close();
    }
  }

  /** Stops the API server alone; etcd and its data stay (for fault tests). */
  async stopApiServer(): Promise<void> {
    const c = this.#component("kube-apiserver");
    this.#watchdog?.forgetPid(c.pid);
    await stopProcessGroup(c.pid, 3000);
  }

  /** Starts the API server again on the same port and waits until it is ready. */
  async startApiServer(timeoutMs = 60_000): Promise<void> {
    const binary = this.#binaries.get("kube-apiserver");
    const ctx = this.#context;
    if (!binary || !ctx) throw new OperantError("ControlPlaneNotFound", "the API server can only be restarted by the process that started the control plane");
    const old = this.#component("kube-apiserver");
    const c = startComponent("kube-apiserver", binary, kubeApiServer.args(ctx), { logPath: old.logPath });
    this.#watchdog?.watchPid(c.pid);
    this.#state.components = this.#state.components.map((x) => (x.name === "kube-apiserver" ? { name: c.name, pid: c.pid, logPath: c.logPath } : x));
    await writeFile(pathsOf(this.dir).state, JSON.stringify({ ...this.#state, components: this.#state.components.map(({ name, pid, logPath }) => ({ name, pid, logPath })) }, null, 2));
    const api = await this.#adminApi();
    try {
      await waitFor(c, Date.now() + timeoutMs, async () => (await api.call("GET", "/readyz").catch(() => ({ status: 0 }))).status === 200, "kube-apiserver did not report ready on /readyz after restart");
    } finally {
      await api.close();
    }
  }

  /** Stops and starts the API server (watches break; etcd data stays). */
  async restartApiServer(): Promise<void> {
    await this.stopApiServer();
    await this.startApiServer();
  }

  /**
   * Stops every component (process groups, so nothing survives) and removes
   * the directory. Safe to call twice.
   */
  async stop(): Promise<void> {
    if (this.#stopped || this.#borrowed) return;
    this.#stopped = true;
    for (const c of [...this.#state.components].reverse()) await stopProcessGroup(c.pid, 1000);
    this.#watchdog?.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Stops the control plane (`await using cp = await ControlPlane.start()`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Whether this instance created its own temporary directory. */
  get ownsDirectory(): boolean {
    return this.#ownsDir;
  }

  #component(name: string): ComponentRecord {
    const c = this.#state.components.find((x) => x.name === name);
    if (!c) throw new OperantError("ControlPlaneNotFound", `no ${name} in this control plane (profile ${this.profile})`);
    return c;
  }

  async #servingCa(): Promise<string> {
    return readFile(join(pathsOf(this.dir).pki, "serving-ca.crt"), "utf8");
  }

  async #adminApi(): Promise<AdminApi> {
    const pki = pathsOf(this.dir).pki;
    const [caPem, certPem, keyPem] = await Promise.all(["serving-ca.crt", "admin.crt", "admin.key"].map((f) => readFile(join(pki, f), "utf8")));
    return new AdminApi(this.server, { caPem: caPem!, certPem: certPem!, keyPem: keyPem! });
  }
}

/**
 * Polls `check` every 100 ms until it is true. Fails with the component's
 * name and the tail of its log if the component exits or the deadline passes.
 */
async function waitFor(component: ComponentRecord & { exited?: Promise<number | null> }, deadline: number, check: () => Promise<boolean>, what: string): Promise<void> {
  let exitCode: number | null | undefined;
  void component.exited?.then((c) => (exitCode = c));
  for (;;) {
    if (exitCode !== undefined) {
      throw new OperantError("ControlPlaneComponentExited", `${component.name} exited (code ${exitCode}) while starting. Last lines of ${component.logPath}:\n${await tailLog(component.logPath)}`);
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new OperantError("ControlPlaneStartTimeout", `${what} in time. Last lines of ${component.logPath}:\n${await tailLog(component.logPath)}`, { retryable: true });
    }
    await sleep(100);
  }
}
