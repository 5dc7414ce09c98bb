// The AppConfig operator against the shared `full` control plane (the
// controller-manager rolls Deployments, kwok runs their Pods). The operator
// runs in-process in a Manager; each test has its own namespace.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { ApiError, Client, type Stored } from "operant";
import { ConfigMap, Deployment, Event, Pod, ReplicaSet, Secret } from "operant/kinds";
import { CapturingLogger, eventually, testCluster, type TestCluster } from "operant/testing";
import { AppConfig } from "../src/api/appconfig.ts";
import { CONFIG_HASH, HASH_KEY_SECRET, HASHES, RESTARTED_AT, SETTLE_MS } from "../src/controllers/appconfig.ts";
import { combinedHash, parseRecord, secretHash } from "../src/controllers/content-hash.ts";
import operator from "../src/operator.ts";

const samples = fileURLToPath(new URL("../samples/", import.meta.url));
let cluster: TestCluster;
let client: Client;

before(async () => {
  cluster = await testCluster({ resources: operator.resources });
  client = cluster.client;
});
after(() => cluster.close());

/** A Deployment whose Pods read the ConfigMaps through envFrom and the Secrets as volumes. */
function app(ns: string, name: string, uses: { configMaps?: string[]; secrets?: string[] }): Deployment {
  return {
    metadata: { name, namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: "app", image: "busybox", envFrom: (uses.configMaps ?? []).map((n) => ({ configMapRef: { name: n } })) }],
          volumes: (uses.secrets ?? []).map((n, i) => ({ name: `s${i}`, secret: { secretName: n } })),
        },
      },
    },
  };
}

const getDeployment = (ns: string, name: string) => client.get(Deployment, { namespace: ns, name });

/**
 * How many times a Deployment was restarted: its ReplicaSets but the first
 * (each Pod-template change makes one). Not its generation: the API server
 * bumps that for annotation changes too, which roll nothing.
 */
async function restarts(ns: string, name: string): Promise<number> {
  const uid = (await getDeployment(ns, name)).metadata.uid;
  const sets = (await client.list(ReplicaSet, { namespace: ns })).items.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === uid));
  return sets.length - 1;
}

/** Waits until the Deployment's recorded hashes cover exactly `keys` (the operator has seen it). */
async function recorded(ns: string, name: string, keys: string[]): Promise<Stored<Deployment>> {
  return eventually(async () => {
    const d = await getDeployment(ns, name);
    assert.deepEqual(Object.keys(parseRecord(d.metadata.annotations?.[HASHES])).sort(), [...keys].sort());
    return d;
  }, { description: `${name} records ${keys.join(", ")}` });
}

/** Asserts that each Deployment reaches `expected` restarts and stays there past the settle delay. */
async function restartsSettleAt(ns: string, names: string[], expected: number): Promise<void> {
  await eventually(async () => {
    for (const n of names) assert.equal(await restarts(ns, n), expected, n);
  }, { timeoutMs: 20_000, description: `${names.join(", ")} restarted ${expected} time(s)` });
  await sleep(SETTLE_MS + 1_000);
  for (const n of names) assert.equal(await restarts(ns, n), expected, `${n}: no further restart`);
}

const condition = (ac: Stored<AppConfig>, type: string) => ac.status?.conditions?.find((c) => c.type === type);

