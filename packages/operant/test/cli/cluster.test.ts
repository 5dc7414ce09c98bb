// `operant cluster …` as a person uses it: the real command in a child
// process, its state in a temporary OPERANT_STATE_DIR, the clusters it starts
// checked with kubectl.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { runCommand, type CommandResult } from "../support/command.ts";
import { kubectl, kubectlJson, kubectlOk } from "../support/kubectl.ts";
import { processesMentioning } from "../support/processes.ts";

const bin = fileURLToPath(new URL("../../bin/operant.mjs", import.meta.url));
let stateDir: string;

before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "operant-cli-"));
});

// Whatever a failed test left running is killed here, from the pids its state.json recorded.
after(async () => {
  const clusters = join(stateDir, "clusters");
  for (const name of existsSync(clusters) ? await readdir(clusters) : []) {
    const state = await readState(name).catch(() => undefined);
    for (const c of state?.components ?? []) {
      try {
        process.kill(-c.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
  await rm(stateDir, { recursive: true, force: true });
});

/** Runs `operant …args` with the test's state directory. */
function operant(...args: string[]): Promise<CommandResult> {
  return runCommand(process.execPath, [bin, ...args], { env: { ...process.env, OPERANT_STATE_DIR: stateDir } });
}

async function operantOk(...args: string[]): Promise<CommandResult> {
  const r = await operant(...args);
  assert.equal(r.code, 0, `operant ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
  return r;
}

const clusterDir = (name: string) => join(stateDir, "clusters", name);

interface State {
  profile: string;
  server: string;
  kubeconfigPath: string;
  components: { name: string; pid: number }[];
}

async function readState(name: string): Promise<State> {
  return JSON.parse(await readFile(join(clusterDir(name), "state.json"), "utf8")) as State;
}

/**
 * Whether any process is left in the process group led by `pid` (the leader
 * included). Zombies do not count: an exited component of `cluster up`
 * belongs to PID 1, which may reap it only later; it holds nothing.
 */
function groupAlive(pid: number): boolean {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pid && state !== "Z") return true;
  }
  return false;
}

/** The `status` block of one cluster: its summary line's fields and its components' lines. */
function statusOf(stdout: string, name: string): { fields: string[]; components: { name: string; pid: number; state: string }[] } | undefined {
  const lines = stdout.split("\n");
  const at = lines.findIndex((l) => l.startsWith(`${name}\t`));
  if (at < 0) return undefined;
  const components: { name: string; pid: number; state: string }[] = [];
  for (const l of lines.slice(at + 1)) {
    const m = /^ {2}(\S+)\s+pid (\d+)\s+(\S+)$/.exec(l);
    if (!m) break;
    components.push({ name: m[1]!, pid: Number(m[2]), state: m[3]! });
  }
  return { fields: lines[at]!.split("\t"), components };
}

interface NodeList {
  items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
}

describe("operant cluster with the default (full) profile", () => {
  const name = `full-${randomBytes(3).toString("hex")}`;
  let kubeconfig = "";

  test("up prints the kubeconfig path and an export KUBECONFIG= line", async () => {
    const r = await operantOk("cluster", "up", "--name", name);
    const m = /^kubeconfig: (\S+)\nexport KUBECONFIG=(\S+)\n$/.exec(r.stdout);
    assert.ok(m, `unexpected stdout:\n${r.stdout}`);
    assert.equal(m[1], m[2]);
    kubeconfig = m[1]!;
    assert.equal(kubeconfig, join(clusterDir(name), "kubeconfig"));
    assert.ok(existsSync(kubeconfig));
    assert.match(r.stderr, new RegExp(`cluster "${name}" \\(full\\) is up in [\\d.]+s: https://127\\.0\\.0\\.1:\\d+`));
    assert.match(r.stderr, new RegExp(`stop it with: operant cluster down --name ${name}`));
  });

  test("kubectl with that kubeconfig sees Ready Nodes", async () => {
    const nodes = await kubectlJson<NodeList>(kubeconfig, ["nodes"]);
    assert.equal(nodes.items.length, 3);
    for (const n of nodes.items) assert.ok(n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"), `${n.metadata.name} is not Ready`);
  });

  test("status lists it Ready, with every component running", async () => {
    const r = await operantOk("cluster", "status");
    const state = await readState(name);
    const s = statusOf(r.stdout, name);
    assert.ok(s, `${name} not in status:\n${r.stdout}`);
    assert.deepEqual(s.fields, [name, "full", "Ready", state.server, kubeconfig]);
    assert.deepEqual(
      s.components,
      state.components.map((c) => ({ name: c.name, pid: c.pid, state: "running" })),
    );
    assert.deepEqual(
      s.components.map((c) => c.name),
      ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"],
    );
  });

  test("down stops it: no process of it remains and its directory is gone", async () => {
    const { components } = await readState(name);
    assert.ok(components.every((c) => groupAlive(c.pid)), "a component was not running before down");
    const r = await operantOk("cluster", "down", "--name", name);
    assert.match(r.stderr, new RegExp(`cluster "${name}" stopped; nothing left running`));
    for (const c of components) assert.equal(groupAlive(c.pid), false, `${c.name} (pid ${c.pid}) or a process of its group survived down`);
    assert.deepEqual(await processesMentioning(clusterDir(name)), []);
    assert.equal(existsSync(clusterDir(name)), false);
    assert.equal(statusOf((await operantOk("cluster", "status")).stdout, name), undefined, "status still lists it");
  });
});

describe("operant cluster with the minimal profile", () => {
  const name = `min-${randomBytes(3).toString("hex")}`;

  test("up --profile minimal starts it", async () => {
    const r = await operantOk("cluster", "up", "--name", name, "--profile", "minimal");
    assert.match(r.stderr, new RegExp(`cluster "${name}" \\(minimal\\) is up`));
    assert.equal(r.stdout, `kubeconfig: ${join(clusterDir(name), "kubeconfig")}\nexport KUBECONFIG=${join(clusterDir(name), "kubeconfig")}\n`);
  });

  test("a second up with the same name says it is already running and leaves it as it was", async () => {
    const before = await readState(name);
    const r = await operantOk("cluster", "up", "--name", name, "--profile", "minimal");
    assert.match(r.stderr, new RegExp(`cluster "${name}" is already running \\(${before.server.replace(/\./g, "\\.")}\\)`));
    assert.equal(r.stdout, `kubeconfig: ${before.kubeconfigPath}\nexport KUBECONFIG=${before.kubeconfigPath}\n`);
    assert.deepEqual(await readState(name), before, "the running cluster was restarted");
  });

  test("status --name shows only etcd and kube-apiserver", async () => {
    const s = statusOf((await operantOk("cluster", "status", "--name", name)).stdout, name);
    assert.deepEqual(s?.fields.slice(0, 3), [name, "minimal", "Ready"]);
    assert.deepEqual(
      s?.components.map((c) => [c.name, c.state]),
      [
        ["etcd", "running"],
        ["kube-apiserver", "running"],
      ],
    );
  });

  test("kubeconfig --user bob --group dev authenticates as bob, whom RBAC forbids to list pods", async () => {
    const path = (await operantOk("cluster", "kubeconfig", "--name", name, "--user", "bob", "--group", "dev")).stdout.trim();
    assert.ok(existsSync(path), `no kubeconfig at ${path}`);
    const who = JSON.parse(await kubectlOk(path, ["auth", "whoami", "-o", "json"])) as { status: { userInfo: { username: string; groups: string[] } } };
    assert.equal(who.status.userInfo.username, "bob");
    assert.ok(who.status.userInfo.groups.includes("dev"), `groups: ${who.status.userInfo.groups.join(", ")}`);
    const denied = await kubectl(path, ["get", "pods", "-n", "default"]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Forbidden.*User "bob" cannot list resource "pods"/);
    // The admin kubeconfig, printed by `kubeconfig` alone, can.
    const admin = (await operantOk("cluster", "kubeconfig", "--name", name)).stdout.trim();
    assert.equal(admin, join(clusterDir(name), "kubeconfig"));
    await kubectlOk(admin, ["get", "pods", "-n", "default"]);
  });

  test("down stops it", async () => {
    const { components } = await readState(name);
    await operantOk("cluster", "down", "--name", name);
    for (const c of components) assert.equal(groupAlive(c.pid), false, `${c.name} survived down`);
    assert.equal(existsSync(clusterDir(name)), false);
  });
});

describe("operant cluster errors", () => {
  test("down of an unknown name fails with exit code 1, ControlPlaneNotFound, and how to start one", async () => {
    const r = await operant("cluster", "down", "--name", "nobody-here");
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error [ControlPlaneNotFound]: no cluster named "nobody-here" is running. Start it with `operant cluster up --name nobody-here`.\n');
    assert.equal(r.stdout, "");
  });

  test("an invalid --name fails clearly and starts nothing", async () => {
    for (const bad of ["Dev", "my_cluster", "-dev", "dev-", "../escape", "a".repeat(41)]) {
      const r = await operant("cluster", "up", `--name=${bad}`, "--profile", "minimal");
      assert.equal(r.code, 1, `--name=${bad} was accepted`);
      assert.match(r.stderr, /^error \[InvalidName\]: cluster name ".*" is not valid: use lower-case letters, digits and '-', at most 40 characters\.\n$/);
      assert.ok(r.stderr.includes(`"${bad}"`), r.stderr);
    }
    const clusters = join(stateDir, "clusters");
    assert.deepEqual(existsSync(clusters) ? await readdir(clusters) : [], []);
  });
});
