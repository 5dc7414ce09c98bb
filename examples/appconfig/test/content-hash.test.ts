// Content hashes: what counts as a change, and that a Secret's hash is keyed.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import type { Stored } from "operant";
import type { ConfigMap, Secret } from "operant/kinds";
import { combinedHash, configMapHash, formatRecord, parseRecord, sameContent, secretHash } from "../src/controllers/content-hash.ts";

const meta = (uid = "uid-1") => ({ name: "x", namespace: "ns", uid, resourceVersion: "1", creationTimestamp: "2024-01-01T00:00:00Z" });
const cm = (data: Record<string, string>, extra: Partial<Stored<ConfigMap>> = {}): Stored<ConfigMap> => ({ apiVersion: "v1", kind: "ConfigMap", metadata: meta(), data, ...extra });
const secret = (data: Record<string, string>, uid = "uid-1"): Stored<Secret> => ({ apiVersion: "v1", kind: "Secret", metadata: meta(uid), data });

describe("content hashes", () => {
  test("only data and binaryData count, not their key order, labels or annotations", () => {
    const a = cm({ a: "1", b: "2" });
    assert.equal(configMapHash(a), configMapHash(cm({ b: "2", a: "1" })));
    assert.equal(configMapHash(a), configMapHash(cm({ a: "1", b: "2" }, { metadata: { ...meta("other"), labels: { x: "y" }, annotations: { n: "m" }, resourceVersion: "9" } })));
    assert.notEqual(configMapHash(a), configMapHash(cm({ a: "1", b: "3" })));
    assert.notEqual(configMapHash(a), configMapHash(cm({ a: "1" }, { binaryData: { b: "2" } })), "moving a key to binaryData is a change");
    assert.match(configMapHash(a), /^[0-9a-f]{16}$/);
    assert.equal(sameContent(a, cm({ b: "2", a: "1" })), true);
    assert.equal(sameContent(a, cm({ a: "1" })), false);
  });

  test("a Secret's hash is keyed with the namespace's secret key, not with anything readable (the uid): another key gives another hash, the uid changes nothing", () => {
    const data = { token: Buffer.from("hunter2").toString("base64") };
    const key = Buffer.alloc(32, 7);
    const h = secretHash(secret(data), key);
    const plain = createHash("sha256").update(JSON.stringify({ data: Object.entries(data), binaryData: [] })).digest("hex");
    assert.notEqual(h, plain.slice(0, 16));
    assert.equal(h, secretHash(secret({ ...data }), key));
    assert.equal(h, secretHash(secret(data, "uid-2"), key), "the uid (public: owner references, events, audit logs) plays no part");
    assert.notEqual(h, secretHash(secret(data), Buffer.alloc(32, 8)));
    assert.notEqual(h, secretHash(secret({ token: Buffer.from("hunter3").toString("base64") }), key));
    assert.throws(() => secretHash(secret(data), Buffer.alloc(8)), /at least 16 bytes/);
  });

  test("records round-trip through an annotation; unreadable ones are empty; the combined hash ignores order", () => {
    const record = { "Secret/db": "b", "ConfigMap/app": "a" };
    assert.equal(formatRecord(record), '{"ConfigMap/app":"a","Secret/db":"b"}');
    assert.deepEqual(parseRecord(formatRecord(record)), { "ConfigMap/app": "a", "Secret/db": "b" });
    for (const bad of [undefined, "", "garbage", "[1]", "null", '"s"']) assert.deepEqual(parseRecord(bad), {}, String(bad));
    assert.deepEqual(parseRecord('{"a":"x","b":2}'), { a: "x" });
    assert.equal(combinedHash(record), combinedHash({ "ConfigMap/app": "a", "Secret/db": "b" }));
    assert.notEqual(combinedHash(record), combinedHash({ "ConfigMap/app": "a", "Secret/db": "c" }));
  });
});