describe("appconfig operator", { timeout: 180_000 }, () => {
  test("the seed's walkthrough: editing the ConfigMap restarts the sample app once, as kubectl rollout restart does", async (t) => {
    const ns = await cluster.namespace("appconfig");
    cluster.startOperator(operator, { namespace: ns, stopAfter: t });
    await cluster.kubectl("create", "-n", ns, "configmap", "node-app-config", "--from-literal=n_items=5000", "--from-literal=f_prob=0.03");
    await cluster.kubectl("create", "-n", ns, "secret", "generic", "node-app-secrets", "--from-literal=api_token=walkthrough-token");
    await cluster.kubectl("apply", "-n", ns, "-f", `${samples}appconfig.yaml`, "-f", `${samples}sample-node-app.yaml`);
    const before = await recorded(ns, "sample-node-api", ["ConfigMap/node-app-config", "Secret/node-app-secrets"]);
    assert.equal(before.spec?.template.metadata?.annotations, undefined, "recording the hashes leaves the Pod template alone");
    const firstPods = await eventually(async () => {
      const pods = (await client.list(Pod, { namespace: ns, labelSelector: { app: "node-api" } })).items;
      assert.equal(pods.length, 1);
      assert.equal(pods[0]?.status?.phase, "Running");
      return pods;
    });
    await eventually(async () => {
      const ac = await client.get(AppConfig, { namespace: ns, name: "node-app" });
      assert.deepEqual(ac.status?.deployments, [{ name: "sample-node-api", configMaps: ["node-app-config"], secrets: ["node-app-secrets"] }]);
      assert.equal(condition(ac, "Ready")?.status, "True");
      assert.equal(condition(ac, "MissingReferences")?.status, "False");
    });

    // `kubectl edit cm node-app-config`, adding a key.
    await cluster.kubectl("patch", "-n", ns, "configmap", "node-app-config", "--type=merge", "-p", '{"data":{"new_key":"new_value"}}');
    await restartsSettleAt(ns, ["sample-node-api"], 1);
    const d = await getDeployment(ns, "sample-node-api");
    const annotations = d.spec?.template.metadata?.annotations ?? {};
    assert.ok(!Number.isNaN(Date.parse(annotations[RESTARTED_AT] ?? "")), `${RESTARTED_AT} is a time`);
    const record = parseRecord(d.metadata.annotations?.[HASHES]);
    assert.notEqual(record["ConfigMap/node-app-config"], parseRecord(before.metadata.annotations?.[HASHES])["ConfigMap/node-app-config"]);
    assert.equal(annotations[CONFIG_HASH], combinedHash(record));
    // The rolling restart itself: a second ReplicaSet, and the Pod replaced.
    await eventually(async () => {
      const pods = (await client.list(Pod, { namespace: ns, labelSelector: { app: "node-api" } })).items;
      assert.equal(pods.length, 1);
      assert.notEqual(pods[0]?.metadata.name, firstPods[0]?.metadata.name);
      assert.equal(pods[0]?.status?.phase, "Running");
    }, { description: "the Pod was replaced" });
    await eventually(async () => {
      const ac = await client.get(AppConfig, { namespace: ns, name: "node-app" });
      assert.equal(ac.status?.deployments?.[0]?.lastRestartAt, annotations[RESTARTED_AT]);
      const events = (await client.list(Event, { namespace: ns })).items.filter((e) => e.reason === "RolloutRestarted");
      assert.equal(events.length, 1);
      assert.equal(events[0]?.note, "Restarted Deployment sample-node-api: ConfigMap/node-app-config changed");
    });
  });

  test("invalid AppConfigs are refused by the schema with the API server's message", async () => {
    const ns = await cluster.namespace("appconfig");
    const refused = async (spec: unknown, message: RegExp) => {
      await assert.rejects(client.create(AppConfig, { metadata: { name: "bad", namespace: ns }, spec } as AppConfig), (err: unknown) => {
        assert.ok(err instanceof ApiError, String(err));
        assert.equal(err.code, "Invalid");
        assert.match(err.message, message);
        return true;
      });
    };
    await refused({ configMaps: ["Node_App"] }, /spec\.configMaps\[0\]: Invalid value: "Node_App": spec\.configMaps\[0\] in body should match/);
    await refused({ configMaps: ["a", "a"] }, /spec\.configMaps\[1\]: Duplicate value: "a"/);
    await refused({ secrets: "node-app-secrets" }, /spec\.secrets: Invalid value: "string": spec\.secrets in body must be of type array/);
    await refused({}, /spec: Invalid value: list at least one ConfigMap or Secret to monitor/);
    await refused({ configMaps: Array.from({ length: 101 }, (_, i) => `cm-${i}`) }, /spec\.configMaps: Too many: 101: must have at most 100 items/);
  });

  test("monitored objects that do not exist are reported in MissingReferences, not a crash; once created, their hashes are recorded without a restart", async (t) => {
    const ns = await cluster.namespace("appconfig");
    cluster.startOperator(operator, { namespace: ns, stopAfter: t });
    await client.create(ConfigMap, { metadata: { name: "present", namespace: ns }, data: { a: "1" } });
    await client.create(Deployment, app(ns, "web", { configMaps: ["present", "absent"] }));
    await client.create(AppConfig, { metadata: { name: "ac", namespace: ns }, spec: { configMaps: ["present", "absent"], secrets: ["absent-secret"] } });
    await eventually(async () => {
      const ac = await client.get(AppConfig, { namespace: ns, name: "ac" });
      const missing = condition(ac, "MissingReferences");
      assert.equal(missing?.status, "True");
      assert.equal(missing?.reason, "NotFound");
      assert.equal(missing?.message, `not found in namespace ${ns}: ConfigMap/absent, Secret/absent-secret`);
      assert.equal(condition(ac, "Ready")?.status, "False");
      assert.deepEqual(ac.status?.deployments, [{ name: "web", configMaps: ["present", "absent"], secrets: [] }]);
    });
    assert.equal((await getDeployment(ns, "web")).metadata.annotations?.[HASHES], undefined, "a Deployment using a missing object is left alone");

    await client.patch(ConfigMap, { namespace: ns, name: "present" }, { data: { a: "2" } });
    await client.create(ConfigMap, { metadata: { name: "absent", namespace: ns }, data: { b: "1" } });
    await client.create(Secret, { metadata: { name: "absent-secret", namespace: ns }, stringData: { c: "1" } });
    await recorded(ns, "web", ["ConfigMap/present", "ConfigMap/absent"]);
    await eventually(async () => {
      const ac = await client.get(AppConfig, { namespace: ns, name: "ac" });
      assert.equal(condition(ac, "MissingReferences")?.status, "False");
      assert.equal(condition(ac, "Ready")?.status, "True");
    });
    await restartsSettleAt(ns, ["web"], 0);
  });

  test("no-op edits, label-only changes and a change reverted before it settles restart nothing; the next real change restarts once", async (t) => {
    const ns = await cluster.namespace("appconfig");
    cluster.startOperator(operator, { namespace: ns, stopAfter: t });
    await client.create(ConfigMap, { metadata: { name: "cfg", namespace: ns }, data: { a: "1", b: "2" } });
    await client.create(Deployment, app(ns, "web", { configMaps: ["cfg"] }));
    await client.create(AppConfig, { metadata: { name: "ac", namespace: ns }, spec: { configMaps: ["cfg"] } });
    await recorded(ns, "web", ["ConfigMap/cfg"]);

    const cm = await client.get(ConfigMap, { namespace: ns, name: "cfg" });
    await client.update(ConfigMap, { ...cm, data: { b: "2", a: "1" } }); // same data, other key order
    await client.patch(ConfigMap, { namespace: ns, name: "cfg" }, { metadata: { labels: { touched: "yes" }, annotations: { note: "x" } } });
    await client.patch(ConfigMap, { namespace: ns, name: "cfg" }, { data: { a: "changed" } });
    await client.patch(ConfigMap, { namespace: ns, name: "cfg" }, { data: { a: "1" } }); // reverted within the settle delay
    // An AppConfig change makes the operator compare every hash again.
    await client.patch(AppConfig, { namespace: ns, name: "ac" }, { spec: { secrets: ["later"] } });
    await eventually(async () => assert.equal((await client.get(AppConfig, { namespace: ns, name: "ac" })).status?.observedGeneration, 2));
    await restartsSettleAt(ns, ["web"], 0);

    await client.patch(ConfigMap, { namespace: ns, name: "cfg" }, { data: { a: "really changed" } });
    await restartsSettleAt(ns, ["web"], 1);
  });

  test("a Deployment using two objects that change together restarts once; others restart for what they use", async (t) => {
    const ns = await cluster.namespace("appconfig");
    cluster.startOperator(operator, { namespace: ns, stopAfter: t });
    await client.create(ConfigMap, { metadata: { name: "cfg", namespace: ns }, data: { a: "1" } });
    await client.create(Secret, { metadata: { name: "creds", namespace: ns }, stringData: { password: "one" } });
    await client.create(Deployment, app(ns, "both", { configMaps: ["cfg"], secrets: ["creds"] }));
    await client.create(Deployment, app(ns, "cm-only", { configMaps: ["cfg"] }));
    await client.create(Deployment, app(ns, "unrelated", {}));
    await client.create(AppConfig, { metadata: { name: "ac", namespace: ns }, spec: { configMaps: ["cfg"], secrets: ["creds"] } });
    const both = await recorded(ns, "both", ["ConfigMap/cfg", "Secret/creds"]);
    await recorded(ns, "cm-only", ["ConfigMap/cfg"]);

    // The Secret's hash is keyed with the namespace's key Secret (not with the public uid), which `view` cannot read.
    const keySecret = await client.get(Secret, { namespace: ns, name: HASH_KEY_SECRET });
    const creds = await client.get(Secret, { namespace: ns, name: "creds" });
    assert.equal(parseRecord(both.metadata.annotations?.[HASHES])["Secret/creds"], secretHash(creds, Buffer.from(keySecret.data!.key!, "base64")));
    const viewer = `viewer-${ns}`;
    await cluster.kubectl("-n", ns, "create", "rolebinding", "viewers", "--clusterrole=view", `--user=${viewer}`);
    const asViewer = await Client.connect({ kubeconfig: await cluster.controlPlane.userKubeconfig({ user: viewer }) });
    t.after(() => asViewer.close());
    const seen = await eventually(() => asViewer.get(Deployment, { namespace: ns, name: "both" }), { description: "view reads Deployments" });
    assert.ok(seen.metadata.annotations?.[HASHES], "view users see the recorded hashes");
    await assert.rejects(asViewer.get(Secret, { namespace: ns, name: HASH_KEY_SECRET }), (err: ApiError) => err.code === "Forbidden", "…but not the key");

    await client.patch(ConfigMap, { namespace: ns, name: "cfg" }, { data: { a: "2" } });
    await client.patch(Secret, { namespace: ns, name: "creds" }, { stringData: { password: "two" } });
    await restartsSettleAt(ns, ["both", "cm-only"], 1);
    assert.equal(await restarts(ns, "unrelated"), 0);
    const events = (await client.list(Event, { namespace: ns })).items.filter((e) => e.reason === "RolloutRestarted").map((e) => e.note).sort();
    assert.deepEqual(events, ["Restarted Deployment both: ConfigMap/cfg, Secret/creds changed", "Restarted Deployment cm-only: ConfigMap/cfg changed"]);
  });

  test("the operator stopped in the middle of restarting converges after a restart: exactly one restart per Deployment", async (t) => {
    const ns = await cluster.namespace("appconfig");
    const names = Array.from({ length: 8 }, (_, i) => `web-${i}`);
    await client.create(ConfigMap, { metadata: { name: "cfg", namespace: ns }, data: { a: "1" } });
    await Promise.all(names.map((n) => client.create(Deployment, app(ns, n, { configMaps: ["cfg"] }))));
    await client.create(AppConfig, { metadata: { name: "ac", namespace: ns }, spec: { configMaps: ["cfg"] } });
    const first = cluster.startOperator(operator, { namespace: ns, stopAfter: t });
    for (const n of names) await recorded(ns, n, ["ConfigMap/cfg"]);
    await first.stop();

    // A slow client (2 requests/s) so that the operator is stopped midway; a short drain aborts the reconcile.
    const slow = await Client.connect({ kubeconfig: cluster.kubeconfigPath, qps: 2, burst: 1 });
    t.after(() => slow.close());
    const second = cluster.startOperator(operator, { namespace: ns, stopAfter: t, client: slow, gracefulShutdownTimeout: "10ms" });
    await client.patch(ConfigMap, { namespace: ns, name: "cfg" }, { data: { a: "2" } });
    const restarted = async () => (await Promise.all(names.map((n) => getDeployment(ns, n)))).filter((d) => d.spec?.template.metadata?.annotations?.[RESTARTED_AT]).length;
    await eventually(async () => assert.ok((await restarted()) > 0), { timeoutMs: 20_000 });
    await second.stop();
    const midway = await restarted();
    assert.ok(midway < names.length, `stopped midway (${midway} of ${names.length} restarted)`);

    cluster.startOperator(operator, { namespace: ns, stopAfter: t });
    await restartsSettleAt(ns, names, 1);
  });

  test("a Secret's value never appears in the operator's logs, in events or in status", async (t) => {
    const ns = await cluster.namespace("appconfig");
    const lines: string[] = [];
    cluster.startOperator(operator, { namespace: ns, stopAfter: t, logger: new CapturingLogger(lines) });
    const before = "tr0ub4dor-before-change";
    const value = "correct-horse-battery-staple";
    await client.create(Secret, { metadata: { name: "creds", namespace: ns }, stringData: { password: before } });
    await client.create(Deployment, app(ns, "web", { secrets: ["creds"] }));
    await client.create(AppConfig, { metadata: { name: "ac", namespace: ns }, spec: { secrets: ["creds"] } });
    await recorded(ns, "web", ["Secret/creds"]);
    await client.patch(Secret, { namespace: ns, name: "creds" }, { stringData: { password: value } });
    await restartsSettleAt(ns, ["web"], 1);

    const ac = await client.get(AppConfig, { namespace: ns, name: "ac" });
    const events = (await client.list(Event, { namespace: ns })).items;
    const d = await getDeployment(ns, "web");
    assert.ok(lines.some((l) => l.includes('"msg":"restarted deployment"') && l.includes("Secret/creds")), "the restart was logged");
    assert.ok(events.some((e) => e.reason === "RolloutRestarted"));
    const haystacks = { logs: lines.join("\n"), events: JSON.stringify(events), status: JSON.stringify(ac), deployment: JSON.stringify(d) };
    for (const secret of [value, before]) {
      for (const form of [secret, Buffer.from(secret).toString("base64")]) {
        for (const [where, text] of Object.entries(haystacks)) assert.ok(!text.includes(form), `${where} contain ${form}`);
      }
    }
  });
});
