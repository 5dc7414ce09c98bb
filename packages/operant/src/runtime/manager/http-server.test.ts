import assert from "node:assert/strict";
import { request } from "node:https";
import type { TLSSocket } from "node:tls";
import { describe, test } from "node:test";
import fc from "fast-check";
import { createCertificateAuthority, type KeyPair } from "../../pki/pki.ts";
import { isLoopback, RouterServer, type TlsSource } from "./http-server.ts";
import { bearerToken } from "./request-authorizer.ts";

describe("isLoopback", () => {
  test("loopback hosts are, all-interfaces and other hosts are not", () => {
    for (const a of ["127.0.0.1:8080", "127.1.2.3:0", "localhost:8080", "[::1]:8443"]) assert.equal(isLoopback(a), true, a);
    for (const a of [":8080", "0.0.0.0:8080", "[::]:8443", "10.0.0.1:8080", "128.0.0.1:1"]) assert.equal(isLoopback(a), false, a);
  });
});

describe("bearerToken", () => {
  test("reads the token of `Bearer <token>` (any case of the scheme), nothing else", () => {
    assert.equal(bearerToken("Bearer abc.def"), "abc.def");
    assert.equal(bearerToken("bearer abc"), "abc");
    for (const h of [undefined, "", "Basic abc", "Bearer", "Bearer ", "Bearer a b"]) assert.equal(bearerToken(h), undefined, String(h));
  });

  test("property: a token without whitespace round-trips; anything else is never mistaken for a different token", () => {
    const token = fc.stringMatching(/^[A-Za-z0-9._~+/=-]{1,200}$/);
    fc.assert(fc.property(token, (t) => bearerToken(`Bearer ${t}`) === t), { seed: 1313, numRuns: 300 });
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (h) => {
        const t = bearerToken(h);
        return t === undefined || (h.includes(t) && !/\s/.test(t));
      }),
      { seed: 1313, numRuns: 500 },
    );
  });
});

/** The certificate a new TLS connection is served. */
function servedCert(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/x", ca, agent: false }, (res) => {
      const fp = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      res.resume();
      res.on("end", () => resolve(fp));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("RouterServer over TLS", () => {
  test("serves HTTPS, swaps the certificate when the source rotates it, and asks the guard first", async () => {
    const ca = createCertificateAuthority("router-test");
    const first = ca.issue({ commonName: "a", hosts: ["127.0.0.1"], usage: "server" });
    const second = ca.issue({ commonName: "b", hosts: ["127.0.0.1"], usage: "server" });
    const listeners = new Set<(p: KeyPair) => void>();
    const tls: TlsSource = { start: () => Promise.resolve(first), subscribe: (l) => (listeners.add(l), () => listeners.delete(l)) };
    const srv = new RouterServer();
    srv.route("/x", (_req, res) => void res.end("ok"));
    let refuse = false;
    const addr = await srv.listen("127.0.0.1:0", { tls, guard: () => Promise.resolve(refuse ? { status: 403, message: "no" } : undefined) });
    try {
      const port = Number(addr.split(":")[1]);
      const fp1 = await servedCert(port, ca.certPem);
      for (const l of listeners) l(second);
      const fp2 = await servedCert(port, ca.certPem);
      assert.notEqual(fp1, fp2, "a new connection gets the rotated certificate");
      refuse = true;
      const status = await new Promise<number>((resolve, reject) => request({ host: "127.0.0.1", port, path: "/x", ca: ca.certPem, agent: false }, (res) => (res.resume(), resolve(res.statusCode!))).on("error", reject).end());
      assert.equal(status, 403);
    } finally {
      await srv.close();
    }
    assert.equal(listeners.size, 0, "close() unsubscribes from the certificate source");
  });
});
