// Property tests of kubeconfig loading: whatever the text (malformed YAML,
// wrong shapes, deep nesting, aliases, strange values in the right places),
// turning it into a ClusterConfig either succeeds or throws an OperantError
// with a code, never a TypeError or a RangeError.
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { stringify } from "yaml";
import { fuzz } from "../../../test/support/fuzz.ts";
import { OperantError } from "../../core/errors.ts";
import { clusterConfigFromKubeconfig } from "./resolve.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "operant-kubeconfig-fuzz-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function outcome(input: string | object): Promise<string> {
  try {
    const config = await clusterConfigFromKubeconfig(input, { path: join(dir, "kubeconfig"), env: {} } as never);
    assert.equal(typeof config.server, "string");
    assert.ok(config.server.startsWith("http"), config.server);
    return "config";
  } catch (err) {
    assert.ok(err instanceof OperantError, `${JSON.stringify(input).slice(0, 300)}\n→ ${(err as Error)?.stack ?? String(err)}`);
    return err.code;
  }
}

// Values that are plausible, wrong, or hostile, for any field.
const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("https://127.0.0.1:6443", "10.0.0.1:443", "ftp://x", "http://[::1]:80/p/", "", "..", "/", "/dev/null", ".", "c", "u", "x", "__proto__", "constructor", "client.authentication.k8s.io/v1", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmFiYwotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), scalar, { maxKeys: 2 }));
/** Mostly the valid value, sometimes a fuzzed one, sometimes absent. */
const mostly = <T>(valid: T) => fc.oneof({ arbitrary: fc.constant(valid), weight: 80 }, { arbitrary: value, weight: 1 }, { arbitrary: fc.constant(undefined), weight: 2 });
const CA = Buffer.from("-----BEGIN CERTIFICATE-----\nYWJj\n-----END CERTIFICATE-----\n").toString("base64");
const cluster = fc.record(
  {
    server: mostly("https://127.0.0.1:6443"),
    "certificate-authority-data": mostly(CA),
    "insecure-skip-tls-verify": mostly(false),
    "tls-server-name": mostly("localhost"),
    "proxy-url": mostly("http://proxy:3128"),
  },
  { requiredKeys: [] },
);
const exec = fc.record({ apiVersion: mostly("client.authentication.k8s.io/v1"), command: mostly("aws"), args: mostly(["eks", "get-token"]), env: mostly([{ name: "A", value: "b" }]), interactiveMode: mostly("Never") }, { requiredKeys: [] });
const user = fc.oneof(
  fc.record({ token: mostly("t"), tokenFile: fc.constantFrom(undefined, "/nonexistent/token"), username: fc.constantFrom(undefined, "u") }, { requiredKeys: [] }),
  fc.record({ "client-certificate-data": mostly(CA), "client-key-data": mostly(CA) }, { requiredKeys: [] }),
  fc.record({ exec }),
  fc.record({ "auth-provider": fc.record({ name: mostly("gcp"), config: mostly({ "access-token": "a", expiry: "2030-01-01T00:00:00Z" }) }, { requiredKeys: [] }) }),
  fc.record({ as: mostly("admin") }),
  value,
);
const entries = <T>(inner: fc.Arbitrary<T>, key: string, name: string) =>
  fc.oneof({ arbitrary: fc.tuple(inner).map(([v]) => [{ name, [key]: v }]), weight: 4 }, { arbitrary: fc.array(fc.oneof(fc.record({ name: mostly(name), [key]: inner }), value), { maxLength: 2 }), weight: 1 }, { arbitrary: value, weight: 1 });
const document = fc.record(
  {
    apiVersion: mostly("v1"),
    kind: mostly("Config"),
    "current-context": mostly("c"),
    clusters: entries(cluster, "cluster", "c"),
    users: entries(user, "user", "u"),
    contexts: entries(fc.record({ cluster: mostly("c"), user: mostly("u"), namespace: mostly("ns") }, { requiredKeys: [] }), "context", "c"),
  },
  { requiredKeys: [] },
).map((d) => JSON.parse(JSON.stringify(d)) as object);

test("property: a kubeconfig-shaped document gives a ClusterConfig or a coded error", async (t) => {
  const codes = new Map<string, number>();
  await fuzz(
    t,
    "kubeconfig (shaped documents)",
    fc.asyncProperty(document, fc.boolean(), async (doc, asText) => {
      const r = await outcome(asText ? stringify(doc) : doc);
      codes.set(r, (codes.get(r) ?? 0) + 1);
    }),
    { numRuns: 1000 },
  );
  t.diagnostic(`outcomes: ${[...codes].map(([c, n]) => `${c} ${n}`).join(", ")}`);
  if (process.env.OPERANT_FUZZ_REPORT) appendFileSync(process.env.OPERANT_FUZZ_REPORT, `  kubeconfig outcomes: ${[...codes].map(([c, n]) => `${c} ${n}`).join(", ")}\n`);
  assert.ok((codes.get("config") ?? 0) > 0 && codes.size > 3, "the generator reaches both configs and several errors");
});

test("property: arbitrary text, deep nesting and aliases give a coded error, never a crash", async (t) => {
  const deep = fc.integer({ min: 1, max: 6_000 }).map((n) => `clusters: ${"[".repeat(n)}${"]".repeat(n)}\n`);
  const deepMap = fc.integer({ min: 1, max: 2_000 }).map((n) => `users:\n- name: u\n  user: ${"{a: ".repeat(n)}1${"}".repeat(n)}\n`);
  const aliases = fc.integer({ min: 1, max: 12 }).map((n) => {
    let text = `a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n`;
    for (let i = 1; i <= n; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]\n`;
    return `${text}clusters: *a${n}\n`;
  });
  await fuzz(
    t,
    "kubeconfig (arbitrary text)",
    fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 60 }), deep, deepMap, aliases), async (text) => {
      await outcome(text);
    }),
    { numRuns: 100 },
  );
});

// Found by the property above: an alias bomb (YAML anchors referencing anchors, a billion laughs) made the
// yaml parser throw a plain ReferenceError ("Excessive alias count…"), which escaped loadClusterConfig
// uncoded. It is now KubeconfigInvalid.
test("an alias bomb is KubeconfigInvalid", async () => {
  let text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (let i = 1; i <= 6; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]\n`;
  assert.equal(await outcome(`${text}clusters: *a6\n`), "KubeconfigInvalid");
});
