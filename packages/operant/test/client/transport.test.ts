// The client's HTTP layer against the real API server: who we are (RBAC
// refusal, a refused token retried once with fresh credentials), where we
// cannot get (closed port, wrong CA, wrong server name, no answer), the
// client-side rate limit, and proxies from the kubeconfig's proxy-url (an
// HTTP CONNECT proxy and a SOCKS5 proxy started here, forwarding bytes to the
// real API server).
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { connect, createServer as createTcpServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { parse, stringify } from "yaml";
import { Client } from "../../src/client/client.ts";
import { loadClusterConfig, type ClusterConfig, type Credentials } from "../../src/client/config/index.ts";
import { ApiError } from "../../src/client/transport/api-error.ts";
import { isOperantError } from "../../src/core/errors.ts";
import { ConfigMap, ServiceAccount } from "../../src/kinds/index.ts";
import { ControlPlane, FaultProxy } from "../../src/testing/index.ts";
import { createCertificateAuthority } from "../../src/pki/pki.ts";
import { Namespaces, rejection, suffix } from "./cluster-fixtures.ts";

interface KubeconfigDoc {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
}

/** Writes a variant of the admin kubeconfig (same context names) and returns its path. */
async function variant(source: string, name: string, edit: (doc: KubeconfigDoc) => void): Promise<string> {
  const doc = parse(await readFile(source, "utf8")) as KubeconfigDoc;
  edit(doc);
  const path = `${source}.${name}-${suffix()}`;
  await writeFile(path, stringify(doc), { mode: 0o600 });
  return path;
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Wraps a config's credentials to count `get()` and `invalidate()` calls. */
function counting(config: ClusterConfig, inner: Credentials = config.credentials): { config: ClusterConfig; gets: () => number; invalidations: () => number } {
  let gets = 0;
  let invalidations = 0;
  const credentials: Credentials = {
    get: (signal) => {
      gets++;
      return inner.get(signal);
    },
    invalidate: () => {
      invalidations++;
      inner.invalidate();
    },
  };
  return { config: { ...config, credentials }, gets: () => gets, invalidations: () => invalidations };
}

/** Pipes two sockets together until either closes. */
function splice(a: Socket, b: Socket): void {
  a.pipe(b).on("error", () => a.destroy());
  b.pipe(a).on("error", () => b.destroy());
  a.on("error", () => b.destroy()).on("close", () => b.destroy());
  b.on("error", () => a.destroy()).on("close", () => a.destroy());
}

/** An HTTP proxy that only tunnels (CONNECT), recording each request line and Proxy-Authorization; `hosts` maps names it resolves itself. */
async function startConnectProxy(hosts: Record<string, string> = {}): Promise<{ url: string; connects: { target: string; auth: string | undefined }[]; stop: () => Promise<void> }> {
  const connects: { target: string; auth: string | undefined }[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => res.writeHead(405).end("CONNECT only"));
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    connects.push({ target: req.url ?? "", auth: req.headers["proxy-authorization"] });
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), hosts[host ?? ""] ?? host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      splice(client, upstream);
    });
    sockets.add(client).add(upstream);
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    connects,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A SOCKS5 proxy (RFC 1928, no authentication, CONNECT only), recording each target. */
async function startSocks5Proxy(): Promise<{ url: string; targets: string[]; stop: () => Promise<void> }> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createTcpServer((client) => {
    sockets.add(client);
    client.on("error", () => client.destroy());
    let buf = Buffer.alloc(0);
    let stage: "greeting" | "request" = "greeting";
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (stage === "greeting") {
        if (buf.length < 2 || buf.length < 2 + buf[1]!) return;
        buf = buf.subarray(2 + buf[1]!);
        client.write(Buffer.from([5, 0])); // version 5, no authentication
        stage = "request";
      }
      if (buf.length < 5) return;
      const atyp = buf[3]!;
      const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buf[4]!;
      if (buf.length < 4 + addrLen + 2) return;
      const host = atyp === 1 ? [...buf.subarray(4, 8)].join(".") : atyp === 3 ? buf.subarray(5, 5 + buf[4]!).toString() : "::1";
      const port = buf.readUInt16BE(4 + addrLen);
      const rest = buf.subarray(4 + addrLen + 2);
      client.off("data", onData);
      targets.push(`${host}:${port}`);
      const upstream = connect(port, host, () => {
        client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
        if (rest.length) upstream.write(rest);
        splice(client, upstream);
      });
      sockets.add(upstream);
      upstream.on("error", () => client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])));
    };
    client.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `socks5://127.0.0.1:${(server.address() as { port: number }).port}`,
    targets,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("transport against a real API server", { timeout: 60_000 }, () => {
  let cp: ControlPlane;
  let admin: Client;
  let namespaces: Namespaces;
  let ns: string;
  let apiHostPort: string;
  before(async () => {
    cp = await ControlPlane.shared();
    admin = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity });
    namespaces = new Namespaces(admin, "transport");
    ns = await namespaces.create();
    await admin.create(ConfigMap, { metadata: { name: "probe", namespace: ns }, data: { a: "1" } });
    apiHostPort = new URL(cp.server).host;
  });
  after(async () => {
    await namespaces.cleanup();
    await admin.close();
  });

  describe("identity", () => {
    test("a user without RBAC gets Forbidden, naming the user and advising RBAC", async () => {
      const user = `nobody-${suffix()}`;
      const client = await Client.connect({ kubeconfig: await cp.userKubeconfig({ user }), qps: Infinity });
      try {
        const err = await rejection(client.get(ConfigMap, { namespace: ns, name: "probe" }));
        assert.ok(err instanceof ApiError, String(err));
        assert.equal(err.code, "Forbidden");
        assert.equal(err.status, 403);
        assert.equal(err.retryable, false);
        assert.match(err.message, new RegExp(`User "${user}" cannot get resource "configmaps"`));
        assert.match(err.message, /Grant the missing permission to this identity with RBAC/);
      } finally {
        await client.close();
      }
    });

    test("a bogus bearer token gets Unauthorized after exactly one retry with invalidated credentials", async () => {
      const path = await variant(cp.kubeconfigPath, "bogus-token", (doc) => {
        doc.users[0]!.user = { token: "bogus-token" };
      });
      const c = counting(await loadClusterConfig({ kubeconfig: path, env: {} }));
      const client = Client.fromConfig(c.config, { qps: Infinity });
      try {
        const err = await rejection(client.get(ConfigMap, { namespace: ns, name: "probe" }));
        assert.ok(err instanceof ApiError, String(err));
        assert.equal(err.code, "Unauthorized");
        assert.equal(err.status, 401);
        assert.equal(err.retryable, false);
        assert.match(err.message, /check the kubeconfig's user/);
        assert.equal(c.invalidations(), 1, "credentials invalidated once");
        assert.equal(c.gets(), 2, "one request, one retry");
      } finally {
        await client.close();
      }
    });

    test("after a 401, the retry uses the refreshed credentials and succeeds", async () => {
      const sa = `sa-${suffix()}`;
      await admin.create(ServiceAccount, { metadata: { name: sa, namespace: ns } });
      const saConfig = await loadClusterConfig({ kubeconfig: await cp.serviceAccountKubeconfig({ namespace: ns, name: sa }), env: {} });
      const good = await saConfig.credentials.get();
      let stale = true;
      const rotating: Credentials = {
        get: () => Promise.resolve(stale ? { authorization: "Bearer expired-token" } : good),
        invalidate: () => {
          stale = false;
        },
      };
      const c = counting(saConfig, rotating);
      const client = Client.fromConfig(c.config, { qps: Infinity });
      try {
        const version = await client.discovery.serverVersion();
        assert.match(version.gitVersion, /^v1\.36\./);
        assert.equal(c.invalidations(), 1);
        assert.equal(c.gets(), 2);
        await client.discovery.serverVersion();
        assert.equal(c.invalidations(), 1, "no more 401s once refreshed");
      } finally {
        await client.close();
      }
    });
  });

  describe("unreachable or untrusted servers", () => {
    test("a closed port fails with ConnectionFailed (retryable) naming the server", async () => {
      const port = await closedPort();
      const path = await variant(cp.kubeconfigPath, "closed", (doc) => {
        doc.clusters[0]!.cluster.server = `https://127.0.0.1:${port}`;
      });
      const client = await Client.connect({ kubeconfig: path, qps: Infinity });
      try {
        const err = await rejection(client.get(ConfigMap, { namespace: ns, name: "probe" }));
        assert.ok(isOperantError(err, "ConnectionFailed"), String(err));
        assert.equal(err.retryable, true);
        assert.ok(err.message.includes(`https://127.0.0.1:${port}`), err.message);
        assert.match(err.message, /ECONNREFUSED/);
        assert.match(err.message, /Check that the cluster is running/);
      } finally {
        await client.close();
      }
    });

    test("a CA that did not sign the server's certificate fails with TlsFailed (not retryable)", async () => {
      const other = createCertificateAuthority("not-the-serving-ca");
      const path = await variant(cp.kubeconfigPath, "wrong-ca", (doc) => {
        doc.clusters[0]!.cluster["certificate-authority-data"] = Buffer.from(other.certPem).toString("base64");
      });
      const client = await Client.connect({ kubeconfig: path, qps: Infinity });
      try {
        const err = await rejection(client.get(ConfigMap, { namespace: ns, name: "probe" }));
        assert.ok(isOperantError(err, "TlsFailed"), String(err));
        assert.equal(err.retryable, false);
        assert.ok(err.message.includes(cp.server), err.message);
        assert.match(err.message, /certificate-authority does not match/);
      } finally {
        await client.close();
      }
    });

    test("a tls-server-name the certificate does not cover fails with TlsFailed", async () => {
      const path = await variant(cp.kubeconfigPath, "wrong-name", (doc) => {
        doc.clusters[0]!.cluster["tls-server-name"] = "not-the-api-server.example";
      });
      const client = await Client.connect({ kubeconfig: path, qps: Infinity });
      try {
        const err = await rejection(client.get(ConfigMap, { namespace: ns, name: "probe" }));
        assert.ok(isOperantError(err, "TlsFailed"), String(err));
      } finally {
        await client.close();
      }
    });

    test("a server URL with a path prefix (a gateway, as Rancher's /k8s/clusters/<id>) gets every request under that prefix, query included", async () => {
      const hits: string[] = [];
      const server = createHttpServer((req, res) => {
        hits.push(req.url ?? "");
        const list = req.url?.includes("configmaps?");
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(list ? { apiVersion: "v1", kind: "ConfigMapList", metadata: { resourceVersion: "1" }, items: [] } : { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "probe", namespace: ns, resourceVersion: "1" } }));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const config = await loadClusterConfig({ kubeconfig: cp.kubeconfigPath, env: {} });
      const client = Client.fromConfig({ ...config, server: `http://127.0.0.1:${(server.address() as { port: number }).port}/k8s/clusters/c-1` }, { qps: Infinity });
      try {
        const got = await client.get(ConfigMap, { namespace: ns, name: "probe" });
        assert.equal(got.metadata.name, "probe");
        assert.deepEqual((await client.list(ConfigMap, { namespace: ns, labelSelector: { app: "web" } })).items, []);
        assert.equal(hits[0], `/k8s/clusters/c-1/api/v1/namespaces/${ns}/configmaps/probe`);
        assert.equal(hits[1], `/k8s/clusters/c-1/api/v1/namespaces/${ns}/configmaps?limit=500&labelSelector=app%3Dweb`);
      } finally {
        await client.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    test("a redirect (3xx) is an UnexpectedRedirect naming the Location, not an empty success; it is not followed", async () => {
      const hits: string[] = [];
      const server = createHttpServer((req, res) => {
        hits.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
        if (req.url?.startsWith("/login")) res.writeHead(200, { "content-type": "application/json" }).end("{}");
        else res.writeHead(302, { location: "/login?next=api" }).end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const config = await loadClusterConfig({ kubeconfig: cp.kubeconfigPath, env: {} });
      const client = Client.fromConfig({ ...config, server: `http://127.0.0.1:${(server.address() as { port: number }).port}` }, { qps: Infinity });
      try {
        for (const call of [client.get(ConfigMap, { namespace: ns, name: "probe" }), client.delete(ConfigMap, { namespace: ns, name: "probe" })]) {
          const err = await rejection(call);
          assert.ok(isOperantError(err, "UnexpectedRedirect"), String(err));
          assert.equal(err.retryable, false);
          assert.match(err.message, /answered 302 with a redirect to \/login\?next=api/);
          assert.match(err.message, /Check the kubeconfig's server address/);
        }
        assert.equal(hits.length, 2);
        assert.ok(hits.every((h) => !h.startsWith("GET /login")), `the redirect was followed: ${hits.join("; ")}`);
      } finally {
        await client.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    test("a server that accepts the connection but never answers fails with Timeout (retryable) after timeoutMs", async () => {
      const proxy = await FaultProxy.start(cp.server);
      const client = await Client.connect({ kubeconfig: await proxy.kubeconfig(cp.kubeconfigPath), qps: Infinity, timeoutMs: 800 });
      try {
        await client.get(ConfigMap, { namespace: ns, name: "probe" });
        proxy.stall();
        const started = Date.now();
        const err = await rejection(client.get(ConfigMap, { namespace: ns, name: "probe" }));
        const took = Date.now() - started;
        assert.ok(isOperantError(err, "Timeout"), String(err));
        assert.equal(err.retryable, true);
        assert.ok(took >= 700 && took < 5000, `gave up after ${took} ms`);
      } finally {
        await client.close();
        await proxy.stop();
      }
    });

    test("timeoutMs holds even while the TLS handshake hangs", async () => {
      const proxy = await FaultProxy.start(cp.server);
      const client = await Client.connect({ kubeconfig: await proxy.kubeconfig(cp.kubeconfigPath), qps: Infinity, timeoutMs: 500 });
      try {
        proxy.stall(); // before the first request: the connection opens, the handshake never completes
        const started = Date.now();
        const err = await rejection(client.get(ConfigMap, { namespace: ns, name: "probe" }));
        const took = Date.now() - started;
        assert.ok(isOperantError(err, "Timeout"), String(err));
        assert.ok(took >= 400 && took < 3000, `gave up after ${took} ms`);
      } finally {
        await client.close();
        await proxy.stop();
      }
    });

    test("aborting a request rejects with the signal's reason at once, also while the TLS handshake hangs", async () => {
      const handshake = await FaultProxy.start(cp.server);
      const hanging = await Client.connect({ kubeconfig: await handshake.kubeconfig(cp.kubeconfigPath), qps: Infinity });
      try {
        handshake.stall();
        const reason = new Error("shutting down");
        const started = Date.now();
        const err = await rejection(hanging.get(ConfigMap, { namespace: ns, name: "probe" }, { signal: abortAfter(200, reason) }));
        assert.equal(err, reason);
        assert.ok(Date.now() - started < 2000, `rejected after ${Date.now() - started} ms`);
      } finally {
        await hanging.close();
        await handshake.stop();
      }
    });

    test("aborting a request rejects with the signal's reason", async () => {
      const proxy = await FaultProxy.start(cp.server);
      const client = await Client.connect({ kubeconfig: await proxy.kubeconfig(cp.kubeconfigPath), qps: Infinity });
      try {
        await client.get(ConfigMap, { namespace: ns, name: "probe" });
        proxy.stall();
        const reason = new Error("shutting down");
        const started = Date.now();
        const err = await rejection(client.get(ConfigMap, { namespace: ns, name: "probe" }, { signal: abortAfter(200, reason) }));
        assert.equal(err, reason);
        assert.ok(Date.now() - started < 2000, `rejected after ${Date.now() - started} ms`);
      } finally {
        await client.close();
        await proxy.stop();
      }
    });
  });

  describe("client-side rate limit", () => {
    test("qps 5, burst 1: 11 sequential GETs take at least 1.8 s", async () => {
      const client = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: 5, burst: 1 });
      try {
        const started = performance.now();
        for (let i = 0; i < 11; i++) await client.get(ConfigMap, { namespace: ns, name: "probe" });
        const took = performance.now() - started;
        assert.ok(took >= 1800, `took ${took.toFixed(0)} ms`);
      } finally {
        await client.close();
      }
    });

    test("qps Infinity: no limit (40 GETs in far less than they would take at 20 qps)", async () => {
      const client = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity, burst: 1 });
      try {
        await client.get(ConfigMap, { namespace: ns, name: "probe" }); // connection set up
        const started = performance.now();
        await Promise.all(Array.from({ length: 40 }, () => client.get(ConfigMap, { namespace: ns, name: "probe" })));
        const took = performance.now() - started;
        assert.ok(took < 1500, `took ${took.toFixed(0)} ms`);
      } finally {
        await client.close();
      }
    });

    test("aborting while waiting for a token rejects at once with the signal's reason", async () => {
      const client = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: 0.2, burst: 1 });
      try {
        await client.get(ConfigMap, { namespace: ns, name: "probe" });
        const reason = new Error("stop");
        const started = Date.now();
        const err = await rejection(client.get(ConfigMap, { namespace: ns, name: "probe" }, { signal: abortAfter(100, reason) }));
        assert.equal(err, reason);
        assert.ok(Date.now() - started < 2000);
      } finally {
        await client.close();
      }
    });
  });

  describe("proxy-url", () => {
    test("an HTTP proxy tunnels to the API server with CONNECT, TLS end to end, proxy credentials from the URL", async () => {
      const proxy = await startConnectProxy();
      const withAuth = proxy.url.replace("http://", "http://alice:s3cret@");
      const path = await variant(cp.kubeconfigPath, "http-proxy", (doc) => {
        doc.clusters[0]!.cluster["proxy-url"] = withAuth;
      });
      const client = await Client.connect({ kubeconfig: path, qps: Infinity });
      try {
        assert.equal(client.transport.config.proxyUrl, withAuth);
        const got = await client.get(ConfigMap, { namespace: ns, name: "probe" });
        assert.deepEqual(got.data, { a: "1" });
        const events = client.watch(ConfigMap, { namespace: ns, timeoutSeconds: 1 });
        let watched = 0;
        for await (const ev of events) if (ev.type !== "BOOKMARK") watched++;
        assert.ok(watched >= 1, "a watch streams through the proxy too");
        assert.ok(proxy.connects.length >= 1);
        assert.ok(proxy.connects.every((c) => c.target === apiHostPort), JSON.stringify(proxy.connects));
        assert.equal(proxy.connects[0]!.auth, `Basic ${Buffer.from("alice:s3cret").toString("base64")}`);
      } finally {
        await client.close();
        await proxy.stop();
      }
    });

    test("without proxy-url, HTTPS_PROXY from the environment carries the connection, as kubectl; NO_PROXY exempts; proxy-url wins", async () => {
      // The proxy resolves a name only it knows, so the API server is reachable only through it (Go's
      // rules never proxy loopback addresses, so the kubeconfig names the server by that name).
      const proxy = await startConnectProxy({ "apiserver.proxied.test": "127.0.0.1" });
      const port = new URL(cp.server).port;
      const path = await variant(cp.kubeconfigPath, "env-proxy", (doc) => {
        doc.clusters[0]!.cluster.server = `https://apiserver.proxied.test:${port}`;
        doc.clusters[0]!.cluster["tls-server-name"] = "localhost";
      });
      const viaEnv = await Client.connect({ kubeconfig: path, qps: Infinity, env: { HTTPS_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1,.cluster.local" } });
      const exempt = await Client.connect({ kubeconfig: path, qps: Infinity, timeoutMs: 5000, env: { HTTPS_PROXY: proxy.url, NO_PROXY: ".proxied.test" } });
      const dead = await closedPort();
      const ownProxy = await variant(path, "own-proxy", (doc) => {
        doc.clusters[0]!.cluster["proxy-url"] = `http://127.0.0.1:${dead}`;
      });
      const kubeconfigWins = await Client.connect({ kubeconfig: ownProxy, qps: Infinity, env: { HTTPS_PROXY: proxy.url } });
      try {
        assert.equal(viaEnv.transport.config.proxyUrl, proxy.url);
        assert.deepEqual((await viaEnv.get(ConfigMap, { namespace: ns, name: "probe" })).data, { a: "1" });
        assert.deepEqual(proxy.connects.map((c) => c.target), [`apiserver.proxied.test:${port}`]);

        const err = await rejection(exempt.get(ConfigMap, { namespace: ns, name: "probe" }));
        assert.ok(isOperantError(err, "ConnectionFailed"), String(err));
        assert.equal(proxy.connects.length, 1, "NO_PROXY: the request went direct (and found no such host)");

        const err2 = await rejection(kubeconfigWins.get(ConfigMap, { namespace: ns, name: "probe" }));
        assert.ok(isOperantError(err2, "ConnectionFailed"), String(err2));
        assert.ok(err2.message.includes(`through the proxy http://127.0.0.1:${dead}`), err2.message);
        assert.equal(proxy.connects.length, 1, "the kubeconfig's proxy-url was used, not HTTPS_PROXY");
      } finally {
        await Promise.all([viaEnv.close(), exempt.close(), kubeconfigWins.close()]);
        await proxy.stop();
      }
    });

    test("a SOCKS5 proxy carries the connection to the API server", async () => {
      const proxy = await startSocks5Proxy();
      const path = await variant(cp.kubeconfigPath, "socks-proxy", (doc) => {
        doc.clusters[0]!.cluster["proxy-url"] = proxy.url;
      });
      const client = await Client.connect({ kubeconfig: path, qps: Infinity });
      try {
        const got = await client.get(ConfigMap, { namespace: ns, name: "probe" });
        assert.deepEqual(got.data, { a: "1" });
        assert.ok(proxy.targets.length >= 1);
        assert.ok(proxy.targets.every((t) => t === apiHostPort), proxy.targets.join());
      } finally {
        await client.close();
        await proxy.stop();
      }
    });

    test("a proxy that is down fails with ConnectionFailed naming the server and the proxy (password hidden)", async () => {
      const port = await closedPort();
      const path = await variant(cp.kubeconfigPath, "dead-proxy", (doc) => {
        doc.clusters[0]!.cluster["proxy-url"] = `http://bob:hunter2@127.0.0.1:${port}`;
      });
      const client = await Client.connect({ kubeconfig: path, qps: Infinity });
      try {
        const err = await rejection(client.get(ConfigMap, { namespace: ns, name: "probe" }));
        assert.ok(isOperantError(err, "ConnectionFailed"), String(err));
        assert.ok(err.message.includes(`${cp.server} through the proxy http://bob:***@127.0.0.1:${port}`), err.message);
        assert.doesNotMatch(err.message, /hunter2/);
      } finally {
        await client.close();
      }
    });

    test("an unsupported proxy scheme is refused when the client is created", async () => {
      const path = await variant(cp.kubeconfigPath, "ftp-proxy", (doc) => {
        doc.clusters[0]!.cluster["proxy-url"] = "ftp://127.0.0.1:21";
      });
      const err = await rejection(Client.connect({ kubeconfig: path }));
      assert.ok(isOperantError(err, "KubeconfigUnsupported"), String(err));
      assert.match(err.message, /"ftp"/);
      assert.match(err.message, /http:\/\/, https:\/\/ or socks5:\/\//);
    });
  });
});

/** A signal that aborts with `reason` after `ms`. */
function abortAfter(ms: number, reason: Error): AbortSignal {
  const ac = new AbortController();
  setTimeout(() => ac.abort(reason), ms).unref();
  return ac.signal;
}
