// Certificate sources without a cluster: files reloaded when they change, and
// when a managed serving certificate is due for renewal.
import assert from "node:assert/strict";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { createCertificateAuthority } from "../../pki/pki.ts";
import { CertificateDirectory } from "./directory.ts";
import { needsRenewal } from "./managed.ts";

const ca = createCertificateAuthority("certificates-test-ca");

/** Polls `check` until it passes or `ms` pass (then its last failure is thrown). */
async function within(ms: number, check: () => void): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe("CertificateDirectory", () => {
  test("loads tls.crt and tls.key, reloads them when they change, and ignores a half-written pair", async () => {
    const dir = await mkdtemp(join(tmpdir(), "operant-certs-"));
    const stop = new AbortController();
    try {
      const first = ca.issue({ commonName: "first", hosts: ["127.0.0.1"], usage: "server" });
      await writeFile(join(dir, "tls.crt"), first.certPem);
      await writeFile(join(dir, "tls.key"), first.keyPem);
      const source = new CertificateDirectory({ directory: dir, pollIntervalMs: 20 });
      const seen: string[] = [];
      source.subscribe((p) => seen.push(p.certPem));
      assert.equal((await source.start(stop.signal)).certPem, first.certPem);
      // A certificate whose key is not there yet (a half-done update) is not taken.
      const second = ca.issue({ commonName: "second", hosts: ["127.0.0.1"], usage: "server" });
      await writeFile(join(dir, "tls.crt.tmp"), second.certPem);
      await rename(join(dir, "tls.crt.tmp"), join(dir, "tls.crt"));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(seen, [], "a certificate with the old key is ignored");
      await writeFile(join(dir, "tls.key"), second.keyPem);
      await within(5000, () => assert.deepEqual(seen, [second.certPem]));
    } finally {
      stop.abort();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("missing files fail with CertificateUnavailable, saying where it looked", async () => {
    const source = new CertificateDirectory({ directory: "/nonexistent/operant-certs" });
    await assert.rejects(source.start(new AbortController().signal), (err) => isOperantError(err, "CertificateUnavailable") && /\/nonexistent\/operant-certs\/tls.crt/.test((err as Error).message));
  });
});

describe("needsRenewal", () => {
  const hosts = ["webhook.system.svc"];
  const cert = ca.issue({ commonName: hosts[0]!, hosts, usage: "server", validDays: 90 }).certPem;

  test("a fresh certificate for the hosts, from the CA, is kept", () => {
    assert.equal(needsRenewal(cert, ca.certPem, hosts, 1 / 3, new Date()), false);
  });

  test("renewed when less than the fraction of its lifetime is left", () => {
    const in70Days = new Date(Date.now() + 70 * 24 * 3600 * 1000);
    assert.equal(needsRenewal(cert, ca.certPem, hosts, 1 / 3, in70Days), true);
    assert.equal(needsRenewal(cert, ca.certPem, hosts, 1 / 10, in70Days), false);
  });

  test("renewed when it lacks a host, comes from another CA, or does not parse", () => {
    assert.equal(needsRenewal(cert, ca.certPem, [...hosts, "webhook.system.svc.cluster.local"], 1 / 3, new Date()), true);
    assert.equal(needsRenewal(cert, createCertificateAuthority("other").certPem, hosts, 1 / 3, new Date()), true);
    assert.equal(needsRenewal("not a certificate", ca.certPem, hosts, 1 / 3, new Date()), true);
    // The CA bundle may hold the new CA first and the old one after it.
    assert.equal(needsRenewal(cert, ca.certPem + createCertificateAuthority("older").certPem, hosts, 1 / 3, new Date()), false);
  });
});
