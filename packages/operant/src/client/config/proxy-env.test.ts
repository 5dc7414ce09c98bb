import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fuzz } from "../../../test/support/fuzz.ts";
import { bypassesProxy, proxyFromEnvironment } from "./proxy-env.ts";

test("HTTPS_PROXY for an https server, HTTP_PROXY for an http one; upper case first; no scheme means http://", () => {
  const env = { HTTPS_PROXY: "secure-proxy:3128", https_proxy: "http://lower:1", HTTP_PROXY: "http://plain:8080" };
  assert.deepEqual(proxyFromEnvironment("https://10.0.0.1:6443", env), { url: "http://secure-proxy:3128", variable: "HTTPS_PROXY" });
  assert.deepEqual(proxyFromEnvironment("http://10.0.0.1:8080", env), { url: "http://plain:8080", variable: "HTTP_PROXY" });
  assert.deepEqual(proxyFromEnvironment("https://api.example", { https_proxy: "socks5://s:1080" }), { url: "socks5://s:1080", variable: "https_proxy" });
  // Go does not fall back from HTTPS_PROXY to HTTP_PROXY.
  assert.equal(proxyFromEnvironment("https://api.example", { HTTP_PROXY: "http://plain:8080" }), undefined);
  assert.equal(proxyFromEnvironment("https://api.example", {}), undefined);
  assert.equal(proxyFromEnvironment("https://api.example", { HTTPS_PROXY: "  " }), undefined);
});

test("localhost and loopback addresses are never proxied", () => {
  const env = { HTTPS_PROXY: "http://proxy:3128" };
  for (const server of ["https://localhost:6443", "https://LOCALHOST", "https://127.0.0.1:6443", "https://127.8.9.10", "https://[::1]:6443"]) {
    assert.equal(proxyFromEnvironment(server, env), undefined, server);
  }
  assert.ok(proxyFromEnvironment("https://localhost.example:6443", env), "only localhost itself");
});

test("NO_PROXY: *, names with and without a leading dot, *.suffix, IPs, CIDRs, ports; NO_PROXY before no_proxy", () => {
  const u = (s: string) => new URL(s);
  assert.equal(bypassesProxy(u("https://anything:1"), "*"), true);
  assert.equal(bypassesProxy(u("https://corp.example"), "corp.example"), true);
  assert.equal(bypassesProxy(u("https://api.corp.example"), "corp.example"), true);
  assert.equal(bypassesProxy(u("https://notcorp.example"), "corp.example"), false);
  assert.equal(bypassesProxy(u("https://corp.example"), ".corp.example"), false);
  assert.equal(bypassesProxy(u("https://api.corp.example"), ".corp.example"), true);
  assert.equal(bypassesProxy(u("https://api.corp.example"), "*.corp.example"), true);
  assert.equal(bypassesProxy(u("https://API.Corp.Example"), " other , CORP.example "), true);
  assert.equal(bypassesProxy(u("https://10.1.2.3:6443"), "10.0.0.0/8"), true);
  assert.equal(bypassesProxy(u("https://11.1.2.3:6443"), "10.0.0.0/8"), false);
  assert.equal(bypassesProxy(u("https://10.1.2.3:6443"), "10.1.2.3"), true);
  assert.equal(bypassesProxy(u("https://[fd00::5]:6443"), "fd00::/8"), true);
  assert.equal(bypassesProxy(u("https://[fd00::5]:6443"), "[fd00::5]:6443"), true);
  assert.equal(bypassesProxy(u("https://api.example:6443"), "api.example:6443"), true);
  assert.equal(bypassesProxy(u("https://api.example:6443"), "api.example:443"), false);
  assert.equal(bypassesProxy(u("https://api.example"), "api.example:443"), true, "the scheme's default port");
  assert.equal(bypassesProxy(u("https://api.example"), ",,"), false);
  assert.equal(proxyFromEnvironment("https://api.example", { HTTPS_PROXY: "p:1", NO_PROXY: "other", no_proxy: "api.example" }) !== undefined, true, "NO_PROXY wins over no_proxy");
  assert.equal(proxyFromEnvironment("https://api.example", { HTTPS_PROXY: "p:1", no_proxy: "api.example" }), undefined);
});

test("property: never throws; * and the server's own host always bypass; loopback never proxied", async (t) => {
  const host = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6().map((ip) => `[${ip}]`));
  const entry = fc.oneof(fc.domain(), fc.ipV4(), fc.constantFrom("*", "", ".", "*.", "/8", "10.0.0.0/33", "::/0", "[::1]:x"), fc.string({ maxLength: 12 }));
  await fuzz(
    t,
    "NO_PROXY matching",
    fc.property(host, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), fc.array(entry, { maxLength: 6 }), (h, port, entries) => {
      const server = `https://${h}${port === undefined ? "" : `:${port}`}`;
      if (!URL.canParse(server)) return;
      const url = new URL(server);
      const noProxy = entries.join(",");
      bypassesProxy(url, noProxy);
      assert.equal(bypassesProxy(url, `${noProxy},*`), true);
      assert.equal(bypassesProxy(url, `${noProxy},${url.hostname}`), true);
      const chosen = proxyFromEnvironment(server, { HTTPS_PROXY: "http://proxy:3128", NO_PROXY: noProxy });
      if (url.hostname === "localhost" || /^127\./.test(url.hostname) || url.hostname === "[::1]") assert.equal(chosen, undefined);
    }),
    { numRuns: 500 },
  );
});
