// The local control plane, checked with kubectl as an independent client.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { ControlPlane, eventually } from "../../src/testing/index.ts";
import { isOperantError } from "../../src/core/errors.ts";
// isAlive as stop() means it: a zombie (exited, not yet reaped by this process, its parent) answers
// signal 0 until the event loop's next turn reaps it, but is gone (a run under load saw one right after stop()).
import { isAlive } from "../../src/testing/control-plane/component.ts";
import { kubectl, kubectlJson, kubectlOk } from "../support/kubectl.ts";
import { processesMentioning } from "../support/processes.ts";


interface List<T> {
  items: T[];
}
interface Pod {
  metadata: { name: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

async function namespace(kubeconfig: string): Promise<string> {
  const ns = `cp-${randomBytes(3).toString("hex")}`;
  await kubectlOk(kubeconfig, ["create", "namespace", ns]);
  return ns;
}

describe("full profile (shared control plane)", () => {
  test("every Node is Ready", async () => {
    const cp = await ControlPlane.shared();
    const nodes = await kubectlJson<List<Pod>>(cp.kubeconfigPath, ["nodes"]);
    assert.ok(nodes.items.length >= 1);
    for (const n of nodes.items) assert.ok(n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"), `${n.metadata.name} not Ready`);
  });

  test("a 3-replica Deployment gets 3 Running, Ready Pods", async () => {
    const cp = await ControlPlane.shared();
    const kc = cp.kubeconfigPath;
    const ns = await namespace(kc);
    await kubectlOk(kc, ["-n", ns, "create", "deployment", "web", "--image=nginx:1.27", "--replicas=3"]);
    await eventually(
      async () => {
        const pods = await kubectlJson<List<Pod>>(kc, ["-n", ns, "pods", "-l", "app=web"]);
        const running = pods.items.filter((p) => p.status?.phase === "Running" && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
        assert.equal(running.length, 3, `running: ${running.length}/${pods.items.length}`);
      },
      { timeoutMs: 30_000, description: "3 Running Pods" },
    );
    await eventually(async () => assert.equal((await kubectlJson<{ status: { readyReplicas?: number } }>(kc, ["-n", ns, "deployment", "web"])).status.readyReplicas, 3));
  });

  test("a ConfigMap owned by a Pod is garbage-collected after the Pod is deleted", async () => {
    const cp = await ControlPlane.shared();
    const kc = cp.kubeconfigPath;
    const ns = await namespace(kc);
    await kubectlOk(kc, ["-n", ns, "run", "owner", "--image=busybox", "--restart=Never"]);
    const pod = await kubectlJson<{ metadata: { uid: string } }>(kc, ["-n", ns, "pod", "owner"]);
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "lock", namespace: ns, ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "owner", uid: pod.metadata.uid }] },
      data: { holder: "owner" },
    };
    await kubectlOk(kc, ["apply", "-f", "-"], JSON.stringify(cm));
    await kubectlOk(kc, ["-n", ns, "delete", "pod", "owner", "--wait=false"]);
    await eventually(async () => {
      const r = await kubectl(kc, ["-n", ns, "get", "configmap", "lock"]);
      assert.equal(r.code, 1, "ConfigMap still exists");
      assert.match(r.stderr, /NotFound/);
    }, { timeoutMs: 30_000, description: "ConfigMap garbage-collected" });
  });

  test("a CRD is served and its OpenAPI schema rejects an invalid object", async () => {
    const cp = await ControlPlane.shared();
    const kc = cp.kubeconfigPath;
    const group = `g${randomBytes(3).toString("hex")}.example.com`;
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", required: ["size"], properties: { size: { type: "integer", minimum: 1 } } } } } },
          },
        ],
      },
    };
    await kubectlOk(kc, ["apply", "-f", "-"], JSON.stringify(crd));
    await kubectlOk(kc, ["wait", "--for=condition=Established", `crd/widgets.${group}`, "--timeout=30s"]);
    const widget = (size: unknown) => JSON.stringify({ apiVersion: `${group}/v1`, kind: "Widget", metadata: { name: "w", namespace: "default" }, spec: { size } });
    await eventually(() => kubectlOk(kc, ["apply", "-f", "-"], widget(2)), { timeoutMs: 15_000 });
    const bad = await kubectl(kc, ["apply", "-f", "-"], widget(0));
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.size: Invalid value: 0: spec\.size in body should be greater than or equal to 1/);
    const wrongType = await kubectl(kc, ["apply", "-f", "-"], widget("three"));
    assert.notEqual(wrongType.code, 0);
    assert.match(wrongType.stderr, /spec\.size: Invalid value: "string": spec\.size in body must be of type integer/);
    await kubectlOk(kc, ["delete", "crd", `widgets.${group}`]);
  });

  test("deleting a namespace with Pods and ConfigMaps completes", async () => {
    const cp = await ControlPlane.shared();
    const kc = cp.kubeconfigPath;
    const ns = await namespace(kc);
    await kubectlOk(kc, ["-n", ns, "create", "deployment", "app", "--image=nginx", "--replicas=2"]);
    await kubectlOk(kc, ["-n", ns, "create", "configmap", "c", "--from-literal=a=b"]);
    await eventually(async () => assert.equal((await kubectlJson<List<Pod>>(kc, ["-n", ns, "pods"])).items.length, 2));
    await kubectlOk(kc, ["delete", "namespace", ns, "--wait=false"]);
    await eventually(async () => assert.equal((await kubectl(kc, ["get", "namespace", ns])).code, 1, "namespace still exists"), { timeoutMs: 60_000, description: "namespace deleted" });
  });

  test("a user without RBAC permissions is forbidden; granting a Role allows exactly that", async () => {
    const cp = await ControlPlane.shared();
    const ns = await namespace(cp.kubeconfigPath);
    const alice = await cp.userKubeconfig({ user: `alice-${ns}`, groups: ["developers"] });
    const denied = await kubectl(alice, ["-n", ns, "get", "configmaps"]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, new RegExp(`Forbidden.*User "alice-${ns}" cannot list resource "configmaps"`));
    await kubectlOk(cp.kubeconfigPath, ["-n", ns, "create", "role", "cm-reader", "--verb=get,list", "--resource=configmaps"]);
    await kubectlOk(cp.kubeconfigPath, ["-n", ns, "create", "rolebinding", "alice", "--role=cm-reader", `--user=alice-${ns}`]);
    await eventually(() => kubectlOk(alice, ["-n", ns, "get", "configmaps"]), { timeoutMs: 10_000 });
    const stillDenied = await kubectl(alice, ["-n", ns, "delete", "configmap", "kube-root-ca.crt"]);
    assert.match(stillDenied.stderr, /Forbidden.*cannot delete resource "configmaps"/);
  });

  test("the Service range holds more than a /24: 300 Services each get their own cluster IP in 10.0.0.0/16", { timeout: 120_000 }, async () => {
    const cp = await ControlPlane.shared();
    const kc = cp.kubeconfigPath;
    const ns = await namespace(kc);
    const items = Array.from({ length: 300 }, (_, i) => ({ apiVersion: "v1", kind: "Service", metadata: { name: `svc-${i}`, namespace: ns }, spec: { selector: { app: `a${i}` }, ports: [{ port: 80 }] } }));
    await kubectlOk(kc, ["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items }));
    const services = await kubectlJson<{ items: { spec: { clusterIP?: string } }[] }>(kc, ["-n", ns, "services"]);
    const ips = services.items.map((s) => s.spec.clusterIP ?? "");
    assert.equal(ips.length, 300);
    assert.equal(new Set(ips).size, 300, "every cluster IP is distinct");
    for (const ip of ips) assert.match(ip, /^10\.0\.\d{1,3}\.\d{1,3}$/);
    assert.ok(ips.some((ip) => !ip.startsWith("10.0.0.")), "IPs beyond the first /24 are used");
    await kubectlOk(kc, ["delete", "namespace", ns, "--wait=false"]);
  });

  test("a ServiceAccount kubeconfig authenticates with a TokenRequest token", async () => {
    const cp = await ControlPlane.shared();
    const ns = await namespace(cp.kubeconfigPath);
    await kubectlOk(cp.kubeconfigPath, ["-n", ns, "create", "serviceaccount", "robot"]);
    const robot = await cp.serviceAccountKubeconfig({ namespace: ns, name: "robot" });
    const who = await kubectlOk(robot, ["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
    assert.equal(who, `system:serviceaccount:${ns}:robot`);
    assert.equal((await kubectl(robot, ["-n", ns, "get", "pods"])).code, 1);
  });
});

describe("lifecycle (own control planes)", () => {
  test("minimal profile: stop() leaves no process and no directory", async () => {
    const cp = await ControlPlane.start({ profile: "minimal" });
    const pids = cp.components().map((c) => c.pid);
    assert.deepEqual(cp.components().map((c) => c.name), ["etcd", "kube-apiserver"]);
    assert.ok(pids.every(isAlive));
    assert.equal((await kubectl(cp.kubeconfigPath, ["get", "--raw", "/readyz"])).stdout, "ok");
    await cp.stop();
    assert.ok(pids.every((p) => !isAlive(p)), "a component survived stop()");
    assert.equal(existsSync(cp.dir), false);
  });

  test("the API server restarts alone and etcd keeps the data", async (t) => {
    const cp = await ControlPlane.start({ profile: "minimal" });
    t.after(() => cp.stop());
    const etcdPid = cp.components().find((c) => c.name === "etcd")!.pid;
    await kubectlOk(cp.kubeconfigPath, ["create", "configmap", "survivor", "--from-literal=k=v"]);
    await cp.stopApiServer();
    assert.equal(await cp.ready(), false);
    assert.notEqual((await kubectl(cp.kubeconfigPath, ["get", "configmap", "survivor", "--request-timeout=2s"])).code, 0);
    await cp.startApiServer();
    assert.equal(await cp.ready(), true);
    assert.match(await kubectlOk(cp.kubeconfigPath, ["get", "configmap", "survivor", "-o", "jsonpath={.data.k}"]), /^v$/);
    assert.equal(cp.components().find((c) => c.name === "etcd")!.pid, etcdPid);
  });

  test("a crashed parent (SIGKILL) leaks no process and no directory", async () => {
    // A child process starts a control plane, reports it, then is killed without any chance to clean up.
    const script = `
      import { ControlPlane } from ${JSON.stringify(new URL("../../src/testing/index.ts", import.meta.url).href)};
      const cp = await ControlPlane.start({ profile: "minimal" });
      process.stdout.write(JSON.stringify({ dir: cp.dir, pids: cp.components().map((c) => c.pid) }) + "\\n");
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve) => child.stdout.once("data", (d: Buffer) => resolve(d.toString())));
    const { dir, pids } = JSON.parse(line) as { dir: string; pids: number[] };
    assert.ok(pids.every(isAlive));
    child.kill("SIGKILL");
    await eventually(() => assert.ok(pids.every((p) => !isAlive(p)), "components still alive"), { timeoutMs: 15_000 });
    await eventually(() => assert.equal(existsSync(dir), false, "directory still there"), { timeoutMs: 15_000 });
  });

  test("a component that fails to start is named, with the tail of its log, and nothing is left running", async () => {
    const dir = await mkdtemp(join(tmpdir(), "operant-fail-"));
    await assert.rejects(ControlPlane.start({ profile: "minimal", dir, apiServerFlags: ["--no-such-flag=1"] }), (err: unknown) => {
      assert.ok(isOperantError(err, "ControlPlaneComponentExited"));
      assert.match(err.message, /kube-apiserver exited/);
      assert.match(err.message, /unknown flag: --no-such-flag/);
      return true;
    });
    assert.deepEqual(await processesMentioning(dir), []);
    assert.equal(existsSync(dir), false);
  });
});
