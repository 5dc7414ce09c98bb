import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { checkDomain, checkKindAndVersion, checkProjectName, controllerName, fullGroup, kindFileName } from "./names.ts";

const invalid = (pattern: RegExp) => (e: unknown) => isOperantError(e, "InvalidName") && pattern.test(e.message);

describe("CLI names", () => {
  test("project names are DNS-1123 labels of at most 52 characters; the message suggests one", () => {
    for (const ok of ["memcached-operator", "a", "op2", "x".repeat(52)]) assert.doesNotThrow(() => checkProjectName(ok));
    assert.throws(() => checkProjectName("Memcached_Operator"), invalid(/e\.g\. "memcached-operator"/));
    assert.throws(() => checkProjectName("-lead"), invalid(/starting and ending with a letter or digit/));
    assert.throws(() => checkProjectName("x".repeat(53)), invalid(/at most 52/));
    assert.throws(() => checkProjectName(""), invalid(/Pass --name/));
  });

  test("a domain must contain a dot and be a lower-case DNS name", () => {
    for (const ok of ["example.com", "my-team.example.org", "a.b.c"]) assert.doesNotThrow(() => checkDomain(ok));
    assert.throws(() => checkDomain("example"), invalid(/has no dot/));
    assert.throws(() => checkDomain("Example.com"), invalid(/lower-case DNS name/));
    assert.throws(() => checkDomain("example..com"), invalid(/such as example\.com/));
  });

  test("a short group gets the domain; a group with a dot is used as it is; a group without a dot and no domain is refused", () => {
    assert.equal(fullGroup("cache", "example.com"), "cache.example.com");
    assert.equal(fullGroup("cache.example.org", "example.com"), "cache.example.org");
    assert.equal(fullGroup("cache.example.org", undefined), "cache.example.org");
    assert.throws(() => fullGroup("cache", undefined), invalid(/has no dot and the project has no domain.*--group cache\.example\.com/));
    assert.throws(() => fullGroup("Cache", "example.com"), invalid(/lower-case letters/));
    assert.throws(() => fullGroup("apps.k8s.io", undefined), invalid(/reserved/));
  });

  test("kinds are UpperCamelCase; versions are v<n>[alpha|beta<n>]", () => {
    assert.doesNotThrow(() => checkKindAndVersion("Memcached", "v1alpha1"));
    assert.doesNotThrow(() => checkKindAndVersion("BackupPolicy", "v2"));
    assert.throws(() => checkKindAndVersion("memcached", "v1"), invalid(/UpperCamelCase/));
    assert.throws(() => checkKindAndVersion("Memcached", "1.0"), invalid(/v1, v1alpha1, v2beta3/));
    assert.throws(() => checkKindAndVersion("Memcached", "v1Alpha1"), invalid(/not a Kubernetes API version/));
  });

  test("file and variable names derived from a kind", () => {
    assert.equal(kindFileName("Memcached"), "memcached");
    assert.equal(kindFileName("BackupPolicy"), "backup-policy");
    assert.equal(kindFileName("DNSRecord"), "dns-record");
    assert.equal(kindFileName("PostgresV2"), "postgres-v2");
    assert.equal(controllerName("Memcached"), "memcachedController");
    assert.equal(controllerName("BackupPolicy"), "backupPolicyController");
    assert.equal(controllerName("DNSRecord"), "dnsRecordController");
  });
});
