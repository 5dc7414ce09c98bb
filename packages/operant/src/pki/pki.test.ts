import assert from "node:assert/strict";
import { createServer, connect } from "node:tls";
import { once } from "node:events";
import { test } from "node:test";
import { createCertificateAuthority, createServiceAccountKeys, parseCertificate, reloadCertificateAuthority } from "./pki.ts";

test("a CA signs leaf certificates that node's X.509 parser accepts and verifies", () => {
  const ca = createCertificateAuthority("test-ca");
  const caCert = parseCertificate(ca.certPem);
  assert.equal(caCert.ca, true);
  assert.equal(caCert.subject, "CN=test-ca");

  const leaf = ca.issue({ commonName: "alice", organizations: ["dev", "ops"], usage: "client" });
  const cert = parseCertificate(leaf.certPem);
  assert.equal(cert.ca, false);
  assert.equal(cert.subject, "O=dev\nO=ops\nCN=alice");
  assert.ok(cert.checkIssued(caCert));
  assert.ok(cert.verify(caCert.publicKey));
  assert.deepEqual(cert.keyUsage, ["1.3.6.1.5.5.7.3.2"]);
});

test("server certificates carry DNS and IP subject alternative names", () => {
  const ca = createCertificateAuthority("test-ca");
  const leaf = ca.issue({ commonName: "apiserver", hosts: ["localhost", "127.0.0.1", "::1"], usage: "server" });
  const cert = parseCertificate(leaf.certPem);
  assert.equal(cert.subjectAltName, "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
  assert.equal(cert.checkHost("localhost"), "localhost");
  assert.equal(cert.checkIP("127.0.0.1"), "127.0.0.1");
  assert.equal(cert.checkHost("example.com"), undefined);
});

test("a TLS handshake with mutual authentication succeeds with the issued certificates", async () => {
  const ca = createCertificateAuthority("mtls-ca");
  const server = ca.issue({ commonName: "server", hosts: ["127.0.0.1"], usage: "server" });
  const client = ca.issue({ commonName: "bob", organizations: ["system:masters"], usage: "client" });
  const srv = createServer({ cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (s) => {
    s.end(String(s.getPeerCertificate().subject.CN));
  });
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const port = (srv.address() as { port: number }).port;
  const sock = connect({ host: "127.0.0.1", port, ca: ca.certPem, cert: client.certPem, key: client.keyPem });
  let got = "";
  sock.on("data", (d: Buffer) => (got += d.toString()));
  await once(sock, "end");
  srv.close();
  assert.equal(got, "bob");
});

test("a certificate from another CA is rejected", () => {
  const a = createCertificateAuthority("a");
  const b = createCertificateAuthority("b");
  const leaf = parseCertificate(a.issue({ commonName: "x", usage: "client" }).certPem);
  assert.equal(leaf.verify(parseCertificate(b.certPem).publicKey), false);
});

test("service-account keys are a PEM pair", () => {
  const keys = createServiceAccountKeys();
  assert.match(keys.privateKeyPem, /BEGIN PRIVATE KEY/);
  assert.match(keys.publicKeyPem, /BEGIN PUBLIC KEY/);
});

test("a reloaded CA issues certificates that chain to the original", () => {
  const ca = createCertificateAuthority("persisted-ca");
  const again = reloadCertificateAuthority(ca.certPem, ca.keyPem);
  const leaf = parseCertificate(again.issue({ commonName: "carol", usage: "client" }).certPem);
  assert.ok(leaf.checkIssued(parseCertificate(ca.certPem)));
  assert.ok(leaf.verify(parseCertificate(ca.certPem).publicKey));
});
