// `operant cluster up | down | status | kubeconfig | build`: a local control
// plane for people, running in the background between commands.
import { Command, Option } from "commander";
import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { OperantError } from "../../core/errors.ts";
import { locateBinaries } from "../../testing/assets/locate.ts";
import { ControlPlane, DEFAULT_SERVICE_CLUSTER_IP_RANGE, describeBuildProgress, type ControlPlaneProfile } from "../../testing/control-plane/control-plane.ts";
import { BINARIES } from "../../testing/assets/versions.ts";

/** Where `cluster up` keeps each named control plane: `$OPERANT_STATE_DIR` or `$XDG_STATE_HOME/operant`, `~/.local/state/operant`. */
export function clustersDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.OPERANT_STATE_DIR ?? join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "operant");
  return join(base, "clusters");
}

const say = (line: string) => process.stderr.write(`${line}\n`);

function validateName(name: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/.test(name)) {
    throw new OperantError("InvalidName", `cluster name "${name}" is not valid: use lower-case letters, digits and '-', at most 40 characters.`);
  }
  return name;
}

/** Attaches to a running named cluster, or explains how to start one. */
async function attachRunning(name: string): Promise<ControlPlane> {
  const dir = join(clustersDir(), validateName(name));
  if (!existsSync(join(dir, "state.json"))) {
    throw new OperantError("ControlPlaneNotFound", `no cluster named "${name}" is running. Start it with \`operant cluster up${name === "default" ? "" : ` --name ${name}`}\`.`);
  }
  return ControlPlane.attach(dir);
}

async function up(options: { name: string; profile: ControlPlaneProfile; nodes: string; serviceClusterIpRange: string }): Promise<void> {
  const dir = join(clustersDir(), validateName(options.name));
  if (existsSync(join(dir, "state.json"))) {
    const existing = await ControlPlane.attach(dir);
    if (existing.components().every((c) => c.running) && (await existing.ready())) {
      say(`cluster "${options.name}" is already running (${existing.server}).`);
      printKubeconfig(existing.kubeconfigPath);
      return;
    }
    say(`cluster "${options.name}" was left half-running; cleaning it up and starting afresh.`);
    await existing.stop();
  }
  await rm(dir, { recursive: true, force: true });
  const started = Date.now();
  const cp = await ControlPlane.start({
    profile: options.profile,
    dir,
    persistent: true,
    nodes: Number(options.nodes),
    serviceClusterIpRange: options.serviceClusterIpRange,
    onProgress: (m) => say(`  ${m}`),
  });
  say(`cluster "${options.name}" (${cp.profile}) is up in ${((Date.now() - started) / 1000).toFixed(1)}s: ${cp.server}`);
  printKubeconfig(cp.kubeconfigPath);
  say(`stop it with: operant cluster down${options.name === "default" ? "" : ` --name ${options.name}`}`);
}

function printKubeconfig(path: string): void {
  process.stdout.write(`kubeconfig: ${path}\nexport KUBECONFIG=${path}\n`);
}

async function down(options: { name: string }): Promise<void> {
  const cp = await attachRunning(options.name);
  await cp.stop();
  say(`cluster "${options.name}" stopped; nothing left running.`);
}

async function status(options: { name?: string }): Promise<void> {
  const root = clustersDir();
  const names = options.name ? [validateName(options.name)] : existsSync(root) ? (await readdir(root)).sort() : [];
  if (names.length === 0) {
    say("no clusters. Start one with `operant cluster up`.");
    return;
  }
  for (const name of names) {
    if (!existsSync(join(root, name, "state.json"))) {
      if (options.name) throw new OperantError("ControlPlaneNotFound", `no cluster named "${name}". Start it with \`operant cluster up --name ${name}\`.`);
      continue;
    }
    const cp = await ControlPlane.attach(join(root, name));
    const comps = cp.components();
    const ready = comps.every((c) => c.running) && (await cp.ready());
    process.stdout.write(`${name}\t${cp.profile}\t${ready ? "Ready" : "NotReady"}\t${cp.server}\t${cp.kubeconfigPath}\n`);
    for (const c of comps) process.stdout.write(`  ${c.name.padEnd(24)} pid ${String(c.pid).padEnd(8)} ${c.running ? "running" : "stopped"}\n`);
  }
}

async function kubeconfig(options: { name: string; user?: string; group?: string[]; serviceAccount?: string }): Promise<void> {
  const cp = await attachRunning(options.name);
  if (options.serviceAccount) {
    const [namespace, name] = options.serviceAccount.split("/");
    if (!namespace || !name) throw new OperantError("InvalidArgument", `--service-account takes <namespace>/<name>, got "${options.serviceAccount}".`);
    process.stdout.write(`${await cp.serviceAccountKubeconfig({ namespace, name })}\n`);
  } else if (options.user) {
    process.stdout.write(`${await cp.userKubeconfig({ user: options.user, groups: options.group ?? [] })}\n`);
  } else {
    process.stdout.write(`${cp.kubeconfigPath}\n`);
  }
}

async function build(): Promise<void> {
  const started = Date.now();
  const found = await locateBinaries([...BINARIES], { onProgress: (p) => say(`  ${describeBuildProgress(p)}`) });
  for (const b of found.values()) process.stdout.write(`${b.name.padEnd(24)} ${b.source.padEnd(18)} ${b.path}\n`);
  say(`done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * The `cluster` command group.
 *
 * @example
 * ```sh
 * operant cluster up --name dev && export KUBECONFIG=$(operant cluster kubeconfig --name dev)
 * ```
 */
export function clusterCommand(): Command {
  const cluster = new Command("cluster").description("Run a local Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)");
  cluster
    .command("up")
    .description("Start a control plane in the background and print its kubeconfig")
    .option("--name <name>", "cluster name (several can run side by side)", "default")
    .addOption(new Option("--profile <profile>", "minimal: etcd + apiserver; full: plus controller-manager, scheduler, kwok and fake Nodes").choices(["minimal", "full"]).default("full"))
    .option("--nodes <n>", "fake Nodes (full profile)", "3")
    .option("--service-cluster-ip-range <cidr>", "the Service IP range (kube-apiserver's flag of that name; a /16 holds 65,534 Services)", DEFAULT_SERVICE_CLUSTER_IP_RANGE)
    .action(up);
  cluster.command("down").description("Stop a control plane and remove its files").option("--name <name>", "cluster name", "default").action(down);
  cluster.command("status").description("Show running control planes and their components").option("--name <name>", "only this cluster").action(status);
  cluster
    .command("kubeconfig")
    .description("Print the path of a kubeconfig: the admin's, a user's (client certificate) or a ServiceAccount's (token)")
    .option("--name <name>", "cluster name", "default")
    .option("--user <user>", "mint a kubeconfig for this user name")
    .option("--group <group>", "a group of --user (repeatable)", collect)
    .option("--service-account <namespace/name>", "mint a kubeconfig with a token for this ServiceAccount")
    .action(kubeconfig);
  cluster.command("build").description("Build (or find) the control-plane binaries now, showing progress").action(build);
  return cluster;
}
