import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { isOperantError } from "../../core/errors.ts";
import { loadClusterConfig } from "./load.ts";
import { clusterConfigFromKubeconfig } from "./resolve.ts";

const pem = (label: string, kind = "CERTIFICATE") => `-----BEGIN ${kind}-----\n${Buffer.from(label).toString("base64")}\n-----END ${kind}-----\n`;
const b64 = (s: string) => Buffer.from(s).toString("base64");

/** A one-context kubeconfig document. */
function single(server: string, user: Record<string, unknown> = { token: "t" }, extra: { cluster?: Record<string, unknown>; namespace?: string; name?: string } = {}) {
  const name = extra.name ?? "main";
  return {
    apiVersion: "v1",
    kind: "Config",
    "current-context": name,
    clusters: [{ name, cluster: { server, ...extra.cluster } }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name, ...(extra.namespace && { namespace: extra.namespace }) } }],
  };
}

let root: string;
async function write(rel: string, content: string | object): Promise<string> {
  const path = join(root, rel);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, typeof content === "string" ? content : stringify(content));
  return path;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), "operant-kubeconfig-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("where the kubeconfig comes from", () => {
  test("an explicit path beats KUBECONFIG, which beats ~/.kube/config", async () => {
    const explicit = await write("prec/explicit.yaml", single("https://explicit:6443"));
    const listed = await write("prec/listed.yaml", single("https://listed:6443"));
    await write("prec/home/.kube/config", single("https://home:6443"));
    const env = { KUBECONFIG: listed, HOME: join(root, "prec/home") };

    const a = await loadClusterConfig({ kubeconfig: explicit, env });
    assert.equal(a.server, "https://explicit:6443");
    assert.equal(a.source, `kubeconfig ${explicit}, context main`);
    const b = await loadClusterConfig({ env });
    assert.equal(b.server, "https://listed:6443");
    assert.equal(b.source, `kubeconfig ${listed} (KUBECONFIG), context main`);
    const c = await loadClusterConfig({ env: { HOME: env.HOME } });
    assert.equal(c.server, "https://home:6443");
    assert.equal(c.source, `kubeconfig ${join(env.HOME, ".kube/config")}, context main`);
  });

  test("a KUBECONFIG list merges: first file to define a name wins, current-context from the first file that sets it, missing files skipped", async () => {
    const first = await write("merge/first.yaml", {
      clusters: [{ name: "shared", cluster: { server: "https://first:6443" } }],
      users: [{ name: "me", user: { token: "first-token" } }],
      contexts: [{ name: "work", context: { cluster: "shared", user: "me", namespace: "first-ns" } }],
    });
    const second = await write("merge/second.yaml", {
      "current-context": "work",
      clusters: [{ name: "shared", cluster: { server: "https://second:6443" } }],
      users: [{ name: "me", user: { token: "second-token" } }],
      contexts: [
        { name: "work", context: { cluster: "shared", user: "me", namespace: "second-ns" } },
        { name: "other", context: { cluster: "shared" } },
      ],
    });
    const third = await write("merge/third.yaml", { "current-context": "other" });
    const missing = join(root, "merge/missing.yaml");
    const config = await loadClusterConfig({ env: { KUBECONFIG: [missing, first, "", second, third, first].join(delimiter) }, inCluster: "never" });
    assert.equal(config.server, "https://first:6443");
    assert.equal(config.namespace, "first-ns");
    assert.equal(config.contextName, "work");
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer first-token" });
    assert.equal(config.source, `kubeconfig ${first}, ${second}, ${third} (KUBECONFIG), context work`);
    // A context only the second file defines is still reachable.
    const other = await loadClusterConfig({ env: { KUBECONFIG: [first, second].join(delimiter) }, context: "other" });
    assert.equal(other.contextName, "other");
    assert.equal(other.namespace, "default");
    assert.deepEqual(await other.credentials.get(), {}, "a context without a user is anonymous");
  });

  test("nothing found: the error lists what was tried and how to get a cluster", async () => {
    const home = join(root, "nothing/home");
    await mkdir(home, { recursive: true });
    await assert.rejects(loadClusterConfig({ env: { HOME: home } }), (err) => {
      assert.ok(isOperantError(err, "KubeconfigNotFound"));
      assert.match(err.message, new RegExp(`${join(home, ".kube/config")} \\(does not exist\\)`));
      assert.match(err.message, /KUBECONFIG is not set/);
      assert.match(err.message, /KUBERNETES_SERVICE_HOST is not set/);
      assert.match(err.message, /operant cluster up/);
      assert.match(err.message, /KUBECONFIG or --kubeconfig/);
      return true;
    });
    const list = [join(root, "nothing/a"), join(root, "nothing/b")].join(delimiter);
    await assert.rejects(loadClusterConfig({ env: { KUBECONFIG: list, HOME: home } }), (err) => {
      assert.ok(isOperantError(err, "KubeconfigNotFound"));
      assert.ok(err.message.includes(`KUBECONFIG=${list} (none of these files exists)`), err.message);
      return true;
    });
    const explicit = join(root, "nothing/explicit.yaml");
    await assert.rejects(loadClusterConfig({ kubeconfig: explicit, env: {} }), (err) => isOperantError(err, "KubeconfigNotFound") && err.message.includes(explicit));
  });

  test("a kubeconfig that is a directory is reported as unreadable", async () => {
    const dir = join(root, "unreadable/config-dir");
    await mkdir(dir, { recursive: true });
    await assert.rejects(loadClusterConfig({ kubeconfig: dir, env: {} }), (err) => isOperantError(err, "KubeconfigUnreadable") && err.message.includes(`${dir} is a directory`));
  });

  test("in-cluster config when no kubeconfig is found (auto), never with inCluster: never, always with only", async () => {
    const sa = join(root, "auto/sa");
    await write("auto/sa/token", "sa-token\n");
    await write("auto/sa/ca.crt", pem("cluster-ca"));
    await write("auto/sa/namespace", "operators");
    const kubeconfig = await write("auto/kubeconfig", single("https://from-file:6443"));
    const env = { HOME: join(root, "auto/empty-home"), KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };

    const auto = await loadClusterConfig({ env, serviceAccountDir: sa });
    assert.equal(auto.server, "https://10.96.0.1:443");
    assert.equal(auto.namespace, "operators");
    assert.deepEqual(await auto.credentials.get(), { authorization: "Bearer sa-token" });
    await assert.rejects(loadClusterConfig({ env, serviceAccountDir: sa, inCluster: "never" }), (err) => isOperantError(err, "KubeconfigNotFound"));
    await assert.rejects(loadClusterConfig({ env, serviceAccountDir: sa, context: "x" }), (err) => isOperantError(err, "KubeconfigNotFound") && /context was asked for/.test(err.message));
    const only = await loadClusterConfig({ env: { ...env, KUBECONFIG: kubeconfig }, serviceAccountDir: sa, inCluster: "only" });
    assert.equal(only.server, "https://10.96.0.1:443");
    const file = await loadClusterConfig({ env: { ...env, KUBECONFIG: kubeconfig }, serviceAccountDir: sa });
    assert.equal(file.server, "https://from-file:6443", "a kubeconfig beats in-cluster in auto mode");
  });
});

