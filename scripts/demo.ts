// `npm run demo`: the seeds' operators, live. Starts the local control plane
// (building it on first use), installs each example's CRDs, runs each
// operator on this machine, applies its sample and shows what happened —
// memcached's quota webhooks denying a create, and a Gordon written at
// v1alpha1 read at v1 through gordon's conversion webhook. The cluster and the
// operators keep running afterwards; `npm run demo -- down` stops everything.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { clustersDir } from "../packages/operant/src/cli/cluster/cluster.ts";
import { freePort } from "../packages/operant/src/testing/control-plane/ports.ts";
import { createCertificateAuthority } from "../packages/operant/src/pki/pki.ts";
import { webhookConfigurations } from "../packages/operant/src/webhook/index.ts";
import memcachedOperator from "../examples/memcached/src/operator.ts";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const operantBin = join(root, "packages", "operant", "bin", "operant.mjs");
const CLUSTER = "demo";
const stateDir = join(clustersDir(), `${CLUSTER}-operators`);
const pidsFile = join(stateDir, "operators.json");

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (m = "") => process.stdout.write(`${m}\n`);
const step = (m: string) => say(`\n${bold(`▶ ${m}`)}`);

interface Running {
  name: string;
  pid: number;
  log: string;
  metrics: string;
  health: string;
  status: string;
}

function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; quiet?: boolean; allowFail?: boolean } = {}): string {
  const r = spawnSync(cmd, args, { cwd: options.cwd ?? root, env: options.env ?? process.env, input: options.input, encoding: "utf8" });
  if (r.status !== 0 && !options.allowFail) {
    process.stderr.write(`${r.stdout ?? ""}${r.stderr ?? ""}\n✖ ${cmd} ${args.join(" ")} failed (exit ${r.status})\n`);
    process.exit(1);
  }
  if (!options.quiet && r.stdout) process.stdout.write(r.stdout.replace(/^/gm, "    "));
  return r.stdout ?? "";
}

