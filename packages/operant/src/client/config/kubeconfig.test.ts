import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { kubeconfigFromObject, mergeKubeconfigs, parseKubeconfig } from "./kubeconfig.ts";

describe("parseKubeconfig", () => {
  test("reads clusters, users and contexts by name, with kubectl's field names", async () => {
    const kc = await parseKubeconfig(
      `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority: certs/ca.crt
    insecure-skip-tls-verify: true
    tls-server-name: api.internal
    proxy-url: http://proxy:3128
users:
- name: u1
  user:
    tokenFile: ./token
    client-certificate: /abs/client.crt
    client-key: keys/client.key
- name: u2
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/plugin
      args: [get-token, --cluster, c1]
      env: [{ name: REGION, value: eu }]
      installHint: brew install plugin
      provideClusterInfo: true
      interactiveMode: Never
- name: u3
  user:
    exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: aws }
contexts:
- name: dev
  context: { cluster: c1, user: u1, namespace: apps }
`,
      { path: "/home/x/.kube/config" },
    );
    assert.equal(kc.currentContext, "dev");
    assert.deepEqual(kc.sources, ["/home/x/.kube/config"]);
    assert.deepEqual(kc.clusters.get("c1"), {
      name: "c1",
      origin: "/home/x/.kube/config",
      value: { server: "https://10.0.0.1:6443", certificateAuthority: "/home/x/.kube/certs/ca.crt", insecureSkipTlsVerify: true, tlsServerName: "api.internal", proxyUrl: "http://proxy:3128" },
    });
    const u1 = kc.users.get("u1")!.value;
    assert.equal(u1.tokenFile, "/home/x/.kube/token");
    assert.equal(u1.clientCertificate, "/abs/client.crt");
    assert.equal(u1.clientKey, "/home/x/.kube/keys/client.key");
    const exec = kc.users.get("u2")!.value.exec!;
    assert.equal(exec.command, "/home/x/.kube/bin/plugin", "a command with a separator is relative to the kubeconfig's directory");
    assert.deepEqual(exec.args, ["get-token", "--cluster", "c1"]);
    assert.deepEqual(exec.env, [{ name: "REGION", value: "eu" }]);
    assert.equal(exec.installHint, "brew install plugin");
    assert.equal(exec.provideClusterInfo, true);
    assert.equal(kc.users.get("u3")!.value.exec!.command, "aws", "a bare command name stays a PATH lookup");
    assert.deepEqual(kc.contexts.get("dev")!.value, { cluster: "c1", user: "u1", namespace: "apps" });
  });

  test("an empty document is an empty kubeconfig", async () => {
    const kc = await parseKubeconfig("", { path: "/tmp/empty" });
    assert.equal(kc.clusters.size + kc.users.size + kc.contexts.size, 0);
    assert.equal(kc.currentContext, undefined);
  });

  test("malformed YAML names the file, line and column", async () => {
    const text = "apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: [https://x\n";
    await assert.rejects(
      parseKubeconfig(text, { path: "/tmp/bad-kubeconfig" }),
      (err) => isOperantError(err, "KubeconfigInvalid") && /^\/tmp\/bad-kubeconfig:\d+:\d+: malformed YAML/.test(err.message),
    );
    await assert.rejects(
      parseKubeconfig("a: 1\na: 2\n", { path: "/tmp/dup" }),
      (err) => isOperantError(err, "KubeconfigInvalid") && err.message.startsWith("/tmp/dup:2:1: malformed YAML: Map keys must be unique"),
    );
  });

  test("malformed entries name their path in the document", () => {
    const cases: [unknown, RegExp][] = [
      [{ clusters: { a: 1 } }, /clusters must be a list/],
      [{ clusters: [{ cluster: { server: "https://x" } }] }, /clusters\[0\] has no name/],
      [{ users: [{ name: "u", user: { exec: { args: ["x"] } } }] }, /users\[0\]\.user\.exec\.command is missing/],
      [{ users: [{ name: "u", user: { exec: { command: "x", args: "--flag" } } }] }, /users\[0\]\.user\.exec\.args must be a list/],
      [{ clusters: [{ name: "a", cluster: { "insecure-skip-tls-verify": "maybe" } }] }, /insecure-skip-tls-verify must be true or false/],
      [{ contexts: [{ name: "a", context: { cluster: "c" } }, { name: "a", context: { cluster: "d" } }] }, /contexts\[1\] repeats the name "a"/],
      [[1, 2], /the document must be a mapping/],
    ];
    for (const [doc, re] of cases) {
      assert.throws(
        () => kubeconfigFromObject(doc, { path: "/k" }),
        (err) => isOperantError(err, "KubeconfigInvalid") && err.message.startsWith("/k: ") && re.test(err.message),
        `expected ${re} for ${JSON.stringify(doc)}`,
      );
    }
  });

  test("records impersonation fields so they can be refused", () => {
    const kc = kubeconfigFromObject({ users: [{ name: "u", user: { token: "t", as: "bob", "as-groups": ["g"] } }] });
    assert.deepEqual(kc.users.get("u")!.value.impersonation, ["as", "as-groups"]);
  });
});

describe("mergeKubeconfigs", () => {
  const a = kubeconfigFromObject(
    {
      clusters: [{ name: "shared", cluster: { server: "https://a" } }],
      users: [{ name: "u", user: { token: "from-a" } }],
      contexts: [{ name: "ctx-a", context: { cluster: "shared", user: "u" } }],
    },
    { path: "/a" },
  );
  const b = kubeconfigFromObject(
    {
      "current-context": "ctx-b",
      clusters: [
        { name: "shared", cluster: { server: "https://b", "insecure-skip-tls-verify": true } },
        { name: "only-b", cluster: { server: "https://only-b" } },
      ],
      users: [{ name: "u", user: { username: "x", password: "y" } }],
      contexts: [{ name: "ctx-b", context: { cluster: "only-b" } }],
    },
    { path: "/b" },
  );
  const c = kubeconfigFromObject({ "current-context": "ctx-a" }, { path: "/c" });

  test("the first file to define a name wins, whole entry, never field by field", () => {
    const kc = mergeKubeconfigs([a, b, c]);
    assert.deepEqual(kc.sources, ["/a", "/b", "/c"]);
    assert.deepEqual(kc.clusters.get("shared"), { name: "shared", origin: "/a", value: { server: "https://a", insecureSkipTlsVerify: false } });
    assert.deepEqual(kc.users.get("u")!.value, { token: "from-a", impersonation: [] });
    assert.equal(kc.clusters.get("only-b")!.origin, "/b");
    assert.deepEqual([...kc.contexts.keys()], ["ctx-a", "ctx-b"]);
  });

  test("current-context comes from the first file that sets it", () => {
    assert.equal(mergeKubeconfigs([a, b, c]).currentContext, "ctx-b");
    assert.equal(mergeKubeconfigs([c, b]).currentContext, "ctx-a");
    assert.equal(mergeKubeconfigs([a]).currentContext, undefined);
  });
});
