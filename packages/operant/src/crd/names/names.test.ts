import assert from "node:assert/strict";
import { test } from "node:test";
import { checkGroup, checkKind, checkResourceName, checkVersion, compareVersions, isProtectedGroup, pluralize } from "./names.ts";

const invalidName = (pattern: RegExp) => (e: Error & { code?: string }) => e.code === "InvalidName" && pattern.test(e.message);

test("groups: DNS subdomains with a dot, outside the reserved Kubernetes domains unless approved", () => {
  for (const ok of ["cache.example.com", "a.b", "x-1.example.io"]) checkGroup(ok);
  assert.throws(() => checkGroup("example"), invalidName(/group "example" has no dot.*such as "cache\.example\.com"/));
  assert.throws(() => checkGroup("Cache.Example.com"), invalidName(/not a DNS subdomain/));
  assert.throws(() => checkGroup("-a.example.com"), invalidName(/not a DNS subdomain/));
  assert.throws(() => checkGroup(""), invalidName(/is empty/));
  assert.throws(() => checkGroup(`${"a".repeat(250)}.com`), invalidName(/longer than 253/));
  assert.throws(() => checkGroup("widgets.k8s.io"), invalidName(/reserved for Kubernetes APIs.*apiApproved/));
  assert.throws(() => checkGroup("kubernetes.io"), invalidName(/reserved/));
  checkGroup("gateway.networking.k8s.io", { approved: true });
  assert.equal(isProtectedGroup("x.kubernetes.io"), true);
  assert.equal(isProtectedGroup("notk8s.io"), false);
});

test("versions: v<major>[alpha|beta<n>]", () => {
  for (const ok of ["v1", "v1alpha1", "v2beta3", "v10"]) checkVersion(ok);
  for (const bad of ["1", "v0", "v1.0", "V1", "v1alpha", "v1gamma1", "v1beta0", "v01"]) {
    assert.throws(() => checkVersion(bad), invalidName(/not a Kubernetes API version.*v1, v1alpha1, v2beta3/), bad);
  }
});

test("kinds: UpperCamelCase", () => {
  for (const ok of ["Memcached", "BackupPolicy", "S3Bucket"]) checkKind(ok);
  assert.throws(() => checkKind("memcached"), invalidName(/kind "memcached" is not UpperCamelCase.*"Memcached"/));
  assert.throws(() => checkKind("Backup-Policy"), invalidName(/UpperCamelCase/));
  assert.throws(() => checkKind(`A${"b".repeat(63)}`), invalidName(/longer than 63/));
});

test("plural, singular, short names, categories: DNS-1035 labels, with a suggestion", () => {
  for (const ok of ["memcacheds", "mc", "all", "a-b1"]) checkResourceName("plural", ok);
  assert.throws(() => checkResourceName("shortName", "MC"), invalidName(/shortName "MC" is not a DNS-1035 label.*\(such as "mc"\)/));
  assert.throws(() => checkResourceName("plural", "1mc"), invalidName(/starting with a letter.*\(such as "mc"\)/));
  assert.throws(() => checkResourceName("category", "a_b"), invalidName(/category "a_b"/));
  assert.throws(() => checkResourceName("plural", "a".repeat(64)), invalidName(/at most 63/));
});

test("pluralize follows the English rules kubebuilder applies", () => {
  const cases: Record<string, string> = {
    Memcached: "memcacheds", Policy: "policies", Ingress: "ingresses", Gateway: "gateways", Proxy: "proxies", Box: "boxes", Match: "matches",
    Mesh: "meshes", Quiz: "quizzes", Analysis: "analyses", Endpoints: "endpoints", Person: "people", BackupStatus: "backupstatuses",
    ClusterIndex: "clusterindices", Database: "databases", Repo: "repos", Series: "series", Widget: "widgets", Human: "humans",
  };
  for (const [kind, plural] of Object.entries(cases)) assert.equal(pluralize(kind), plural, kind);
});

test("versions sort by Kubernetes priority", () => {
  assert.deepEqual(["v1alpha1", "v2", "v1", "v1beta2", "v1beta10", "v2alpha1", "foo"].sort(compareVersions), ["v2", "v1", "v1beta10", "v1beta2", "v2alpha1", "v1alpha1", "foo"]);
});
