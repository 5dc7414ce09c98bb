// The RBAC `operant generate` writes for the quickstart operator
// (examples/memcached/config/rbac) is sufficient and minimal: the operator,
// running under a ServiceAccount bound to exactly those rules, goes through
// the walkthrough (size 3 → 3 Pods listed in status, an Event); with any one
// rule removed, some part of it fails. Each variant runs the operator
// in-process (runOperator, --leader-elect, its own ServiceAccount, roles,
// Lease and namespace), all at once, so the loop costs one walkthrough.
//
// `memcacheds/finalizers` only matters where the OwnerReferencesPermission-
// Enforcement admission plugin runs (it guards blockOwnerDeletion on owner
// references): that rule is checked on a control plane of our own with the
// plugin on.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import { parseAllDocuments } from "yaml";
import { Client } from "../../src/client/client.ts";
import { defineKind } from "../../src/core/kind.ts";
import type { KubeObject } from "../../src/core/object.ts";
import { installCrds } from "../../src/crd/install/install.ts";
import { ClusterRole, ClusterRoleBinding, Deployment, Event, Namespace, Pod, Role, RoleBinding, ServiceAccount } from "../../src/kinds/index.ts";
import { rbacFor } from "../../src/operator/rbac.ts";
import { runOperator } from "../../src/operator/run.ts";
import type { PolicyRule } from "../../src/runtime/controller/builder.ts";
import { ControlPlane, eventually } from "../../src/testing/index.ts";
import { Memcached } from "../../../../examples/memcached/src/api/memcached.ts";
import operator from "../../../../examples/memcached/src/operator.ts";

const exampleDir = new URL("../../../../examples/memcached/", import.meta.url);
interface RbacObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: PolicyRule[];
}

/** The objects of a generated YAML file of the example. */
async function generated(file: string): Promise<RbacObject[]> {
  const text = await readFile(fileURLToPath(new URL(`config/rbac/${file}`, exampleDir)), "utf8");
  return parseAllDocuments(text).map((d) => d.toJS() as RbacObject);
}

interface SubjectAccessReview extends KubeObject {
  spec: { user: string; groups?: string[]; resourceAttributes: Record<string, string> };
  status?: { allowed: boolean };
}
const SubjectAccessReview = defineKind<SubjectAccessReview>({
  group: "authorization.k8s.io",
  version: "v1",
  kind: "SubjectAccessReview",
  plural: "subjectaccessreviews",
  namespaced: false,
});

const ruleName = (r: PolicyRule) => `${r.apiGroups[0] || "core"}/${r.resources[0]}`;

/** What a variant got done within its window. */
interface Outcome {
  deployment: boolean;
  status: boolean;
  event: boolean;
  log: string;
}

/** One run of the operator under a ServiceAccount with the given rules. */
interface Variant {
  name: string;
  managerRules: PolicyRule[];
  leaderRules: PolicyRule[];
}

/**
 * A cluster prepared for variants: an operator namespace, the CRD, and the
 * ability to run the operator under a fresh ServiceAccount with given rules.
 */
class Bench {
  readonly cp: ControlPlane;
  readonly client: Client;
  readonly suffix = randomBytes(3).toString("hex");
  readonly opNamespace: string;
  readonly #clusterObjects: { kind: typeof ClusterRole | typeof ClusterRoleBinding; name: string }[] = [];
  readonly #namespaces: string[] = [];

  constructor(cp: ControlPlane, client: Client) {
    this.cp = cp;
    this.client = client;
    this.opNamespace = `rbac-op-${this.suffix}`;
  }

  async setUp(): Promise<void> {
    await installCrds(this.client, operator.resources);
    await this.client.create(Namespace, { metadata: { name: this.opNamespace } });
    this.#namespaces.push(this.opNamespace);
  }

