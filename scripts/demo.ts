// `npm run demo`: starts the local control plane (building it on first use),
// shows it working, and leaves it up to explore.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const operant = join(root, "packages", "operant", "bin", "operant.mjs");
const say = (m: string) => process.stdout.write(`${m}\n`);

function run(cmd: string, args: string[], options: { capture?: boolean; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, { stdio: ["ignore", options.capture ? "pipe" : "inherit", "inherit"], env: options.env ?? process.env, encoding: "utf8" });
  if (r.status !== 0) {
    process.stderr.write(`\n✖ ${cmd} ${args.join(" ")} failed (exit ${r.status})\n`);
    process.exit(r.status ?? 1);
  }
  return r.stdout ?? "";
}

say("▶ Starting the local control plane (the first run builds it from Go modules: several minutes)…");
run(process.execPath, [operant, "cluster", "up", "--name", "demo"]);
const kubeconfig = run(process.execPath, [operant, "cluster", "kubeconfig", "--name", "demo"], { capture: true }).trim();
const env = { ...process.env, KUBECONFIG: kubeconfig };
const k = (...args: string[]) => run("kubectl", args, { env });

say("\n▶ Nodes (simulated kubelets, by kwok):");
k("get", "nodes");
say("\n▶ A Deployment of 3 replicas: the controller-manager creates Pods, the scheduler places them, kwok runs them:");
spawnSync("kubectl", ["create", "namespace", "demo"], { env, stdio: "ignore" });
spawnSync("kubectl", ["-n", "demo", "create", "deployment", "hello", "--image=nginx:1.27", "--replicas=3"], { env, stdio: "ignore" });
k("-n", "demo", "rollout", "status", "deployment/hello", "--timeout=60s");
k("-n", "demo", "get", "pods", "-o", "wide");

say(`
The cluster keeps running. Explore it:
  export KUBECONFIG=${kubeconfig}
  kubectl get pods -A
Tear it down:
  npx operant cluster down --name demo`);
