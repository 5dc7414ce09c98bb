// The Operator SDK quickstart, as a new user goes through it with operant:
// the real `operant` command in child processes, in a temporary directory,
// against the shared control plane, checked with kubectl. The reconciler the
// user writes is examples/memcached's (copied in as the fixture), and the
// files the walkthrough edits end up identical to the example's. The example
// goes one step further, with quota webhooks (not part of the quickstart):
// the config/ the walkthrough generates is the example's operator's without
// its webhooks, and the example's own config/ is what `generate` writes for it.
//
// The API group is cache.<unique domain> rather than cache.example.com so
// that this test and examples/memcached's (which installs cache.example.com)
// can share the control plane without uninstalling each other's CRD.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { ControlPlane, eventually } from "../../src/testing/index.ts";
import { configLayout } from "../../src/cli/generate/layout.ts";
import { defineOperator } from "../../src/operator/operator.ts";
import { metricsAuthRules, type OperatorRbac } from "../../src/operator/rbac.ts";
import exampleOperator from "../../../../examples/memcached/src/operator.ts";
import type { ClusterServiceVersionManifest } from "../../src/operator/bundle.ts";
import { runCommand, type CommandResult } from "../support/command.ts";
import { kubectl, kubectlJson, kubectlOk } from "../support/kubectl.ts";

const bin = fileURLToPath(new URL("../../bin/operant.mjs", import.meta.url));
const example = fileURLToPath(new URL("../../../../examples/memcached/", import.meta.url));
const domain = `qs${randomBytes(3).toString("hex")}.example.com`;
const group = `cache.${domain}`;
const crdName = `memcacheds.${group}`;
const sampleFile = `config/samples/${group}_v1alpha1_memcached.yaml`;

let cp: ControlPlane;
let work: string;
let project: string;
let env: NodeJS.ProcessEnv;
/** A running `operant run`, in a process group of its own (killed whole by `after` if a test fails). */
let runner: Runner | undefined;

before(async () => {
  cp = await ControlPlane.shared();
  work = await mkdtemp(join(tmpdir(), "operant-quickstart-"));
  project = join(work, "memcached-operator");
  // As a user's shell: without this repository's "operant-source" export condition (the project's operant is
  // the packed one in its node_modules, whose TypeScript sources Node does not run) and not reporting to this test runner.
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  env = { ...inherited, KUBECONFIG: cp.kubeconfigPath, NODE_OPTIONS: (process.env.NODE_OPTIONS ?? "").replace("--conditions=operant-source", "").trim() };
});

after(async () => {
  if (runner) process.kill(-runner.child.pid!, "SIGKILL");
  await kubectl(cp.kubeconfigPath, ["delete", "crd", crdName, "--ignore-not-found", "--wait=false"]);
  await kubectl(cp.kubeconfigPath, ["delete", "namespace", "memcached-operator-system", "--ignore-not-found", "--wait=false"]);
  await rm(work, { recursive: true, force: true });
});

/** Runs `operant …args` in `cwd` (default: the project). */
function operant(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  return runCommand(process.execPath, [bin, ...args], { cwd: options.cwd ?? project, env: options.env ?? env });
}

