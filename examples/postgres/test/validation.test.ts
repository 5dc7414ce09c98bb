// Invalid Postgresql resources are refused by the API server, from the CRD's
// schema alone (no operator running), with the API server's own message.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ApiError, type Client } from "operant";
import { testCluster, type TestCluster } from "operant/testing";
import { Postgresql } from "../src/api/postgresql.ts";

let cluster: TestCluster;
let client: Client;
let ns: string;

before(async () => {
  cluster = await testCluster({ resources: [Postgresql] });
  client = cluster.client;
  ns = await cluster.namespace("pgval");
});
after(() => cluster.close());

const base = { instances: 1, storage: { size: "1Gi" } };

const cases: [string, Record<string, unknown>, RegExp, string?][] = [
  ["instances 0", { ...base, instances: 0 }, /spec\.instances: Invalid value: 0: spec\.instances in body should be greater than or equal to 1/],
  ["a bad storage quantity", { ...base, storage: { size: "10GB" } }, /spec\.storage\.size: Invalid value: "10GB": spec\.storage\.size in body should match/],
  ["a zero storage size", { ...base, storage: { size: "0" } }, /spec\.storage\.size: Invalid value: "0": storage\.size must be more than 0/],
  ["an invalid user name", { ...base, users: [{ name: "Bad-Name" }] }, /spec\.users\[0\]\.name: Invalid value: "Bad-Name": spec\.users\[0\]\.name in body should match '\^\[a-z_\]\[a-z0-9_\]\*\$'/],
  ["the reserved user postgres", { ...base, users: [{ name: "postgres" }] }, /spec\.users\[0\]: Invalid value: .*postgres is the superuser/],
  ["a database owned by an unknown user", { ...base, databases: [{ name: "orders", owner: "nobody" }] }, /every database owner must be postgres or one of spec\.users/],
  ["a bad resource quantity", { ...base, resources: { requests: { cpu: "lots" } } }, /spec\.resources\.requests\.cpu: Invalid value: "lots"/],
  ["a name too long for its Services", base, /the name must be at most 40/, "x".repeat(41)],
];

for (const [what, spec, message, name] of cases) {
  test(`refused: ${what}`, async () => {
    await assert.rejects(
      client.create(Postgresql, { metadata: { name: name ?? "bad", namespace: ns }, spec } as unknown as Postgresql),
      (err) => err instanceof ApiError && err.status === 422 && message.test(err.message),
    );
  });
}

test("a valid resource is accepted", async () => {
  const created = await client.create(Postgresql, { metadata: { name: "good", namespace: ns }, spec: { ...base, users: [{ name: "app", options: ["CREATEDB"] }], databases: [{ name: "orders", owner: "app" }], resources: { requests: { cpu: "500m", memory: 1 } } } }, { dryRun: true });
  assert.equal(created.spec.instances, 1);
});