describe("contexts", () => {
  const doc = {
    "current-context": "dev",
    clusters: [
      { name: "dev-cluster", cluster: { server: "https://dev:6443" } },
      { name: "prod-cluster", cluster: { server: "https://prod:6443/" } },
    ],
    users: [{ name: "dev-user", user: { token: "dev" } }],
    contexts: [
      { name: "dev", context: { cluster: "dev-cluster", user: "dev-user", namespace: "team-a" } },
      { name: "prod", context: { cluster: "prod-cluster", user: "dev-user" } },
      { name: "broken-cluster", context: { cluster: "gone", user: "dev-user" } },
      { name: "broken-user", context: { cluster: "dev-cluster", user: "ghost" } },
    ],
  };

  test("the current context by default, a named one when asked", async () => {
    const dev = await clusterConfigFromKubeconfig(doc, { path: "/k" });
    assert.equal(dev.contextName, "dev");
    assert.equal(dev.server, "https://dev:6443");
    assert.equal(dev.namespace, "team-a");
    const prod = await clusterConfigFromKubeconfig(doc, { path: "/k", context: "prod" });
    assert.equal(prod.server, "https://prod:6443", "no trailing slash");
    assert.equal(prod.namespace, "default");
    assert.equal(prod.source, "kubeconfig /k, context prod");
  });

  test("an unknown context lists the available ones", async () => {
    await assert.rejects(clusterConfigFromKubeconfig(doc, { path: "/k", context: "staging" }), (err) => {
      assert.ok(isOperantError(err, "KubeconfigContextNotFound"));
      assert.match(err.message, /context "staging" is not defined in \/k/);
      assert.match(err.message, /Available contexts: dev, prod, broken-cluster, broken-user\./);
      return true;
    });
    await assert.rejects(clusterConfigFromKubeconfig({ ...doc, "current-context": "old" }, { path: "/k" }), (err) => isOperantError(err, "KubeconfigContextNotFound") && /"old" \(it is the current-context\)/.test(err.message));
    await assert.rejects(clusterConfigFromKubeconfig({ ...doc, "current-context": undefined }, { path: "/k" }), (err) => isOperantError(err, "KubeconfigContextNotFound") && /sets no current-context/.test(err.message) && /use-context/.test(err.message));
  });

  test("a context whose cluster or user is not defined", async () => {
    await assert.rejects(clusterConfigFromKubeconfig(doc, { path: "/k", context: "broken-cluster" }), (err) => isOperantError(err, "KubeconfigClusterNotFound") && /cluster "gone".*Defined clusters: dev-cluster, prod-cluster/.test(err.message));
    await assert.rejects(clusterConfigFromKubeconfig(doc, { path: "/k", context: "broken-user" }), (err) => isOperantError(err, "KubeconfigUserNotFound") && /user "ghost".*Defined users: dev-user/.test(err.message));
  });
});