  async tearDown(): Promise<void> {
    for (const o of this.#clusterObjects) await this.client.delete(o.kind, { name: o.name }).catch(() => undefined);
    for (const ns of this.#namespaces) await this.client.delete(Namespace, { name: ns }).catch(() => undefined);
    await this.client.close();
  }

  /** Whether the ServiceAccount may do `verb` on `resource` (waits for RBAC to take effect). */
  async allowed(sa: string, namespace: string, rule: PolicyRule): Promise<boolean> {
    const [resource, subresource] = rule.resources[0]!.split("/");
    const review = await this.client.create(SubjectAccessReview, {
      spec: { user: `system:serviceaccount:${this.opNamespace}:${sa}`, groups: ["system:serviceaccounts", `system:serviceaccounts:${this.opNamespace}`, "system:authenticated"], resourceAttributes: { namespace, group: rule.apiGroups[0]!, resource: resource!, ...(subresource && { subresource }), verb: rule.verbs[0]! } },
    });
    return review.status?.allowed === true;
  }

  /**
   * Creates the variant's ServiceAccount, ClusterRole/ClusterRoleBinding
   * (the generated manager role's rules, possibly minus one) and
   * leader-election Role/RoleBinding in the operator namespace, and a
   * namespace for its Memcached; returns a kubeconfig with the
   * ServiceAccount's token.
   */
  async prepare(v: Variant, i: number): Promise<{ kubeconfig: string; namespace: string; sa: string }> {
    const sa = `memcached-operator-v${i}`;
    const name = `memcached-operator-${this.suffix}-v${i}`;
    const namespace = `rbac-${this.suffix}-v${i}`;
    const subjects = [{ kind: "ServiceAccount", name: sa, namespace: this.opNamespace }];
    await this.client.create(Namespace, { metadata: { name: namespace } });
    this.#namespaces.push(namespace);
    await this.client.create(ServiceAccount, { metadata: { name: sa, namespace: this.opNamespace } });
    await this.client.create(ClusterRole, { metadata: { name }, rules: v.managerRules });
    this.#clusterObjects.push({ kind: ClusterRole, name });
    await this.client.create(ClusterRoleBinding, { metadata: { name }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name }, subjects });
    this.#clusterObjects.push({ kind: ClusterRoleBinding, name });
    await this.client.create(Role, { metadata: { name, namespace: this.opNamespace }, rules: v.leaderRules });
    await this.client.create(RoleBinding, { metadata: { name, namespace: this.opNamespace }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name }, subjects });
    // RBAC takes effect asynchronously: wait until every granted rule is.
    for (const r of v.managerRules) await eventually(() => this.allowed(sa, namespace, r), { description: `${sa} may ${r.verbs[0]} ${ruleName(r)}` });
    for (const r of v.leaderRules) await eventually(() => this.allowed(sa, this.opNamespace, r), { description: `${sa} may ${r.verbs[0]} ${ruleName(r)}` });
    return { kubeconfig: await this.cp.serviceAccountKubeconfig({ namespace: this.opNamespace, name: sa }), namespace, sa };
  }

  /** What the variant's operator achieved for a Memcached of size 3, checked with the admin client. */
  async outcome(namespace: string, log: string[]): Promise<Outcome> {
    const dep = await this.client.tryGet(Deployment, { namespace, name: "memcached-sample" });
    const mc = await this.client.tryGet(Memcached, { namespace, name: "memcached-sample" });
    const pods = (await this.client.list(Pod, { namespace, labelSelector: { app: "memcached" } })).items.filter((p) => p.status?.phase === "Running").map((p) => p.metadata.name).sort();
    const status = mc?.status;
    const events = await this.client.list(Event, { namespace });
    return {
      deployment: dep !== undefined,
      status: pods.length === 3 && JSON.stringify(status?.nodes) === JSON.stringify(pods) && status?.conditions?.some((c) => c.type === "Available" && c.status === "True") === true,
      event: events.items.some((e) => e.regarding?.name === "memcached-sample" && e.reason === "Created"),
      log: log
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const o = JSON.parse(line) as { msg?: string; err?: string };
          return `${o.msg ?? ""}${o.err ? `: ${o.err}` : ""}`;
        })
        .join("\n"),
    };
  }
}

/**
 * Runs the variants at once, each under its own ServiceAccount, until the
 * first one (all rules) has done the whole walkthrough, then `graceMs`
 * more; returns what each achieved.
 */
async function runVariants(bench: Bench, variants: Variant[], options: { walkthrough: (o: Outcome) => boolean; graceMs: number; timeoutMs: number }): Promise<Outcome[]> {
  const prepared = await Promise.all(variants.map((v, i) => bench.prepare(v, i)));
  const stop = new AbortController();
  const logs = variants.map(() => [] as string[]);
  const runs = prepared.map((p, i) =>
    runOperator(operator, {
      argv: ["node", "main.ts", "--kubeconfig", p.kubeconfig, "--watch-namespace", p.namespace, "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0", "--leader-elect", "--leader-election-namespace", bench.opNamespace, "--leader-election-id", `memcached-operator-${bench.suffix}-v${i}`],
      env: {},
      signal: stop.signal,
      logger: pino({ level: "debug" }, { write: (line: string) => void logs[i]!.push(line) }),
      manager: { handleSignals: false, gracefulShutdownTimeout: "2s" },
    }).catch((err: unknown) => logs[i]!.push(`${JSON.stringify({ msg: "runOperator failed", err: (err as Error).message })}\n`)),
  );
  try {
    for (const p of prepared) await bench.client.create(Memcached, { metadata: { name: "memcached-sample", namespace: p.namespace }, spec: { size: 3 } });
    await eventually(async () => assert.ok(options.walkthrough(await bench.outcome(prepared[0]!.namespace, logs[0]!))), { timeoutMs: options.timeoutMs, description: `the operator with every generated rule does the walkthrough\n${logs[0]!.join("").slice(-3000)}` });
    await new Promise((r) => setTimeout(r, options.graceMs));
    return await Promise.all(prepared.map((p, i) => bench.outcome(p.namespace, logs[i]!)));
  } finally {
    stop.abort();
    await Promise.all(runs);
  }
}

