import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { CONDITION_TYPE_PATTERN, isDns1035Label, isDns1123Label, isDns1123Subdomain, isDnsName, isQualifiedName } from "./names.ts";

const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);

describe("Kubernetes names", () => {
  test("DNS-1123 and DNS-1035 labels: characters, ends and length", () => {
    assert.equal(isDns1123Label("memcached-operator"), true);
    assert.equal(isDns1123Label("3d"), true);
    for (const bad of ["", "-a", "a-", "A", "a_b", "a.b", "x".repeat(64)]) assert.equal(isDns1123Label(bad), false, bad);
    assert.equal(isDns1123Label("x".repeat(63)), true);
    assert.equal(isDns1123Label("x".repeat(53), 52), false);
    assert.equal(isDns1035Label("memcacheds"), true);
    assert.equal(isDns1035Label("3d"), false);
  });

  test("subdomains and DNS names: 253 characters; DNS names also 63 per label", () => {
    assert.equal(isDns1123Subdomain("cache.example.com"), true);
    assert.equal(isDns1123Subdomain("a..b"), false);
    assert.equal(isDns1123Subdomain(`${"a".repeat(250)}.com`), false);
    assert.equal(isDns1123Subdomain(`${"a".repeat(64)}.com`), true, "apimachinery does not limit a subdomain's labels");
    assert.equal(isDnsName(`${"a".repeat(64)}.com`), false);
  });

  test("qualified names: optional subdomain prefix, then 63 letters, digits, '-', '_', '.'", () => {
    for (const ok of ["cleanup", "cache.example.com/cleanup", "a_b.C-d", "example.com/memcached-operator"]) assert.equal(isQualifiedName(ok), true, ok);
    for (const bad of ["", "/x", "Example.com/x", "a/b/c", "x/", "-x", `p/${"x".repeat(64)}`]) assert.equal(isQualifiedName(bad), false, bad);
  });

  test("property: a prefix and a name are a qualified name exactly when each part is valid; a DNS-1123 label is always one", () => {
    fc.assert(
      fc.property(fc.option(fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join(".")), { nil: undefined }), fc.stringMatching(/^[-A-Za-z0-9_.]{0,70}$/), (prefix, name) => {
        const whole = prefix === undefined ? name : `${prefix}/${name}`;
        const nameOk = name.length >= 1 && name.length <= 63 && /^[A-Za-z0-9]/.test(name) && /[A-Za-z0-9]$/.test(name);
        assert.equal(isQualifiedName(whole), nameOk && (prefix === undefined || prefix.length <= 253));
      }),
      { seed: 11, numRuns: 300 },
    );
    fc.assert(fc.property(label, (l) => isDns1123Label(l) && isQualifiedName(l) && isDns1123Subdomain(l)), { seed: 11, numRuns: 200 });
  });

  test("metav1.Condition's type pattern takes a qualified-style name", () => {
    const re = new RegExp(CONDITION_TYPE_PATTERN);
    assert.equal(re.test("Ready"), true);
    assert.equal(re.test("cache.example.com/Degraded"), true);
    assert.equal(re.test("not ready"), false);
  });
});