describe("cluster and TLS settings", () => {
  test("insecure-skip-tls-verify, tls-server-name and proxy-url", async () => {
    const config = await clusterConfigFromKubeconfig(single("https://10.0.0.1:6443", {}, { cluster: { "insecure-skip-tls-verify": true, "tls-server-name": "kubernetes.default", "proxy-url": "socks5://proxy:1080" } }));
    assert.deepEqual(config.tls, { insecureSkipVerify: true, serverName: "kubernetes.default" });
    assert.equal(config.proxyUrl, "socks5://proxy:1080");
    const plain = await clusterConfigFromKubeconfig(single("https://10.0.0.1:6443", {}));
    assert.deepEqual(plain.tls, {});
    assert.equal("proxyUrl" in plain, false);
  });

  test("a CA together with insecure-skip-tls-verify is refused, as kubectl refuses it", async () => {
    for (const cluster of [{ "certificate-authority-data": b64(pem("ca")) }, { "certificate-authority": await write("insecure/ca.crt", pem("ca")) }]) {
      await assert.rejects(
        clusterConfigFromKubeconfig(single("https://10.0.0.1:6443", {}, { cluster: { ...cluster, "insecure-skip-tls-verify": true } }), { path: "/k" }),
        (err) =>
          isOperantError(err, "KubeconfigInvalid") &&
          /\/k: cluster "main" sets both a certificate-authority and insecure-skip-tls-verify: true/.test(err.message) &&
          /Remove insecure-skip-tls-verify to verify the server with the CA/.test(err.message),
      );
    }
    // Either one alone is fine.
    const insecure = await clusterConfigFromKubeconfig(single("https://10.0.0.1:6443", {}, { cluster: { "insecure-skip-tls-verify": true } }));
    assert.deepEqual(insecure.tls, { insecureSkipVerify: true });
    const verified = await clusterConfigFromKubeconfig(single("https://10.0.0.1:6443", {}, { cluster: { "certificate-authority-data": b64(pem("ca")), "insecure-skip-tls-verify": false } }));
    assert.deepEqual(verified.tls, { ca: pem("ca") });
  });

  test("HTTPS_PROXY / NO_PROXY from the given environment, as kubectl; the kubeconfig's proxy-url wins", async () => {
    const path = await write("proxy/config", single("https://api.corp.example:6443", {}));
    const proxied = await loadClusterConfig({ kubeconfig: path, env: { HTTPS_PROXY: "proxy.corp:3128" } });
    assert.equal(proxied.proxyUrl, "http://proxy.corp:3128");
    assert.equal(proxied.source, `kubeconfig ${path}, context main, proxy from HTTPS_PROXY`);
    const lower = await loadClusterConfig({ kubeconfig: path, env: { https_proxy: "socks5://s:1080" } });
    assert.equal(lower.proxyUrl, "socks5://s:1080");
    const exempt = await loadClusterConfig({ kubeconfig: path, env: { HTTPS_PROXY: "proxy.corp:3128", NO_PROXY: "localhost,.corp.example" } });
    assert.equal("proxyUrl" in exempt, false);
    const http = await loadClusterConfig({ kubeconfig: path, env: { HTTP_PROXY: "proxy.corp:3128" } });
    assert.equal("proxyUrl" in http, false, "HTTP_PROXY is not used for an https server");
    const own = await write("proxy/own", single("https://api.corp.example:6443", {}, { cluster: { "proxy-url": "socks5://mine:1080" } }));
    assert.equal((await loadClusterConfig({ kubeconfig: own, env: { HTTPS_PROXY: "proxy.corp:3128" } })).proxyUrl, "socks5://mine:1080");
    const local = await write("proxy/local", single("https://127.0.0.1:6443", {}));
    assert.equal("proxyUrl" in (await loadClusterConfig({ kubeconfig: local, env: { HTTPS_PROXY: "proxy.corp:3128" } })), false, "never for loopback");
    await assert.rejects(loadClusterConfig({ kubeconfig: path, env: { HTTPS_PROXY: "http://[bad" } }), (err) => isOperantError(err, "KubeconfigInvalid") && /HTTPS_PROXY="http:\/\/\[bad" is not a URL/.test(err.message));
    // Not read from the environment by the functions that take a kubeconfig directly.
    assert.equal("proxyUrl" in (await clusterConfigFromKubeconfig(single("https://api.corp.example:6443", {}))), false);
  });

  test("server URLs are normalised: scheme added, trailing slash dropped, path prefix kept", async () => {
    const cases: [string, string][] = [
      ["https://k8s.example.com:443/", "https://k8s.example.com"],
      ["10.0.0.1:6443", "https://10.0.0.1:6443"],
      ["https://rancher.example/k8s/clusters/c-1/", "https://rancher.example/k8s/clusters/c-1"],
      ["https://[::1]:6443", "https://[::1]:6443"],
    ];
    for (const [server, want] of cases) assert.equal((await clusterConfigFromKubeconfig(single(server, {}))).server, want);
    await assert.rejects(clusterConfigFromKubeconfig(single("ftp://x", {}), { path: "/k" }), (err) => isOperantError(err, "KubeconfigInvalid") && /must be an http\(s\) URL/.test(err.message));
    await assert.rejects(clusterConfigFromKubeconfig({ ...single("", {}) }, { path: "/k" }), (err) => isOperantError(err, "KubeconfigInvalid") && /cluster "main" has no server/.test(err.message));
  });

  test("relative file paths resolve against the kubeconfig's directory, not the working directory", async () => {
    await write("rel/certs/ca.crt", pem("rel-ca"));
    await write("rel/kube/client.crt", pem("rel-cert"));
    await write("rel/kube/keys/client.key", pem("rel-key", "PRIVATE KEY"));
    await write("rel/kube/token", "  rel-token\n");
    const path = await write(
      "rel/kube/config",
      single("https://x:6443", { "client-certificate": "client.crt", "client-key": "keys/client.key", tokenFile: "./token" }, { cluster: { "certificate-authority": "../certs/ca.crt" } }),
    );
    assert.notEqual(process.cwd(), dirname(path));
    const config = await loadClusterConfig({ kubeconfig: path, env: {} });
    assert.deepEqual(config.tls, { ca: pem("rel-ca"), cert: pem("rel-cert"), key: pem("rel-key", "PRIVATE KEY") });
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer rel-token" });
  });

  test("-data fields win over files; either must hold PEM", async () => {
    const caFile = await write("data/ca.crt", pem("file-ca"));
    const both = await clusterConfigFromKubeconfig(
      single("https://x", { "client-certificate-data": b64(pem("data-cert")), "client-key-data": b64(pem("data-key", "EC PRIVATE KEY")), "client-certificate": "/nonexistent.crt" }, { cluster: { "certificate-authority": caFile, "certificate-authority-data": b64(pem("data-ca")) } }),
    );
    assert.deepEqual(both.tls, { ca: pem("data-ca"), cert: pem("data-cert"), key: pem("data-key", "EC PRIVATE KEY") });
    const fileOnly = await clusterConfigFromKubeconfig(single("https://x", {}, { cluster: { "certificate-authority": caFile } }));
    assert.equal(fileOnly.tls.ca, pem("file-ca"));
    await assert.rejects(
      clusterConfigFromKubeconfig(single("https://x", {}, { cluster: { "certificate-authority-data": pem("pasted-without-base64") } }), { path: "/k" }),
      (err) => isOperantError(err, "KubeconfigInvalid") && /certificate-authority of cluster "main" in \/k: the -data field is not base64 of a PEM block/.test(err.message),
    );
    const notPem = await write("data/not-pem.crt", "hello");
    await assert.rejects(clusterConfigFromKubeconfig(single("https://x", {}, { cluster: { "certificate-authority": notPem } })), (err) => isOperantError(err, "KubeconfigInvalid") && /is not PEM/.test(err.message));
  });

  test("a referenced file that does not exist is named with the field and user that reference it", async () => {
    const missing = join(root, "missing/client.key");
    await assert.rejects(
      clusterConfigFromKubeconfig(single("https://x", { "client-certificate-data": b64(pem("c")), "client-key": missing }), { path: "/k" }),
      (err) => isOperantError(err, "KubeconfigReferencedFileUnreadable") && err.message.startsWith(`client-key of user "main" in /k: file ${missing} does not exist`),
    );
    await assert.rejects(clusterConfigFromKubeconfig(single("https://x", { "client-certificate-data": b64(pem("c")) }), { path: "/k" }), (err) => isOperantError(err, "KubeconfigInvalid") && /certificate but no client-key/.test(err.message));
  });
});