async function operantOk(...args: string[]): Promise<CommandResult> {
  const r = await operant(args);
  assert.equal(r.code, 0, `operant ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
  return r;
}

/** Runs a command in the project (npm, tsc). */
function exec(cmd: string, args: string[], childEnv: NodeJS.ProcessEnv = env): Promise<CommandResult> {
  return runCommand(cmd, args, { cwd: project, env: childEnv });
}

/** A running `operant run`: its process, everything it printed so far, its exit. */
interface Runner {
  readonly child: ChildProcess;
  readonly output: string;
  readonly exited: Promise<number | null>;
}

/**
 * Starts `operant run` in the project, in a process group of its own (as a
 * terminal's foreground job, and so that a failed test can kill the operator
 * with it), and waits until the operator reports ready.
 */
async function startRunner(): Promise<Runner> {
  const child = spawn(process.execPath, [bin, "run", "--watch-namespace", "default", "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0"], { cwd: project, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  runner = {
    child,
    exited,
    get output() {
      return output;
    },
  };
  const health = await eventually(() => / manager starting .*health=(127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? false, { timeoutMs: 30_000, description: `the operator starts:\n${output}` });
  await eventually(async () => assert.equal((await fetch(`http://${health}/readyz`)).status, 200), { description: "the operator is ready" });
  return runner;
}

/** Every file under `dir` (relative path → contents), node_modules aside. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name === "node_modules") continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(relative(dir, p), await readFile(p, "utf8"));
    }
  };
  await walk(dir);
  return out;
}

/** A file of the example, with its API group replaced by this test's. */
async function exampleFile(rel: string): Promise<string> {
  return (await readFile(join(example, rel), "utf8")).replaceAll("cache.example.com", group);
}

async function edit(rel: string, edits: [string, string][]): Promise<void> {
  const path = join(project, rel);
  let text = await readFile(path, "utf8");
  for (const [from, to] of edits) {
    assert.ok(text.includes(from), `${rel} has the text to edit: ${from}`);
    text = text.replace(from, to);
  }
  await writeFile(path, text);
}

interface PodList {
  items: { metadata: { name: string; deletionTimestamp?: string }; status?: { phase?: string } }[];
}
interface MemcachedJson {
  spec: { size: number };
  status?: { nodes?: string[]; conditions?: { type: string; status: string }[] };
  metadata: { finalizers?: string[] };
}

async function runningPods(): Promise<string[]> {
  const pods = await kubectlJson<PodList>(cp.kubeconfigPath, ["pods", "-n", "default", "-l", "app=memcached,memcached_cr=memcached-sample"]);
  return pods.items
    .filter((p) => p.status?.phase === "Running" && !p.metadata.deletionTimestamp)
    .map((p) => p.metadata.name)
    .sort();
}

/** `size` Pods run, the Deployment asks for `size`, status.nodes lists the Pods and Available is True. */
async function converged(size: number): Promise<void> {
  await eventually(
    async () => {
      const dep = await kubectlJson<{ spec: { replicas: number } }>(cp.kubeconfigPath, ["deployment", "memcached-sample", "-n", "default"]);
      assert.equal(dep.spec.replicas, size);
      const pods = await runningPods();
      assert.equal(pods.length, size, `${pods.length}/${size} Pods running`);
      const mc = await kubectlJson<MemcachedJson>(cp.kubeconfigPath, [`memcacheds.${group}`, "memcached-sample", "-n", "default"]);
      assert.deepEqual(mc.status?.nodes, pods);
      assert.equal(mc.status?.conditions?.find((c) => c.type === "Available")?.status, "True");
    },
    { timeoutMs: 60_000, description: `${size} memcached Pods running and listed in status.nodes` },
  );
}

async function setSampleSize(size: number | string): Promise<void> {
  const path = join(project, sampleFile);
  await writeFile(path, (await readFile(path, "utf8")).replace(/^ {2}size: .*$/m, `  size: ${typeof size === "string" ? JSON.stringify(size) : size}`));
}

// The budget is for a loaded machine, not a quiet one: `npm install` of the new project (TypeScript, TypeBox,
// @types/node) took 113 s on 2 cores at load average 12, and tsc, the operator's start and the rollouts slow down
// alike. What runs too long is still stopped, by the per-file guard of scripts/test.ts naming what was left open.
describe("the quickstart: init, create api, generate, install, run, deploy, bundle", { timeout: 900_000 }, () => {
  test("init writes a runnable project and installs its dependencies", async () => {
    const r = await operant(["init", "memcached-operator", "--domain", domain], { cwd: work });
    assert.equal(r.code, 0, r.stderr);
    for (const f of ["package.json", "tsconfig.json", "src/main.ts", "src/operator.ts", "test/operator.test.ts", "Dockerfile", ".gitignore", "README.md", "config/default/kustomization.yaml", "config/rbac/role.yaml", "config/manager/manager.yaml"]) {
      assert.ok(existsSync(join(project, f)), `${f} exists`);
    }
    const pkg = JSON.parse(await readFile(join(project, "package.json"), "utf8")) as { dependencies: Record<string, string>; operant: { domain: string } };
    const version = (JSON.parse(await readFile(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8")) as { version: string }).version;
    assert.equal(pkg.dependencies.operant, `file:vendor/operant-${version}.tgz`, "operant packed into the project");
    assert.ok(existsSync(join(project, "vendor", `operant-${version}.tgz`)));
    assert.match(r.stderr, new RegExp(`created +vendor/operant-${version.replaceAll(".", "\\.")}\\.tgz`));
    assert.equal(pkg.operant.domain, domain);
    assert.ok(existsSync(join(project, "node_modules", "operant", "dist", "index.js")), "npm install ran, from the tarball");
    const dockerfile = await readFile(join(project, "Dockerfile"), "utf8");
    assert.match(dockerfile, /^FROM node:24-slim AS build$/m);
    assert.match(dockerfile, /^COPY package\.json package-lock\.json \.\/\nCOPY vendor \.\/vendor\nRUN npm ci /m, "the image installs operant from vendor/");
    assert.match(dockerfile, /^USER 1000:1000$/m);
    assert.match(dockerfile, /^RUN npm run build$/m);
    assert.match(dockerfile, /^COPY --from=build \/app\/dist\/operator\.mjs \.\/$/m, "the runtime stage holds the bundle and no node_modules");
    assert.match(dockerfile, /^ENTRYPOINT \["node", "operator\.mjs"\]$/m, "the image runs the bundled JavaScript, not TypeScript");
    assert.equal((await operant(["init", "memcached-operator", "--domain", domain], { cwd: work })).stderr.trim(), `error [ProjectExists]: ${project} already has config, package.json, src, tsconfig.json: \`operant init\` only writes into a new or empty directory. Pick another directory, or add APIs to this project with \`operant create api\`.`);
  });

  test("the new project passes its own test before it has any API: the operator serves its probes with no controllers", async () => {
    const t = await exec("npm", ["test", "--silent"]);
    assert.equal(t.code, 0, `npm test in the new project:\n${t.stdout}${t.stderr}`);
    assert.match(t.stdout, /ℹ pass 1\nℹ fail 0/, "its one test ran and passed");
  });

  test("create api scaffolds Memcached and wires it into src/operator.ts; the user defines spec and status and writes the reconciler", async () => {
    await operantOk("create", "api", "--group", "cache", "--version", "v1alpha1", "--kind", "Memcached");
    const wired = await readFile(join(project, "src/operator.ts"), "utf8");
    const exampleWiring = await exampleFile("src/operator.ts");
    for (const line of ['import { Memcached } from "./api/memcached.ts";', 'import { memcachedController } from "./controllers/memcached.ts";', "  resources: [Memcached],", "  controllers: [memcachedController],"]) {
      assert.ok(wired.includes(`${line}\n`), `create api wrote ${line}`);
      assert.ok(exampleWiring.includes(`${line}\n`), `the example is wired the same way: ${line}`);
    }
    // The edits a user makes to the generated resource…
    await edit("src/api/memcached.ts", [
      ['import { Condition, defineResource,', 'import { AGE_COLUMN, Condition, defineResource,'],
      ['    // TODO: the fields users set. An example to replace:\n    foo: Type.Optional(Type.String({ description: "An example field of Memcached." })),\n    // A field with a default (import Defaulted from "operant"): Defaulted(Type.Integer({ minimum: 1 }), 1)\n    // is optional when an object is written and always set when one is read.\n', '    size: Type.Integer({ minimum: 1, description: "Number of memcached Pods" }),\n'],
      [
        "    // TODO: what the operator observed, set with ctx.updateStatus().\n    conditions: Type.Optional(Type.Array(Condition)),\n  }),\n",
        '    nodes: Type.Optional(Type.Array(Type.String(), { description: "Names of the memcached Pods" })),\n    conditions: Type.Optional(Type.Array(Condition)),\n  }),\n  printerColumns: [\n    { name: "Size", type: "integer", jsonPath: ".spec.size" },\n    { name: "Available", type: "string", jsonPath: \'.status.conditions[?(@.type=="Available")].status\' },\n    AGE_COLUMN,\n  ],\n',
      ],
    ]);
    assert.equal(await readFile(join(project, "src/api/memcached.ts"), "utf8"), await exampleFile("src/api/memcached.ts"), "the edited resource is the example's");
    // …and the reconciler they write (the fixture: the example's controller).
    await copyFile(join(example, "src/controllers/memcached.ts"), join(project, "src/controllers/memcached.ts"));
    const tsc = await exec(join(project, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"]);
    assert.equal(tsc.code, 0, `the project typechecks:\n${tsc.stdout}${tsc.stderr}`);
    // What the image runs: npm run build (operant build) bundles the operator into dist/operator.mjs, which
    // runs on its own — here from a directory with no node_modules anywhere above it, as in the image.
    const build = await exec("npm", ["run", "build", "--silent"]);
    assert.equal(build.code, 0, `npm run build:\n${build.stdout}${build.stderr}`);
    assert.match(build.stderr, /built dist\/operator\.mjs \(\d+ KiB from \d+ files\)/);
    const alone = await mkdtemp(join(tmpdir(), "operant-image-"));
    try {
      await copyFile(join(project, "dist/operator.mjs"), join(alone, "operator.mjs"));
      const help = await runCommand(process.execPath, [join(alone, "operator.mjs"), "--help"], { cwd: alone, env });
      assert.equal(help.code, 0, `node operator.mjs --help, alone:\n${help.stderr}`);
      assert.match(help.stdout, /^Usage: memcached-operator/m);
    } finally {
      await rm(alone, { recursive: true, force: true });
    }
  });

  test("generate writes config/ as in the example (less its webhooks); a second run changes nothing, byte for byte", async () => {
    await operantOk("generate");
    // The example's config/ is what generate writes for its operator…
    for (const [rel, text] of configLayout(exampleOperator).generated) assert.equal(await readFile(join(example, rel), "utf8"), text, `examples/memcached/${rel} is fresh: run \`operant generate\` there`);
    // …and the walkthrough's is the example operator's without the quota webhooks (and the ConfigMap rule they need).
    const withoutWebhooks = configLayout(defineOperator({ ...exampleOperator, webhooks: [], extraRules: [] })).generated;
    for (const f of ["config/crd/bases/GROUP_memcacheds.yaml", "config/crd/kustomization.yaml", "config/rbac/role.yaml", "config/rbac/role_binding.yaml", "config/rbac/service_account.yaml", "config/rbac/leader_election_role.yaml", "config/rbac/leader_election_role_binding.yaml", "config/manager/manager.yaml", "config/manager/metrics_service.yaml", "config/default/kustomization.yaml", "config/default/manager_patch.yaml", "config/crd-roles/roles.yaml", "config/prometheus/monitor.yaml", "config/network-policy/allow-metrics-traffic.yaml", "config/webhook/kustomization.yaml"]) {
      const generated = withoutWebhooks.get(f.replace("GROUP", "cache.example.com"));
      const expected = generated === undefined ? await exampleFile(f.replace("GROUP", "cache.example.com")) : generated.replaceAll("cache.example.com", group);
      assert.equal(await readFile(join(project, f.replace("GROUP", group)), "utf8"), expected, `${f} matches examples/memcached's${generated === undefined ? "" : " (without its webhooks)"}`);
    }
    const before = await snapshot(project);
    const again = await operantOk("generate");
    assert.match(again.stderr, /config\/ is up to date\./);
    assert.deepEqual(await snapshot(project), before);
    const kustomized = await kubectlOk(cp.kubeconfigPath, ["kustomize", join(project, "config/default")]);
    assert.deepEqual(
      parseAllDocuments(kustomized).map((d) => (d.toJS() as { kind: string }).kind).sort(),
      ["ClusterRole", "ClusterRole", "ClusterRole", "ClusterRole", "ClusterRole", "ClusterRole", "ClusterRoleBinding", "ClusterRoleBinding", "CustomResourceDefinition", "Deployment", "Namespace", "Role", "RoleBinding", "Service", "ServiceAccount"],
      "kubectl kustomize builds config/default",
    );
  });

  test("install makes the API server serve Memcached; the project's own test passes", async () => {
    const r = await operantOk("install");
    assert.match(r.stderr, new RegExp(`installed ${crdName.replaceAll(".", "\\.")}`));
    const crd = await kubectlJson<{ status: { conditions: { type: string; status: string }[] } }>(cp.kubeconfigPath, ["crd", crdName]);
    assert.equal(crd.status.conditions.find((c) => c.type === "Established")?.status, "True");
    const t = await exec("npm", ["test", "--silent"]);
    assert.equal(t.code, 0, `npm test in the project:\n${t.stdout}${t.stderr}`);
    assert.match(t.stdout, /ℹ pass 1\nℹ fail 0/, "its one test ran and passed");
  });

  test("run: the operator reconciles the sample — 3 Pods, then 4; invalid sizes are refused; deleting it runs the finalizer", async () => {
    const run = await startRunner();

    await edit(sampleFile, [
      ["# TODO: set the spec fields you defined in src/api/memcached.ts.\n", ""],
      ["spec: {}\n", "spec:\n  size: 3\n"],
    ]);
    assert.equal(await readFile(join(project, sampleFile), "utf8"), await exampleFile("config/samples/cache.example.com_v1alpha1_memcached.yaml"), "the sample as in the example");
    await kubectlOk(cp.kubeconfigPath, ["apply", "-n", "default", "-f", join(project, sampleFile)]);
    await converged(3);
    const printed = await kubectlOk(cp.kubeconfigPath, ["get", `memcacheds.${group}`, "memcached-sample", "-n", "default"]);
    assert.match(printed, /^NAME\s+SIZE\s+AVAILABLE\s+AGE\nmemcached-sample\s+3\s+True\s/, "printer columns");

    await setSampleSize(4);
    await kubectlOk(cp.kubeconfigPath, ["apply", "-n", "default", "-f", join(project, sampleFile)]);
    await converged(4);

    await setSampleSize(0);
    const zero = await kubectl(cp.kubeconfigPath, ["apply", "-n", "default", "-f", join(project, sampleFile)]);
    assert.notEqual(zero.code, 0);
    assert.match(zero.stderr, /spec\.size: Invalid value: 0: spec\.size in body should be greater than or equal to 1/);
    await setSampleSize("three");
    const text = await kubectl(cp.kubeconfigPath, ["apply", "-n", "default", "-f", join(project, sampleFile)]);
    assert.notEqual(text.code, 0);
    assert.match(text.stderr, /spec\.size: Invalid value: "string": spec\.size in body must be of type integer: "string"/);
    assert.equal((await kubectlJson<MemcachedJson>(cp.kubeconfigPath, [`memcacheds.${group}`, "memcached-sample", "-n", "default"])).spec.size, 4, "unchanged");
    await setSampleSize(4);

    const mc = await kubectlJson<MemcachedJson>(cp.kubeconfigPath, [`memcacheds.${group}`, "memcached-sample", "-n", "default"]);
    assert.deepEqual(mc.metadata.finalizers, [`${group}/finalizer`]);
    await kubectlOk(cp.kubeconfigPath, ["delete", `memcacheds.${group}`, "memcached-sample", "-n", "default", "--timeout=30s"]);
    assert.equal((await kubectl(cp.kubeconfigPath, ["get", "deployment", "memcached-sample", "-n", "default"])).code, 1, "the finalizer deleted the Deployment before the Memcached went");
    await eventually(async () => assert.deepEqual((await kubectlJson<PodList>(cp.kubeconfigPath, ["pods", "-n", "default", "-l", "app=memcached,memcached_cr=memcached-sample"])).items, []), { timeoutMs: 60_000, description: "the Pods are gone" });
    assert.match(run.output, /finalized: Deployment deleted/);

    run.child.kill("SIGTERM"); // to operant alone, which passes it on
    assert.equal(await run.exited, 0, `operant run exits 0 on SIGTERM:\n${run.output.slice(-2000)}`);
    runner = undefined;
    assert.match(run.output, /manager stopped/);
  });

  test("run: Ctrl-C (SIGINT to the terminal's process group) stops the operator gracefully, exit 0", async () => {
    // Its own process group, as a terminal's foreground job: the group gets the SIGINT, operant and the operator alike.
    const run = await startRunner();
    process.kill(-run.child.pid!, "SIGINT");
    assert.equal(await run.exited, 0, `operant run exits 0 on Ctrl-C:\n${run.output.slice(-2000)}`);
    runner = undefined;
    assert.match(run.output, /INFO {2}shutting down gracefully signal=SIGINT/, "operant run logs readable text");
    assert.doesNotMatch(run.output, /second signal/);
    assert.match(run.output, /manager stopped/);
  });

  test("uninstall removes the CRD", async () => {
    await operantOk("uninstall");
    assert.equal((await kubectl(cp.kubeconfigPath, ["get", "crd", crdName])).code, 1);
  });

  test("deploy: a server-side dry run passes; deploy applies config/default; undeploy removes it all", async () => {
    const dry = await operantOk("deploy", "--dry-run=server");
    assert.match(dry.stderr, new RegExp(`applied  CustomResourceDefinition ${crdName.replaceAll(".", "\\.")} \\(server dry run\\)`));
    assert.match(dry.stderr, /skipped {2}Deployment memcached-operator-system\/memcached-operator-controller-manager: namespace memcached-operator-system does not exist yet/);
    assert.match(dry.stderr, /dry run: nothing was changed/);
    assert.equal((await kubectl(cp.kubeconfigPath, ["get", "crd", crdName])).code, 1, "the dry run created nothing");

    await operantOk("deploy", "--image", "registry.example.com/memcached-operator:v0.1.0");
    const dep = await kubectlJson<{ spec: { template: { spec: { serviceAccountName: string; containers: { image: string }[] } } } }>(cp.kubeconfigPath, ["deployment", "memcached-operator-controller-manager", "-n", "memcached-operator-system"]);
    assert.equal(dep.spec.template.spec.serviceAccountName, "memcached-operator-controller-manager");
    assert.equal(dep.spec.template.spec.containers[0]!.image, "registry.example.com/memcached-operator:v0.1.0");
    const whole = await operantOk("deploy", "--dry-run=server");
    const lines = whole.stderr.split("\n").filter((l) => /^ {2}\w/.test(l));
    assert.equal(lines.length, 15, "12 objects (the metrics-auth and metrics-reader roles and binding among them) and the admin/editor/viewer roles");
    for (const l of lines) assert.match(l, /^ {2}applied .*\(server dry run\)$/, "every object passes the server's validation and admission");

    const un = await operantOk("undeploy");
    assert.match(un.stderr, /undeployed: everything is gone/);
    assert.equal((await kubectl(cp.kubeconfigPath, ["get", "namespace", "memcached-operator-system"])).code, 1);
    assert.equal((await kubectl(cp.kubeconfigPath, ["get", "clusterrole", "memcached-operator-manager"])).code, 1);
    assert.equal((await kubectl(cp.kubeconfigPath, ["get", "crd", crdName])).code, 1);
  });

  test("bundle writes a CSV that carries the CRDs and the RBAC rbacFor derives", async () => {
    const written = await operantOk("bundle", "--version", "0.1.0", "--channels", "candidate,stable", "--default-channel", "candidate", "--image", "registry.example.com/memcached-operator:v0.1.0", "--validate");
    assert.match(written.stderr, /validation: 0 error\(s\), 0 warning\(s\)\.\n/, "the operator-framework validators find nothing to say");
    const csv = parse(await readFile(join(project, "bundle/manifests/memcached-operator.clusterserviceversion.yaml"), "utf8")) as ClusterServiceVersionManifest;
    // rbacFor of the project's operator, computed by the project's own (packed) operant, as a user's script would.
    const printed = await exec(process.execPath, ["--input-type=module", "-e", 'import operator from "./src/operator.ts"; import { rbacFor } from "operant/operator"; console.log(JSON.stringify(rbacFor(operator)));']);
    assert.equal(printed.code, 0, printed.stderr);
    const rbac = JSON.parse(printed.stdout) as OperatorRbac;
    const strip = (rs: typeof rbac.rules) => rs.map((r) => ({ apiGroups: r.apiGroups[0] === "events.k8s.io" ? [""] : [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })); // bundles grant core events
    assert.deepEqual(csv.spec.install.spec.clusterPermissions, [{ serviceAccountName: "memcached-operator-controller-manager", rules: strip([...rbac.rules, ...metricsAuthRules()]) }]);
    assert.deepEqual(csv.spec.install.spec.permissions, [{ serviceAccountName: "memcached-operator-controller-manager", rules: strip(rbac.leaderElectionRules) }]);
    assert.deepEqual(csv.spec.customresourcedefinitions.owned.map((o) => [o.name, o.version, o.kind]), [[crdName, "v1alpha1", "Memcached"]]);
    assert.deepEqual(JSON.parse(csv.metadata.annotations["alm-examples"]!), [parse(await readFile(join(project, sampleFile), "utf8"))], "alm-examples from config/samples");
    const crd = await readFile(join(project, `bundle/manifests/${group}_memcacheds.yaml`), "utf8");
    assert.equal(crd, (await readFile(join(project, `config/crd/bases/${group}_memcacheds.yaml`), "utf8")).replace(/^# Generated by[^\n]*\n/, ""));
    const annotations = (parse(await readFile(join(project, "bundle/metadata/annotations.yaml"), "utf8")) as { annotations: Record<string, string> }).annotations;
    assert.equal(annotations["operators.operatorframework.io.bundle.channels.v1"], "candidate,stable");
    assert.match(await readFile(join(project, "bundle.Dockerfile"), "utf8"), /^LABEL operators\.operatorframework\.io\.bundle\.package\.v1=memcached-operator$/m);
    const helm = await operantOk("generate", "--helm");
    assert.match(helm.stderr, /created {3}charts\/memcached-operator\/Chart\.yaml\n[^]*created {3}charts\/memcached-operator\/templates\/manager\.yaml\n/, "generate --helm writes the chart");
    const bad = await operant(["bundle", "--version", "v0.1"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error \[InvalidVersion\]: bundle version "v0\.1" is not a semantic version/);
  });

  test("mistakes get an error code and what to do", async () => {
    const outside = await operant(["generate"], { cwd: work });
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /^error \[NotAProject\]: .* is not in an operant project \(no src\/operator\.ts here or in a parent directory\)\. Create one with `operant init <dir> --domain example\.com`/);

    const unknown = await operant(["install", "Memcache"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error \[UnknownKind\]: memcached-operator defines no kind Memcache; its kinds are Memcached\./);

    const noConfig = await operant(["install"], { env: { ...env, KUBECONFIG: join(work, "missing.kubeconfig") } });
    assert.equal(noConfig.code, 1);
    assert.match(noConfig.stderr, /^error \[KubeconfigNotFound\]: .*`operant cluster up`/);

    const deadServer = join(work, "dead.kubeconfig");
    await writeFile(deadServer, "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\nusers: [{name: u, user: {token: x}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n");
    const down = await operant(["install"], { env: { ...env, KUBECONFIG: deadServer } });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^error \[ClusterUnreachable\]: the cluster of the current kubeconfig does not answer .*`operant cluster up`/);

    const kind = await operant(["create", "api", "--group", "cache", "--version", "v1", "--kind", "memcached"]);
    assert.match(kind.stderr, /^error \[InvalidName\]: kind "memcached" is not UpperCamelCase/);
    const version = await operant(["create", "api", "--group", "cache", "--version", "1.0", "--kind", "Backup"]);
    assert.match(version.stderr, /^error \[InvalidName\]: version "1\.0" is not a Kubernetes API version/);
    const exists = await operant(["create", "api", "--group", "cache", "--version", "v1", "--kind", "Memcached"]);
    assert.match(exists.stderr, /^error \[KindExists\]: Memcached is already defined \(src\/api\/memcached\.ts\)/);
    const noResource = await operant(["create", "api", "--group", "cache", "--version", "v1", "--kind", "Backup", "--no-resource"]);
    assert.match(noResource.stderr, /^error \[UnknownKind\]: kind Backup is not defined in src\/api \(known kinds: Memcached\)/);
    const domainless = await operant(["init", join(work, "other"), "--domain", "localhost", "--skip-install"]);
    assert.match(domainless.stderr, /^error \[InvalidName\]: domain "localhost" has no dot/);
    const badName = await operant(["init", join(work, "Bad_Name"), "--domain", "example.com", "--skip-install"]);
    assert.match(badName.stderr, /^error \[InvalidName\]: project name "Bad_Name" is not valid: .*\(e\.g\. "bad-name"\)/);
    for (const r of [kind, version, exists, noResource, domainless, badName]) assert.equal(r.code, 1);
  });
});
