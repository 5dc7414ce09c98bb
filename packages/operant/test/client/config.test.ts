// Cluster configs loaded by operant, used for real HTTPS requests (undici)
// against the shared local control plane.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Agent, request } from "undici";
import { parse, stringify } from "yaml";
import { clusterConfigFromKubeconfig, loadClusterConfig, type ClusterConfig } from "../../src/client/config/index.ts";
import { ControlPlane } from "../../src/testing/index.ts";
import { kubectlOk } from "../support/kubectl.ts";

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** One request with the config's TLS settings and credentials, the way a transport would make it. */
async function call(config: ClusterConfig, method: string, path: string, body?: unknown): Promise<Reply> {
  const creds = await config.credentials.get();
  const cert = creds.cert ?? config.tls.cert;
  const key = creds.key ?? config.tls.key;
  const agent = new Agent({
    connect: {
      ...(config.tls.ca && { ca: config.tls.ca }),
      ...(cert && key && { cert, key }),
      ...(config.tls.serverName && { servername: config.tls.serverName }),
      rejectUnauthorized: !config.tls.insecureSkipVerify,
    },
  });
  try {
    const res = await request(config.server + path, {
      method: method as "GET" | "POST",
      dispatcher: agent,
      headers: { accept: "application/json", ...(creds.authorization && { authorization: creds.authorization }), ...(body !== undefined && { "content-type": "application/json" }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  } finally {
    await agent.close();
  }
}

async function whoami(config: ClusterConfig): Promise<string | undefined> {
  const r = await call(config, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return (r.body.status as { userInfo?: { username?: string } } | undefined)?.userInfo?.username;
}

let cp: ControlPlane;
let ns: string;
let sa: string;
let saToken: string;
let dir: string;

before(async () => {
  cp = await ControlPlane.shared();
  ns = `config-${randomBytes(3).toString("hex")}`;
  sa = "reader";
  await kubectlOk(cp.kubeconfigPath, ["create", "namespace", ns]);
  await kubectlOk(cp.kubeconfigPath, ["-n", ns, "create", "serviceaccount", sa]);
  const saKubeconfig = parse(await readFile(await cp.serviceAccountKubeconfig({ namespace: ns, name: sa }), "utf8")) as { users: { user: { token: string } }[] };
  saToken = saKubeconfig.users[0]!.user.token;
  dir = await mkdtemp(join(tmpdir(), "operant-config-it-"));
});
after(async () => {
  await kubectlOk(cp.kubeconfigPath, ["delete", "namespace", ns, "--wait=false"]);
  await rm(dir, { recursive: true, force: true });
});

describe("cluster config against a real API server", () => {
  test("admin kubeconfig: verified TLS and a client certificate; GET /api and /apis answer 200", async () => {
    const config = await loadClusterConfig({ kubeconfig: cp.kubeconfigPath, env: {} });
    assert.equal(config.server, cp.server.replace(/\/$/, ""));
    assert.ok(config.tls.ca && config.tls.cert && config.tls.key);
    const api = await call(config, "GET", "/api");
    assert.equal(api.status, 200);
    assert.equal(api.body.kind, "APIVersions");
    const apis = await call(config, "GET", "/apis");
    assert.equal(apis.status, 200);
    assert.equal(apis.body.kind, "APIGroupList");
    assert.equal(await whoami(config), "admin");
  });

  test("user kubeconfig: authenticated as that user, and forbidden (403) to list pods", async () => {
    const user = `cfg-${randomBytes(3).toString("hex")}`;
    const config = await loadClusterConfig({ kubeconfig: await cp.userKubeconfig({ user }), env: {} });
    assert.equal(await whoami(config), user);
    const pods = await call(config, "GET", `/api/v1/namespaces/${ns}/pods`);
    assert.equal(pods.status, 403);
    assert.equal(pods.body.reason, "Forbidden");
    assert.match(String(pods.body.message), new RegExp(`User "${user}" cannot list resource "pods"`));
  });

  test("ServiceAccount token kubeconfig: whoami is the ServiceAccount, namespace from the context", async () => {
    const config = await loadClusterConfig({ kubeconfig: await cp.serviceAccountKubeconfig({ namespace: ns, name: sa }), env: {} });
    assert.equal(config.namespace, ns);
    assert.equal(await whoami(config), `system:serviceaccount:${ns}:${sa}`);
  });

  test("tls-server-name is what the server certificate is checked against", async () => {
    const doc = parse(await readFile(cp.kubeconfigPath, "utf8")) as { clusters: { cluster: Record<string, unknown> }[] };
    const withName = (name: string) => {
      const copy = structuredClone(doc);
      copy.clusters[0]!.cluster["tls-server-name"] = name;
      return clusterConfigFromKubeconfig(copy);
    };
    assert.equal((await call(await withName("localhost"), "GET", "/api")).status, 200);
    await assert.rejects(call(await withName("not-in-the-certificate.example"), "GET", "/api"), (err: Error & { code?: string }) => err.code === "ERR_TLS_CERT_ALTNAME_INVALID");
  });

  test("in-cluster config: a rotated token file is used after invalidate()", async () => {
    const saDir = join(dir, "serviceaccount");
    await mkdir(saDir);
    await writeFile(join(saDir, "ca.crt"), (await loadClusterConfig({ kubeconfig: cp.kubeconfigPath, env: {} })).tls.ca!);
    await writeFile(join(saDir, "namespace"), ns);
    await writeFile(join(saDir, "token"), "not-a-valid-token");
    const url = new URL(cp.server);
    const config = await loadClusterConfig({ inCluster: "only", serviceAccountDir: saDir, env: { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port } });
    assert.equal(config.namespace, ns);
    assert.equal((await call(config, "GET", "/api")).status, 401);
    await writeFile(join(saDir, "token"), `${saToken}\n`); // the kubelet rotates the token
    config.credentials.invalidate(); // what the transport does after a 401
    assert.equal(await whoami(config), `system:serviceaccount:${ns}:${sa}`);
  });

  test("exec plugin: the token it prints authenticates", async () => {
    const plugin = join(dir, "plugin.mjs");
    await writeFile(plugin, `process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: process.env.SA_TOKEN } }));`);
    const doc = parse(await readFile(cp.kubeconfigPath, "utf8")) as { users: { user: Record<string, unknown> }[] };
    doc.users[0]!.user = { exec: { apiVersion: "client.authentication.k8s.io/v1", command: process.execPath, args: [plugin], env: [{ name: "SA_TOKEN", value: saToken }], interactiveMode: "Never" } };
    const path = join(dir, "exec.kubeconfig");
    await writeFile(path, stringify(doc));
    const config = await loadClusterConfig({ kubeconfig: path, env: {} });
    assert.equal(config.tls.cert, undefined);
    assert.equal(await whoami(config), `system:serviceaccount:${ns}:${sa}`);
  });
});
