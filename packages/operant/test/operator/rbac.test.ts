// The RBAC `operant generate` writes for the quickstart operator
// (examples/memcached/config/rbac) is sufficient and minimal: the operator,
// running under a ServiceAccount bound to exactly those rules, goes through
// the walkthrough (size 3 → 3 Pods listed in status, an Event) and serves its
// quota webhooks (operant-managed certificate: the Secret created, the CA
// bundle injected into both webhook configurations; the defaulting webhook
// reads the namespace's quota ConfigMap); with any one rule removed, some
// part of it fails. Each variant runs the operator in-process (runOperator,
// --leader-elect, its own ServiceAccount, roles, Lease and namespace — which
// is also its "operator namespace", holding its certificate Secret), all at
// once, so the loop costs one walkthrough.
//
// The webhook configurations exist (the CA-injection rules are exercised)
// but select no namespace, so the shared control plane's other tests never
// reach them; each variant's defaulting webhook is called by this test the
// way the API server calls it (an AdmissionReview over HTTPS, trusting the CA
// of the variant's Secret).
//
// `memcacheds/finalizers` only matters where the OwnerReferencesPermission-
// Enforcement admission plugin runs (it guards blockOwnerDeletion on owner
// references): that rule is checked on a control plane of our own with the
// plugin on.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import { parseAllDocuments } from "yaml";
import { Client } from "../../src/client/client.ts";
import { defineKind } from "../../src/core/kind.ts";
import type { KubeObject } from "../../src/core/object.ts";
import { installCrds } from "../../src/crd/install/install.ts";
import { ClusterRole, ClusterRoleBinding, ConfigMap, Deployment, Event, MutatingWebhookConfiguration, Namespace, Pod, Role, RoleBinding, Secret, ServiceAccount, ValidatingWebhookConfiguration } from "../../src/kinds/index.ts";
import { defineOperator } from "../../src/operator/operator.ts";
import { rbacFor, webhookCertificateRules } from "../../src/operator/rbac.ts";
import { runOperator } from "../../src/operator/run.ts";
import type { PolicyRule } from "../../src/runtime/controller/builder.ts";
import { ControlPlane, eventually } from "../../src/testing/index.ts";
import { webhookConfigurations } from "../../src/webhook/index.ts";
import { Memcached } from "../../../../examples/memcached/src/api/memcached.ts";
import operator from "../../../../examples/memcached/src/operator.ts";
import { QUOTA_CONFIGMAP, quotaWebhooks } from "../../../../examples/memcached/src/webhooks/quota.ts";

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