describe("credentials", () => {
  test("token, and basic auth as a Basic header", async () => {
    const token = await clusterConfigFromKubeconfig(single("https://x", { token: "abc.def" }));
    assert.deepEqual(await token.credentials.get(), { authorization: "Bearer abc.def" });
    const basic = await clusterConfigFromKubeconfig(single("https://x", { username: "alice", password: "s3cr:et" }));
    assert.deepEqual(await basic.credentials.get(), { authorization: `Basic ${b64("alice:s3cr:et")}` });
    const anonymous = await clusterConfigFromKubeconfig(single("https://x", {}));
    assert.deepEqual(await anonymous.credentials.get(), {});
  });

  test("tokenFile: read at load, re-read after invalidate(), preferred over token, which is the fallback", async () => {
    const tokenPath = await write("tf/token", "one\n");
    const config = await clusterConfigFromKubeconfig(single("https://x", { tokenFile: tokenPath }));
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer one" });
    await writeFile(tokenPath, "two");
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer one" }, "cached within the refresh interval");
    config.credentials.invalidate();
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer two" });

    const both = await clusterConfigFromKubeconfig(single("https://x", { token: "inline", tokenFile: tokenPath }));
    assert.deepEqual(await both.credentials.get(), { authorization: "Bearer two" });
    const fallback = await clusterConfigFromKubeconfig(single("https://x", { token: "inline", tokenFile: join(root, "tf/absent") }));
    assert.deepEqual(await fallback.credentials.get(), { authorization: "Bearer inline" });
    await assert.rejects(
      clusterConfigFromKubeconfig(single("https://x", { tokenFile: "absent-token" }), { path: join(root, "tf/kubeconfig") }),
      (err) => isOperantError(err, "KubeconfigReferencedFileUnreadable") && err.message.includes(`file ${join(root, "tf/absent-token")} does not exist`),
    );
  });

  test("conflicting or unsupported user settings are refused", async () => {
    await assert.rejects(clusterConfigFromKubeconfig(single("https://x", { token: "t", username: "u", password: "p" })), (err) => isOperantError(err, "KubeconfigInvalid") && /only one authentication method/.test(err.message));
    await assert.rejects(clusterConfigFromKubeconfig(single("https://x", { token: "t", as: "bob" })), (err) => isOperantError(err, "KubeconfigUnsupported") && /impersonation \(as\)/.test(err.message));
    await assert.rejects(
      clusterConfigFromKubeconfig(single("https://x", { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "x" }, "auth-provider": { name: "oidc" } })),
      (err) => isOperantError(err, "KubeconfigInvalid") && /both exec and auth-provider/.test(err.message),
    );
    await assert.rejects(clusterConfigFromKubeconfig(single("https://x", { "auth-provider": { name: "keystone" } })), (err) => isOperantError(err, "KubeconfigUnsupported") && /auth-provider "keystone".*oidc, azure, gcp/.test(err.message));
  });
});