function stopOperators(): void {
  if (!existsSync(pidsFile)) return;
  const running = JSON.parse(readFileSync(pidsFile, "utf8")) as Running[];
  for (const r of running) {
    try {
      process.kill(-r.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
  say(`stopped ${running.length} operator processes`);
}

if (process.argv[2] === "down") {
  stopOperators();
  run(process.execPath, [operantBin, "cluster", "down", "--name", CLUSTER], { allowFail: true });
  process.exit(0);
}

step("Local control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok with 3 Nodes)");
say("  The first run builds it from Go modules: several minutes, with progress; later runs start in seconds.");
const up = spawnSync(process.execPath, [operantBin, "cluster", "up", "--name", CLUSTER], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
if (up.status !== 0) process.exit(up.status ?? 1);
const kubeconfig = run(process.execPath, [operantBin, "cluster", "kubeconfig", "--name", CLUSTER], { quiet: true }).trim();
const env = { ...process.env, KUBECONFIG: kubeconfig };
const kubectl = (...args: string[]) => run("kubectl", args, { env });
const kubectlQuiet = (...args: string[]) => run("kubectl", args, { env, quiet: true, allowFail: true });
const jsonpath = (args: string[], path: string) => kubectlQuiet(...args, "-o", `jsonpath=${path}`).trim();

async function until(what: string, check: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      process.stderr.write(`\n✖ timed out waiting for ${what}. Operator logs are in ${stateDir}.\n`);
      process.exit(1);
    }
    await sleep(500);
  }
  say(`  ✔ ${what}`);
}

stopOperators(); // a previous demo's operators, if any
mkdirSync(stateDir, { recursive: true });
const running: Running[] = [];

async function startOperator(name: string, example: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Running> {
  const log = join(stateDir, `${name}.log`);
  const [metricsPort, healthPort, statusPort] = [await freePort(), await freePort(), await freePort()];
  const metrics = `127.0.0.1:${metricsPort}`;
  const health = `127.0.0.1:${healthPort}`;
  const status = `127.0.0.1:${statusPort}`;
  const fd = openSync(log, "a");
  const child = spawn(process.execPath, ["src/main.ts", "--metrics-bind-address", metrics, "--health-probe-bind-address", health, "--status-bind-address", status, ...args], {
    cwd: join(root, "examples", example),
    env: { ...env, ...extraEnv },
    stdio: ["ignore", fd, fd],
    detached: true,
  });
  child.unref();
  const r = { name, pid: child.pid!, log, metrics, health, status };
  running.push(r);
  writeFileSync(pidsFile, JSON.stringify(running, null, 2));
  await until(`${name} is ready (http://${health}/readyz)`, () => spawnSync("curl", ["-sf", `http://${health}/readyz`]).status === 0, 60_000);
  return r;
}

/** kubectl with `input` on stdin, whatever its exit status: status, stdout and stderr. */
function kubectlWith(input: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("kubectl", args, { env, input, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

// Webhooks of operators running on this machine: the API server calls them at https://127.0.0.1:<port>,
// trusting a CA made here, with a serving certificate for 127.0.0.1 each operator reads from --webhook-cert-dir.
// (Deployed, the configurations name the webhook Service instead and operant manages the certificates.)
const webhookCa = createCertificateAuthority("operant-demo-webhooks");
const webhookCertDir = join(stateDir, "webhook-certs");
mkdirSync(webhookCertDir, { recursive: true });
const serving = webhookCa.issue({ commonName: "operant-demo-webhooks", hosts: ["127.0.0.1"], usage: "server" });
writeFileSync(join(webhookCertDir, "tls.crt"), serving.certPem);
writeFileSync(join(webhookCertDir, "tls.key"), serving.keyPem, { mode: 0o600 });
const webhookArgs = (port: number) => ["--webhook-bind-address", `127.0.0.1:${port}`, "--webhook-cert-dir", webhookCertDir];

function install(example: string): void {
  run(process.execPath, [operantBin, "install"], { cwd: join(root, "examples", example), env, quiet: true });
}

function namespace(name: string): void {
  kubectlQuiet("create", "namespace", name);
}

// ---------------------------------------------------------------- memcached (seed 001)
step("Memcached (seed 001, the Operator SDK quickstart): size → a Deployment's replicas; status.nodes = its Pods");
install("memcached");
namespace("demo-memcached");
const memcachedWebhookPort = await freePort();
await startOperator("memcached", "memcached", ["--watch-namespace", "demo-memcached", ...webhookArgs(memcachedWebhookPort)]);
// The quota webhooks' configurations (src/webhooks/quota.ts), pointing at this machine, for the demo's namespace only.
const quotaHooks = webhookConfigurations(memcachedOperator.webhooks, { name: "memcached-operator", target: { url: `https://127.0.0.1:${memcachedWebhookPort}` }, caBundle: webhookCa.certPem });
for (const cfg of [quotaHooks.validating!, quotaHooks.mutating!]) {
  const scoped = { ...cfg, webhooks: cfg.webhooks.map((w) => ({ ...w, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "demo-memcached" } } })) };
  run("kubectl", ["apply", "-f", "-"], { env, quiet: true, input: JSON.stringify(scoped) });
}
const unsized = (name: string) => JSON.stringify({ apiVersion: "cache.example.com/v1alpha1", kind: "Memcached", metadata: { name, namespace: "demo-memcached" }, spec: {} });
await until("the quota webhooks answer (a server-side dry run of a Memcached without spec.size gets a size)", () => kubectlWith(unsized("probe"), "create", "--dry-run=server", "-o", "jsonpath={.spec.size}", "-f", "-").stdout === "1");
kubectl("-n", "demo-memcached", "apply", "-f", join(root, "examples/memcached/config/samples/cache.example.com_v1alpha1_memcached.yaml"));
const size = () => Number(jsonpath(["-n", "demo-memcached", "get", "memcached", "memcached-sample"], "{.spec.size}"));
const nodes = () => jsonpath(["-n", "demo-memcached", "get", "memcached", "memcached-sample"], "{.status.nodes}");
await until("status.nodes lists one Pod per spec.size", () => nodes() !== "" && (JSON.parse(nodes()) as string[]).length === size());
kubectl("-n", "demo-memcached", "patch", "memcached", "memcached-sample", "--type=merge", "-p", `{"spec":{"size":${size() + 1}}}`);
await until(`scaled to ${size()}: the Deployment follows and status.nodes too`, () => nodes() !== "" && (JSON.parse(nodes()) as string[]).length === size());
kubectl("-n", "demo-memcached", "get", "memcached,deployments,pods");
say(`  Quota webhooks (a rule CEL cannot express: it reads a ConfigMap and the namespace's other Memcacheds):`);
const quotaMax = size() + 2;
kubectl("-n", "demo-memcached", "create", "configmap", "memcached-quota", "--from-literal=defaultSize=2", `--from-literal=maxTotalSize=${quotaMax}`);
await until("the webhooks read the new quota", () => kubectlWith(unsized("probe"), "create", "--dry-run=server", "-o", "jsonpath={.spec.size}", "-f", "-").stdout === "2");
kubectlWith(unsized("memcached-small"), "create", "-f", "-");
const smallSize = jsonpath(["-n", "demo-memcached", "get", "memcached", "memcached-small"], "{.spec.size}");
say(smallSize === "2" ? "  ✔ memcached-small, created without spec.size, got the quota's defaultSize: 2 (mutating webhook)" : `  ✖ memcached-small has spec.size ${smallSize}, expected the quota's default 2`);
if (smallSize !== "2") process.exit(1);
const big = JSON.stringify({ apiVersion: "cache.example.com/v1alpha1", kind: "Memcached", metadata: { name: "memcached-big", namespace: "demo-memcached" }, spec: { size: 3 } });
say(`    $ kubectl -n demo-memcached apply -f memcached-big.yaml      # size 3; ${quotaMax} of ${quotaMax} already asked for`);
const denied = kubectlWith(big, "apply", "-f", "-");
say(denied.stderr.trim().replace(/^/gm, "    "));
if (denied.status === 0 || !/denied the request: spec\.size 3 would take the Memcacheds of namespace demo-memcached to \d+ Pods, over the quota of \d+/.test(denied.stderr)) {
  process.stderr.write(`\n✖ the over-quota create was not denied with the webhook's message (exit ${denied.status}).\n`);
  process.exit(1);
}
say("  ✔ denied by the validating webhook, with its message; nothing was stored");

// ---------------------------------------------------------------- gordon (seed 003)
step("Gordon (seed 003): N bare Pods kept alive, scaled, reported in status");
install("gordon");
namespace("demo-gordon");
const gordonWebhookPort = await freePort();
await startOperator("gordon", "gordon", ["--watch-namespace", "demo-gordon", ...webhookArgs(gordonWebhookPort)]);
// The CRD's conversion (generated: the webhook Service) pointed at this machine.
const conversion = { spec: { conversion: { strategy: "Webhook", webhook: { conversionReviewVersions: ["v1"], clientConfig: { url: `https://127.0.0.1:${gordonWebhookPort}/convert`, caBundle: Buffer.from(webhookCa.certPem).toString("base64") } } } } };
kubectlQuiet("patch", "crd", "gordons.operator.prgcont.cz", "--type=merge", "-p", JSON.stringify(conversion));
kubectl("-n", "demo-gordon", "apply", "-f", join(root, "examples/gordon/samples/gordon.yaml"));
const gordonReady = () => jsonpath(["-n", "demo-gordon", "get", "gordon", "gordoncluster"], "{.status.readyReplicas}");
await until("3 Pods Running and Ready", () => gordonReady() === "3");
kubectl("-n", "demo-gordon", "delete", "pod", "gordoncluster-1", "--wait=false");
await until("a Pod deleted behind the operator's back is recreated", () => jsonpath(["-n", "demo-gordon", "get", "pod", "gordoncluster-1"], "{.status.phase}") === "Running" && gordonReady() === "3");
kubectl("-n", "demo-gordon", "scale", "gordon", "gordoncluster", "--replicas=5");
await until("scaled to 5 with kubectl scale (the scale subresource)", () => gordonReady() === "5");
kubectl("-n", "demo-gordon", "get", "gordon,pods");
say("  Two versions: v1alpha1 is the seed's shape (spec.gordon.replicas), v1 stores it (spec.replicas); the operator's webhook converts:");
await until("gordoncluster (written at v1) reads at v1alpha1", () => jsonpath(["-n", "demo-gordon", "get", "gordons.v1alpha1.operator.prgcont.cz", "gordoncluster"], "{.spec.gordon.replicas}") === "5");
say("    $ kubectl -n demo-gordon apply -f examples/gordon/samples/gordon-v1alpha1.yaml     # apiVersion operator.prgcont.cz/v1alpha1, spec.gordon.replicas: 2");
const applied = spawnSync("kubectl", ["-n", "demo-gordon", "apply", "-f", join(root, "examples/gordon/samples/gordon-v1alpha1.yaml")], { env, encoding: "utf8" });
say(`${applied.stdout}${applied.stderr}`.trim().replace(/^/gm, "    "));
if (applied.status !== 0) process.exit(1);
const seedAtV1 = jsonpath(["-n", "demo-gordon", "get", "gordons.v1.operator.prgcont.cz", "seedstyle"], "{.apiVersion} {.spec}");
say(`    read at v1: ${seedAtV1}`);
if (!/^operator\.prgcont\.cz\/v1 .*"replicas":2/.test(seedAtV1)) {
  process.stderr.write("\n✖ the v1alpha1 Gordon did not read at v1 with spec.replicas 2.\n");
  process.exit(1);
}
say("  ✔ created at v1alpha1, read at v1 with spec.replicas: 2");
await until("the operator (working on v1) runs seedstyle's 2 Pods", () => jsonpath(["-n", "demo-gordon", "get", "gordon", "seedstyle"], "{.status.readyReplicas}") === "2");
kubectl("-n", "demo-gordon", "get", "gordons.v1alpha1.operator.prgcont.cz");

// ---------------------------------------------------------------- appconfig (seed 002)
step("AppConfig (seed 002): Deployments restart when the ConfigMaps or Secrets they use change");
install("appconfig");
namespace("demo-appconfig");
await startOperator("appconfig", "appconfig", ["--watch-namespace", "demo-appconfig"]);
kubectl("-n", "demo-appconfig", "create", "configmap", "node-app-config", "--from-literal=n_items=5000", "--from-literal=f_prob=0.03");
kubectl("-n", "demo-appconfig", "create", "secret", "generic", "node-app-secrets", "--from-literal=token=s3cr3t");
kubectl("-n", "demo-appconfig", "apply", "-f", join(root, "examples/appconfig/samples/sample-node-app.yaml"), "-f", join(root, "examples/appconfig/samples/appconfig.yaml"));
await until("the sample app is Running", () => jsonpath(["-n", "demo-appconfig", "get", "deployment", "sample-node-api"], "{.status.readyReplicas}") === "1");
const restartedAt = () => jsonpath(["-n", "demo-appconfig", "get", "deployment", "sample-node-api"], "{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}");
const before = restartedAt();
kubectl("-n", "demo-appconfig", "patch", "configmap", "node-app-config", "--type=merge", "-p", '{"metadata":{"labels":{"touched":"yes"}}}');
await sleep(3000);
say(restartedAt() === before ? "  ✔ a label-only change restarts nothing" : "  ✖ a label-only change restarted the Deployment");
kubectl("-n", "demo-appconfig", "patch", "configmap", "node-app-config", "--type=merge", "-p", '{"data":{"n_items":"6000"}}');
await until("a data change rolls the Deployment (pod-template annotation restartedAt, as kubectl rollout restart does)", () => restartedAt() !== before);
kubectl("-n", "demo-appconfig", "rollout", "status", "deployment/sample-node-api", "--timeout=60s");
kubectl("-n", "demo-appconfig", "get", "appconfig,deployments,pods");

// ---------------------------------------------------------------- postgres (seed 004)
step("Postgres (seed 004): a StatefulSet, primary and replica Services, a credentials Secret");
install("postgres");
namespace("demo-postgres");
// This local cluster has no storage provisioner: bind each claim to a volume, as an administrator would.
run("kubectl", ["apply", "-f", "-"], {
  env,
  quiet: true,
  input: JSON.stringify({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "demo-local" }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "Immediate", allowVolumeExpansion: true }),
});
await startOperator("postgres", "postgres", ["--watch-namespace", "demo-postgres", "--postgres-image", "postgres:17.2"]);
const sample = readFileSync(join(root, "examples/postgres/samples/postgresql.yaml"), "utf8").replace(/size: 10Gi/, "size: 10Gi\n    storageClassName: demo-local");
run("kubectl", ["-n", "demo-postgres", "apply", "-f", "-"], { env, input: sample });
const bindClaims = () => {
  const claims = JSON.parse(kubectlQuiet("-n", "demo-postgres", "get", "pvc", "-o", "json") || '{"items":[]}') as { items: { metadata: { name: string; uid: string }; spec: { resources?: { requests?: { storage?: string } } }; status?: { phase?: string } }[] };
  for (const c of claims.items) {
    if (c.status?.phase === "Bound") continue;
    const pv = { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: `demo-${c.metadata.name}` }, spec: { capacity: { storage: c.spec.resources?.requests?.storage ?? "1Gi" }, accessModes: ["ReadWriteOnce"], storageClassName: "demo-local", hostPath: { path: `/tmp/demo/${c.metadata.name}` }, claimRef: { namespace: "demo-postgres", name: c.metadata.name, uid: c.metadata.uid } } };
    run("kubectl", ["apply", "-f", "-"], { env, quiet: true, input: JSON.stringify(pv), allowFail: true });
  }
};
await until("2 instances Ready (claims bound to local volumes)", () => {
  bindClaims();
  return jsonpath(["-n", "demo-postgres", "get", "postgresql", "orders"], "{.status.readyInstances}") === "2";
});
kubectl("-n", "demo-postgres", "get", "postgresql,statefulsets,services,pods,pvc");
say("    credentials Secret keys (values never logged): " + jsonpath(["-n", "demo-postgres", "get", "secret", "-l", "app.kubernetes.io/managed-by=postgres-operator"], "{.items[*].data}").replace(/"[^"]+":"[^"]+"/g, (kv) => kv.split(":")[0] + ":…"));

// ---------------------------------------------------------------- agent-leader (seed 000)
step("Agent leader (seed 000): three operator replicas elect a leader; the leader elects an agent leader");
install("agent-leader");
kubectl("apply", "-f", join(root, "examples/agent-leader/samples/operator-pods.yaml"));
const replicas: Running[] = [];
for (const i of [1, 2, 3]) replicas.push(await startOperator(`agent-operator-${i}`, "agent-leader", ["--leader-elect"], { POD_NAME: `agent-operator-${i}`, POD_NAMESPACE: "agent-operator-system" }));
await until("one replica holds the leader-for-life lock (a ConfigMap owned by its Pod)", () => jsonpath(["-n", "agent-operator-system", "get", "configmap", "agent-operator-leader"], "{.metadata.ownerReferences[0].name}") !== "");
say(`    operator leader: ${jsonpath(["-n", "agent-operator-system", "get", "configmap", "agent-operator-leader"], "{.metadata.ownerReferences[0].name}")}`);
namespace("demo-agents");
kubectl("-n", "demo-agents", "apply", "-f", join(root, "examples/agent-leader/samples/agent.yaml"));
await until("one agent Pod per Node, exactly one labelled agent leader", () => jsonpath(["-n", "demo-agents", "get", "pods", "-l", "agents.example.com/leader=true"], "{.items[*].metadata.name}").split(" ").filter(Boolean).length === 1);
kubectl("-n", "demo-agents", "get", "agents,daemonsets,pods", "-L", "agents.example.com/leader");

// ---------------------------------------------------------------- how to explore
step("Everything keeps running. Explore:");
say(`  export KUBECONFIG=${kubeconfig}
  kubectl get memcached,gordons,appconfigs,postgresqls,agents -A
  kubectl -n demo-gordon delete pod gordoncluster-0          # comes back
  kubectl -n demo-memcached patch memcached memcached-sample --type=merge -p '{"spec":{"size":1}}'
  kubectl -n demo-memcached patch memcached memcached-sample --type=merge -p '{"spec":{"size":9}}'   # over the quota: denied
  kubectl -n demo-gordon get gordons.v1alpha1.operator.prgcont.cz seedstyle -o yaml          # the seed's shape
  kubectl -n agent-operator-system delete pod $(kubectl -n agent-operator-system get configmap agent-operator-leader -o jsonpath='{.metadata.ownerReferences[0].name}')   # another replica leads`);
say("\n  Status pages (operator leader, agent leader, controllers' queues and errors):");
for (const r of replicas) say(`    ${r.name}: http://${r.status}/   (JSON: /status)`);
say("\n  Metrics (controller-runtime's names) and probes:");
for (const r of running.filter((x) => !replicas.includes(x))) say(`    ${r.name.padEnd(12)} http://${r.metrics}/metrics   http://${r.health}/readyz?verbose`);
say(`\n  Operator logs: ${stateDir}/<name>.log`);
say("\n  Tear it all down:  npm run demo -- down");