let shared: Bench;
let managerRules: PolicyRule[];
let leaderRules: PolicyRule[];

before(async () => {
  const cp = await ControlPlane.shared();
  shared = new Bench(cp, await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity }));
  await shared.setUp();
  managerRules = (await generated("role.yaml")).find((o) => o.kind === "ClusterRole")!.rules!;
  leaderRules = (await generated("leader_election_role.yaml")).find((o) => o.kind === "Role")!.rules!;
});
after(() => shared.tearDown());

const without = (rules: PolicyRule[], r: PolicyRule) => rules.filter((x) => x !== r);

describe("the generated RBAC of the quickstart operator", { timeout: 180_000 }, () => {
  test("is what rbacFor derives from the operator, one rule per group and resource", () => {
    const rbac = rbacFor(operator);
    const plain = (rs: readonly PolicyRule[]) => rs.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] }));
    assert.deepEqual(managerRules, plain(rbac.rules));
    assert.deepEqual(leaderRules, plain(rbac.leaderElectionRules));
    assert.deepEqual(managerRules.map(ruleName), ["core/pods", "apps/deployments", "cache.example.com/memcacheds", "cache.example.com/memcacheds/finalizers", "cache.example.com/memcacheds/status", "events.k8s.io/events"]);
    assert.deepEqual(leaderRules.map(ruleName), ["coordination.k8s.io/leases"]);
  });

  test("is sufficient, and each rule is needed: without any one of them the walkthrough fails", async () => {
    // What failing looks like, per rule: the effect that must be missing and the log line that says why.
    const expected: Record<string, { missing: keyof Omit<Outcome, "log">; log: RegExp }> = {
      "core/pods": { missing: "deployment", log: /pods is forbidden/ },
      "apps/deployments": { missing: "deployment", log: /deployments\.apps is forbidden/ },
      "cache.example.com/memcacheds": { missing: "deployment", log: /memcacheds\.cache\.example\.com is forbidden/ },
      "cache.example.com/memcacheds/status": { missing: "status", log: /cannot patch resource "memcacheds\/status"/ },
      "events.k8s.io/events": { missing: "event", log: /events\.events\.k8s\.io is forbidden/ },
      // The Lease elector reports a refused attempt only at debug level, hence the debug logger.
      "coordination.k8s.io/leases": { missing: "deployment", log: /leader election attempt failed: .*cannot get resource "leases"/ },
    };
    const finalizers = managerRules.find((r) => r.resources[0]!.endsWith("/finalizers"))!;
    const removable = managerRules.filter((r) => r !== finalizers);
    const variants: Variant[] = [
      { name: "all rules", managerRules, leaderRules },
      ...removable.map((r) => ({ name: ruleName(r), managerRules: without(managerRules, r), leaderRules })),
      ...leaderRules.map((r) => ({ name: ruleName(r), managerRules, leaderRules: without(leaderRules, r) })),
    ];
    const outcomes = await runVariants(shared, variants, { walkthrough: (o) => o.deployment && o.status && o.event, graceMs: 4000, timeoutMs: 60_000 });
    const [full, ...rest] = outcomes;
    assert.deepEqual({ ...full!, log: "" }, { deployment: true, status: true, event: true, log: "" }, "with every rule: Deployment, 3 Pods in status.nodes, Available, an Event");
    for (const [i, o] of rest.entries()) {
      const v = variants[i + 1]!;
      const want = expected[v.name];
      assert.ok(want, `a failure is expected for ${v.name}: add it to the table`);
      assert.equal(o[want.missing], false, `without ${v.name}, the ${want.missing} must be missing (got ${JSON.stringify({ ...o, log: undefined })})`);
      assert.match(o.log, want.log, `without ${v.name}, the log says why:\n${o.log.slice(-2000)}`);
    }
  });

  test("memcacheds/finalizers is needed where OwnerReferencesPermissionEnforcement runs: without it the Deployment cannot be created", async (t) => {
    const cp = await ControlPlane.start({ profile: "minimal", apiServerFlags: ["--enable-admission-plugins=OwnerReferencesPermissionEnforcement"] });
    const bench = new Bench(cp, await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity }));
    t.after(async () => {
      await bench.client.close();
      await cp.stop();
    });
    await bench.setUp();
    const finalizers = managerRules.find((r) => r.resources[0]!.endsWith("/finalizers"))!;
    // No controller-manager here, so no Pods: the walkthrough is the Deployment.
    const [full, missing] = await runVariants(
      bench,
      [
        { name: "all rules", managerRules, leaderRules },
        { name: ruleName(finalizers), managerRules: without(managerRules, finalizers), leaderRules },
      ],
      { walkthrough: (o) => o.deployment, graceMs: 4000, timeoutMs: 30_000 },
    );
    assert.equal(full!.deployment, true);
    assert.equal(missing!.deployment, false, "without memcacheds/finalizers the Deployment (owner reference with blockOwnerDeletion) is refused");
    assert.match(missing!.log, /cannot set blockOwnerDeletion/);
  });
});