const ruleName = (r: PolicyRule) => `${r.apiGroups[0] || "core"}/${r.resources[0]}${r.resourceNames ? `[${r.resourceNames.join(",")}]` : ""}`;
const byName = (objects: RbacObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!.rules!;

/** What a variant got done within its window. */
interface Outcome {
  deployment: boolean;
  status: boolean;
  event: boolean;
  /** The defaulting webhook answered with the quota's default size (so its certificate was set up and it read the ConfigMap). */
  webhook: boolean;
  log: string;
}

/** One run of the operator under a ServiceAccount with the given rules. */
interface Variant {
  name: string;
  managerRules: PolicyRule[];
  leaderRules: PolicyRule[];
  /** The Role in the operator's namespace for its webhook certificate Secret. */
  certificateRules: PolicyRule[];
  /** The ClusterRole for injecting the CA bundle into the webhook configurations. */
  injectorRules: PolicyRule[];
}

/**
 * The example's webhook configurations for an operator named `name`,
 * selecting no namespace: the CA injection has its targets, and no request
 * reaches them.
 */
function inertWebhookConfigurations(name: string, suffix: string) {
  const { validating, mutating } = webhookConfigurations(operator.webhooks, { name, target: { url: "https://127.0.0.1:9/unused" } });
  const inert = <T extends { webhooks: { namespaceSelector?: unknown }[] }>(c: T): T => ({ ...c, webhooks: c.webhooks.map((w) => ({ ...w, namespaceSelector: { matchLabels: { "rbac-test-selects-nothing": suffix } } })) });
  return { validating: inert(validating!), mutating: inert(mutating!) };
}

/**
 * The generated rules for an operator named `name` instead of the example's:
 * each variant has a name of its own, so that its certificate Secret and
 * webhook configurations are its own (variants with different CAs sharing
 * one configuration would overwrite each other's CA bundle).
 */
const renamed = (rules: PolicyRule[], name: string): PolicyRule[] => rules.map((r) => (r.resourceNames ? { ...r, resourceNames: r.resourceNames.map((n) => n.replace(`${operator.name}-`, `${name}-`)) } : r));

/**
 * Calls the variant's defaulting webhook as the API server does, for a
 * Memcached without spec.size in `namespace`: the size it answers with, or
 * why it did not.
 */
async function callDefaulting(port: number, caPem: string, namespace: string): Promise<{ size?: number; error?: string }> {
  const hook = operator.webhooks.find((w) => w.type === "mutating")!;
  const object = { apiVersion: Memcached.apiVersion, kind: "Memcached", metadata: { name: "probe", namespace }, spec: {} };
  const review = { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: randomBytes(8).toString("hex"), kind: { group: Memcached.group, version: Memcached.version, kind: "Memcached" }, resource: { group: Memcached.group, version: Memcached.version, resource: Memcached.plural }, operation: "CREATE", userInfo: { username: "rbac-test" }, namespace, name: "probe", object, dryRun: true } };
  const body = JSON.stringify(review);
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      // The certificate names the webhook Service; the API server would reach it by that name, this test by loopback.
      const req = request({ host: "127.0.0.1", port, path: hook.path, method: "POST", ca: caPem, checkServerIdentity: () => undefined, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }, timeout: 10_000 }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve(text));
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error("no answer within 10 s")));
      req.on("error", reject);
      req.end(body);
    });
    const response = (JSON.parse(answer) as { response: { allowed: boolean; patch?: string; status?: { message?: string } } }).response;
    if (!response.allowed) return { error: response.status?.message ?? "denied" };
    const patch = JSON.parse(Buffer.from(response.patch ?? "W10=", "base64").toString("utf8")) as { path: string; value: unknown }[];
    return { size: patch.find((op) => op.path === "/spec/size")?.value as number };
  } catch (err) {
    return { error: `the webhook server does not answer: ${(err as Error).message}` };
  }
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
  readonly #webhookConfigurations: string[] = [];

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
    for (const name of this.#webhookConfigurations) {
      await this.client.delete(ValidatingWebhookConfiguration, { name: `${name}-validating-webhook-configuration` }).catch(() => undefined);
      await this.client.delete(MutatingWebhookConfiguration, { name: `${name}-mutating-webhook-configuration` }).catch(() => undefined);
    }
    for (const o of this.#clusterObjects) await this.client.delete(o.kind, { name: o.name }).catch(() => undefined);
    for (const ns of this.#namespaces) await this.client.delete(Namespace, { name: ns }).catch(() => undefined);
    await this.client.close();
  }

  /** Whether the ServiceAccount may do `verb` on `resource` (waits for RBAC to take effect). */
  async allowed(sa: string, namespace: string, rule: PolicyRule): Promise<boolean> {
    const [resource, subresource] = rule.resources[0]!.split("/");
    const review = await this.client.create(SubjectAccessReview, {
      spec: { user: `system:serviceaccount:${this.opNamespace}:${sa}`, groups: ["system:serviceaccounts", `system:serviceaccounts:${this.opNamespace}`, "system:authenticated"], resourceAttributes: { namespace, group: rule.apiGroups[0]!, resource: resource!, ...(subresource && { subresource }), ...(rule.resourceNames && { name: rule.resourceNames[0]! }), verb: rule.verbs[0]! } },
    });
    return review.status?.allowed === true;
  }

  /**
   * Creates the variant's ServiceAccount, ClusterRole/ClusterRoleBinding
   * (the generated manager role's rules, possibly minus one) and
   * leader-election Role/RoleBinding in the operator namespace, and a
   * namespace for its Memcached (with a quota ConfigMap), which is also
   * where its webhook certificate Secret goes (POD_NAMESPACE) and so where
   * its certificate Role is; returns a kubeconfig with the ServiceAccount's token.
   */
  async prepare(v: Variant, i: number): Promise<{ kubeconfig: string; namespace: string; sa: string; operatorName: string }> {
    const sa = `memcached-operator-v${i}`;
    const operatorName = `memcached-${this.suffix}-v${i}`;
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
    await this.client.create(Role, { metadata: { name, namespace }, rules: renamed(v.certificateRules, operatorName) });
    await this.client.create(RoleBinding, { metadata: { name, namespace }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name }, subjects });
    await this.client.create(ClusterRole, { metadata: { name: `${name}-injector` }, rules: renamed(v.injectorRules, operatorName) });
    this.#clusterObjects.push({ kind: ClusterRole, name: `${name}-injector` });
    await this.client.create(ClusterRoleBinding, { metadata: { name: `${name}-injector` }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${name}-injector` }, subjects });
    this.#clusterObjects.push({ kind: ClusterRoleBinding, name: `${name}-injector` });
    await this.client.create(ConfigMap, { metadata: { name: QUOTA_CONFIGMAP, namespace }, data: { defaultSize: "2" } });
    const { validating, mutating } = inertWebhookConfigurations(operatorName, this.suffix);
    this.#webhookConfigurations.push(operatorName);
    await this.client.create(ValidatingWebhookConfiguration, validating);
    await this.client.create(MutatingWebhookConfiguration, mutating);
    // RBAC takes effect asynchronously: wait until every granted rule is.
    for (const r of v.managerRules) await eventually(() => this.allowed(sa, namespace, r), { description: `${sa} may ${r.verbs[0]} ${ruleName(r)}` });
    for (const r of v.leaderRules) await eventually(() => this.allowed(sa, this.opNamespace, r), { description: `${sa} may ${r.verbs[0]} ${ruleName(r)}` });
    for (const r of renamed([...v.certificateRules, ...v.injectorRules], operatorName)) await eventually(() => this.allowed(sa, namespace, r), { description: `${sa} may ${r.verbs[0]} ${ruleName(r)}` });
    return { kubeconfig: await this.cp.serviceAccountKubeconfig({ namespace: this.opNamespace, name: sa }), namespace, sa, operatorName };
  }

  /** What the variant's operator achieved for a Memcached of size 3, checked with the admin client. */
  async outcome(namespace: string, operatorName: string, log: string[]): Promise<Outcome> {
    const webhookPort = listeningPort(log);
    const dep = await this.client.tryGet(Deployment, { namespace, name: "memcached-sample" });
    const mc = await this.client.tryGet(Memcached, { namespace, name: "memcached-sample" });
    const pods = (await this.client.list(Pod, { namespace, labelSelector: { app: "memcached" } })).items.filter((p) => p.status?.phase === "Running").map((p) => p.metadata.name).sort();
    const status = mc?.status;
    const events = await this.client.list(Event, { namespace });
    const secret = await this.client.tryGet(Secret, { namespace, name: `${operatorName}-webhook-server-cert` });
    const defaulted = webhookPort === undefined ? { error: "the webhook server is not listening (no \"webhook server listening\" in the log)" } : secret ? await callDefaulting(webhookPort, Buffer.from(secret.data?.["ca.crt"] ?? "", "base64").toString("utf8"), namespace) : { error: "no certificate Secret" };
    return {
      deployment: dep !== undefined,
      status: pods.length === 3 && JSON.stringify(status?.nodes) === JSON.stringify(pods) && status?.conditions?.some((c) => c.type === "Available" && c.status === "True") === true,
      event: events.items.some((e) => e.regarding?.name === "memcached-sample" && e.reason === "Created"),
      webhook: defaulted.size === 2,
      log: `${defaulted.error ? `webhook: ${defaulted.error}\n` : ""}${log
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const o = JSON.parse(line) as { msg?: string; err?: string };
          return `${o.msg ?? ""}${o.err ? `: ${o.err}` : ""}`;
        })
        .join("\n")}`,
    };
  }
}

/**
 * The port a variant's webhook server listens on, from its log: each binds port 0, since a port picked
 * beforehand (free when asked) can be taken by another process before the operator binds it.
 */
function listeningPort(log: string[]): number | undefined {
  for (const line of log.join("").split("\n")) {
    if (!line.includes('"webhook server listening"')) continue;
    return (JSON.parse(line) as { address?: { port?: number } }).address?.port;
  }
  return undefined;
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
  const runs = prepared.map((p, i) => {
    // As the example's main.ts does, per variant: its webhooks read through its own manager's client.
    const client = Promise.withResolvers<Client>();
    client.promise.catch(() => undefined);
    return runOperator(defineOperator({ ...operator, name: p.operatorName, webhooks: quotaWebhooks(() => client.promise) }), {
      argv: ["node", "main.ts", "--kubeconfig", p.kubeconfig, "--watch-namespace", p.namespace, "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0", "--status-bind-address", "127.0.0.1:0", "--webhook-bind-address", "127.0.0.1:0", "--leader-elect", "--leader-election-namespace", bench.opNamespace, "--leader-election-id", `memcached-operator-${bench.suffix}-v${i}`],
      env: { POD_NAMESPACE: p.namespace },
      signal: stop.signal,
      onStart: (manager) => void manager.listening.then(() => client.resolve(manager.client), client.reject),
      logger: pino({ level: "debug" }, { write: (line: string) => void logs[i]!.push(line) }),
      manager: { handleSignals: false, gracefulShutdownTimeout: "2s" },
    }).catch((err: unknown) => logs[i]!.push(`${JSON.stringify({ msg: "runOperator failed", err: (err as Error).message })}\n`));
  });
  try {
    for (const p of prepared) await bench.client.create(Memcached, { metadata: { name: "memcached-sample", namespace: p.namespace }, spec: { size: 3 } });
    await eventually(async () => assert.ok(options.walkthrough(await bench.outcome(prepared[0]!.namespace, prepared[0]!.operatorName, logs[0]!))), { timeoutMs: options.timeoutMs, description: `the operator with every generated rule does the walkthrough\n${logs[0]!.join("").slice(-3000)}` });
    await new Promise((r) => setTimeout(r, options.graceMs));
    return await Promise.all(prepared.map((p, i) => bench.outcome(p.namespace, p.operatorName, logs[i]!)));
  } finally {
    stop.abort();
    await Promise.all(runs);
  }
}

let shared: Bench;
let managerRules: PolicyRule[];
let leaderRules: PolicyRule[];
let certificateRules: PolicyRule[];
let injectorRules: PolicyRule[];

before(async () => {
  const cp = await ControlPlane.shared();
  shared = new Bench(cp, await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity }));
  await shared.setUp();
  const roles = await generated("role.yaml");
  managerRules = byName(roles, "ClusterRole", "manager");
  certificateRules = byName(roles, "Role", "webhook-certificates");
  injectorRules = byName(roles, "ClusterRole", "webhook-ca-injector");
  leaderRules = (await generated("leader_election_role.yaml")).find((o) => o.kind === "Role")!.rules!;
});
after(() => shared.tearDown());

const without = (rules: PolicyRule[], r: PolicyRule) => rules.filter((x) => x !== r);

describe("the generated RBAC of the quickstart operator", { timeout: 180_000 }, () => {
  test("is what rbacFor derives from the operator, one rule per group and resource", () => {
    const rbac = rbacFor(operator);
    const plain = (rs: readonly PolicyRule[]) => rs.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], ...(r.resourceNames && { resourceNames: [...r.resourceNames] }), verbs: [...r.verbs] }));
    assert.deepEqual(managerRules, plain(rbac.rules));
    assert.deepEqual(leaderRules, plain(rbac.leaderElectionRules));
    const certificates = webhookCertificateRules(operator);
    assert.deepEqual(certificateRules, plain(certificates.namespaced));
    assert.deepEqual(injectorRules, plain(certificates.cluster));
    assert.deepEqual(managerRules.map(ruleName), ["core/configmaps", "core/pods", "apps/deployments", "cache.example.com/memcacheds", "cache.example.com/memcacheds/finalizers", "cache.example.com/memcacheds/status", "events.k8s.io/events"]);
    assert.deepEqual(leaderRules.map(ruleName), ["coordination.k8s.io/leases"]);
    assert.deepEqual(certificateRules.map(ruleName), ["core/secrets", "core/secrets[memcached-operator-webhook-server-cert]"]);
    assert.deepEqual(injectorRules.map(ruleName), ["admissionregistration.k8s.io/validatingwebhookconfigurations[memcached-operator-validating-webhook-configuration]", "admissionregistration.k8s.io/mutatingwebhookconfigurations[memcached-operator-mutating-webhook-configuration]"]);
  });

  test("is sufficient, and each rule is needed: without any one of them the walkthrough or the webhooks fail", async () => {
    // What failing looks like, per rule: the effect that must be missing and the log line that says why.
    const expected: Record<string, { missing: keyof Omit<Outcome, "log">; log: RegExp }> = {
      "core/pods": { missing: "deployment", log: /pods is forbidden/ },
      "apps/deployments": { missing: "deployment", log: /deployments\.apps is forbidden/ },
      "cache.example.com/memcacheds": { missing: "deployment", log: /memcacheds\.cache\.example\.com is forbidden/ },
      "cache.example.com/memcacheds/status": { missing: "status", log: /cannot patch resource "memcacheds\/status"/ },
      "events.k8s.io/events": { missing: "event", log: /events\.events\.k8s\.io is forbidden/ },
      // The Lease elector warns at the first refused attempt (then repeats at debug level within 30 s).
      "coordination.k8s.io/leases": { missing: "deployment", log: /leader election attempt failed(; retrying)?: .*cannot get resource "leases"/ },
      // The quota webhooks read the namespace's ConfigMap: the defaulting webhook fails the request, saying why.
      "core/configmaps": { missing: "webhook", log: /webhook: .*configmaps "memcached-quota" is forbidden/ },
      // Operant-managed certificates: without a rule the webhook server cannot start (and stops the manager, saying why).
      "core/secrets": { missing: "webhook", log: /cannot set up the webhook certificate in Secret .*secrets is forbidden: .*cannot create resource "secrets"/ },
      "core/secrets[memcached-operator-webhook-server-cert]": { missing: "webhook", log: /cannot set up the webhook certificate in Secret .*secrets "[^"]+-webhook-server-cert" is forbidden/ },
      "admissionregistration.k8s.io/validatingwebhookconfigurations[memcached-operator-validating-webhook-configuration]": { missing: "webhook", log: /cannot set up the webhook certificate .*validatingwebhookconfigurations\.admissionregistration\.k8s\.io "[^"]+-validating-webhook-configuration" is forbidden/ },
      "admissionregistration.k8s.io/mutatingwebhookconfigurations[memcached-operator-mutating-webhook-configuration]": { missing: "webhook", log: /cannot set up the webhook certificate .*mutatingwebhookconfigurations\.admissionregistration\.k8s\.io "[^"]+-mutating-webhook-configuration" is forbidden/ },
    };
    const finalizers = managerRules.find((r) => r.resources[0]!.endsWith("/finalizers"))!;
    const removable = managerRules.filter((r) => r !== finalizers);
    const all = { managerRules, leaderRules, certificateRules, injectorRules };
    const variants: Variant[] = [
      { name: "all rules", ...all },
      ...removable.map((r) => ({ name: ruleName(r), ...all, managerRules: without(managerRules, r) })),
      ...leaderRules.map((r) => ({ name: ruleName(r), ...all, leaderRules: without(leaderRules, r) })),
      ...certificateRules.map((r) => ({ name: ruleName(r), ...all, certificateRules: without(certificateRules, r) })),
      ...injectorRules.map((r) => ({ name: ruleName(r), ...all, injectorRules: without(injectorRules, r) })),
    ];
    const outcomes = await runVariants(shared, variants, { walkthrough: (o) => o.deployment && o.status && o.event && o.webhook, graceMs: 4000, timeoutMs: 60_000 });
    const [full, ...rest] = outcomes;
    assert.deepEqual({ ...full!, log: "" }, { deployment: true, status: true, event: true, webhook: true, log: "" }, "with every rule: Deployment, 3 Pods in status.nodes, Available, an Event, the webhook defaulting from the quota");
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
        { name: "all rules", managerRules, leaderRules, certificateRules, injectorRules },
        { name: ruleName(finalizers), managerRules: without(managerRules, finalizers), leaderRules, certificateRules, injectorRules },
      ],
      { walkthrough: (o) => o.deployment, graceMs: 4000, timeoutMs: 30_000 },
    );
    assert.equal(full!.deployment, true);
    assert.equal(missing!.deployment, false, "without memcacheds/finalizers the Deployment (owner reference with blockOwnerDeletion) is refused");
    assert.match(missing!.log, /cannot set blockOwnerDeletion/);
  });
});
