// The webhook server over real HTTPS on loopback, without a cluster: the
// review formats it answers, what it refuses, and that no input crashes it.
import assert from "node:assert/strict";
import { connect } from "node:http2";
import { request } from "node:https";
import type { TLSSocket } from "node:tls";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import Type from "typebox";
import { defineResource } from "../../crd/resource/resource.ts";
import { Pod } from "../../kinds/index.ts";
import { createCertificateAuthority } from "../../pki/pki.ts";
import { Admission, defineMutatingWebhook, defineValidatingWebhook } from "../admission/admission.ts";
import { staticCertificates } from "../certificates/source.ts";
import { defineConversion } from "../conversion/conversion.ts";
import { applyJsonPatch, type JsonPatchOperation, type JsonValue } from "../json-patch/json-patch.ts";
import { WebhookServer } from "./server.ts";

const ca = createCertificateAuthority("webhook-test-ca");
const V1alpha1 = defineResource({ group: "cache.example.com", version: "v1alpha1", kind: "Memcached", scope: "Namespaced", spec: Type.Object({ size: Type.Integer() }) });
const V1 = V1alpha1.defineVersion("v1", { spec: Type.Object({ replicas: Type.Integer() }), storage: true });

function post(port: number, path: string, body: string, method = "POST"): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, ca: ca.certPem, headers: { "content-type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, json: text.startsWith("{") ? (JSON.parse(text) as Record<string, unknown>) : { text } });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const admission = (request: Record<string, unknown>) =>
  JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: { uid: "uid-1", kind: { group: "", version: "v1", kind: "Pod" }, resource: { group: "", version: "v1", resource: "pods" }, operation: "CREATE", userInfo: { username: "alice" }, ...request },
  });

describe("WebhookServer", () => {
  const certs = staticCertificates(ca.issue({ commonName: "webhook", hosts: ["127.0.0.1"], usage: "server" }));
  const server = new WebhookServer({
    certificates: certs,
    bindAddress: "127.0.0.1:0",
    webhooks: [
      defineValidatingWebhook({
        kind: Pod,
        validate: (req) => (req.object?.metadata?.name === "bad" ? Admission.deny("bad name", { warnings: ["w1"] }) : req.object?.metadata?.name === "boom" ? Promise.reject(new Error("kaput")) : Admission.allow({ warnings: ["careful"] })),
      }),
      defineMutatingWebhook({
        kind: Pod,
        mutate: (req) => {
          const pod = req.object!;
          pod.metadata = { ...pod.metadata, labels: { ...pod.metadata?.labels, injected: "yes" } };
          return Admission.allow();
        },
      }),
    ],
    conversions: [defineConversion(V1).spoke(V1alpha1, { toHub: (o) => ({ spec: { replicas: o.spec.size } }), fromHub: (h) => ({ spec: { size: h.spec.replicas } }) })],
  });
  before(() => server.listen());
  after(() => server.close());

  test("validating: uid echoed, allowed with warnings, denied with code and reason, handler errors as 500", async () => {
    const ok = await post(server.port, "/validate--v1-pod", admission({ object: { metadata: { name: "good" } } }));
    assert.equal(ok.status, 200);
    assert.equal(ok.json.apiVersion, "admission.k8s.io/v1");
    assert.deepEqual(ok.json.response, { uid: "uid-1", allowed: true, warnings: ["careful"] });
    const bad = await post(server.port, "/validate--v1-pod", admission({ object: { metadata: { name: "bad" } } }));
    assert.deepEqual(bad.json.response, { uid: "uid-1", allowed: false, status: { code: 403, message: "bad name", reason: "Forbidden" }, warnings: ["w1"] });
    const boom = await post(server.port, "/validate--v1-pod", admission({ object: { metadata: { name: "boom" } } }));
    assert.deepEqual(boom.json.response, { uid: "uid-1", allowed: false, status: { code: 500, reason: "InternalError", message: "webhook handler failed: kaput" } });
  });

  test("mutating: a base64 JSONPatch that turns the object into the mutated one; no patch on DELETE", async () => {
    const object = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { a: "b" } } };
    const res = await post(server.port, "/mutate--v1-pod", admission({ object }));
    const response = res.json.response as { patchType: string; patch: string; allowed: boolean };
    assert.equal(response.allowed, true);
    assert.equal(response.patchType, "JSONPatch");
    const ops = JSON.parse(Buffer.from(response.patch, "base64").toString()) as JsonPatchOperation[];
    assert.deepEqual(applyJsonPatch(object as JsonValue, ops), { ...object, metadata: { name: "p", labels: { a: "b", injected: "yes" } } });
    const del = await post(server.port, "/mutate--v1-pod", admission({ operation: "DELETE", oldObject: object }));
    assert.equal((del.json.response as { patch?: string }).patch, undefined);
  });

  test("conversion: objects converted in request order, uid echoed, Failure for an unknown version", async () => {
    const objects = [1, 2, 3].map((n) => ({ apiVersion: "cache.example.com/v1alpha1", kind: "Memcached", metadata: { name: `m${n}` }, spec: { size: n } }));
    const review = (desiredAPIVersion: string) => JSON.stringify({ apiVersion: "apiextensions.k8s.io/v1", kind: "ConversionReview", request: { uid: "c-1", desiredAPIVersion, objects } });
    const res = await post(server.port, "/convert", review("cache.example.com/v1"));
    assert.equal(res.json.kind, "ConversionReview");
    const response = res.json.response as { uid: string; convertedObjects: { metadata: { name: string }; spec: unknown; apiVersion: string }[]; result: { status: string } };
    assert.equal(response.uid, "c-1");
    assert.deepEqual(response.result, { status: "Success" });
    assert.deepEqual(response.convertedObjects.map((o) => [o.apiVersion, o.metadata.name, o.spec]), [1, 2, 3].map((n) => ["cache.example.com/v1", `m${n}`, { replicas: n }]));
    const failed = await post(server.port, "/convert", review("cache.example.com/v9"));
    const fr = failed.json.response as { result: { status: string; message: string }; convertedObjects: unknown[] };
    assert.equal(fr.result.status, "Failure");
    assert.match(fr.result.message, /version v9/);
    assert.deepEqual(fr.convertedObjects, []);
  });

  test("refuses what is not a review: 400 with the reason, 404 for unknown paths, 405 for GET", async () => {
    const bad = await post(server.port, "/validate--v1-pod", admission({ operation: "FROB" }));
    assert.equal(bad.status, 400);
    assert.match(String(bad.json.error), /request.operation must be one of/);
    assert.equal((await post(server.port, "/nope", "{}")).status, 404);
    assert.equal((await post(server.port, "/convert", "", "GET")).status, 405);
    assert.equal((await post(server.port, "/healthz", "", "GET")).status, 200);
  });

  test("no body crashes it: arbitrary input gets 200 or 400, and the server still answers", async () => {
    const paths = fc.constantFrom("/validate--v1-pod", "/mutate--v1-pod", "/convert");
    const bodies = fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), fc.jsonValue({ maxDepth: 2 }).map((o) => admission({ object: o, oldObject: o })));
    await fc.assert(
      fc.asyncProperty(paths, bodies, async (path, body) => {
        const res = await post(server.port, path, body);
        assert.ok(res.status === 200 || res.status === 400, `status ${res.status} for ${body.slice(0, 80)}`);
      }),
      { seed: 1313, numRuns: 150 },
    );
    const ok = await post(server.port, "/validate--v1-pod", admission({ object: { metadata: { name: "good" } } }));
    assert.equal(ok.status, 200);
  });

  test("a rotated certificate is served to new connections", async () => {
    const next = ca.issue({ commonName: "webhook-2", hosts: ["127.0.0.1"], usage: "server" });
    certs.rotate(next);
    assert.equal(server.stats.rotations, 1);
    const commonName = await new Promise<string>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: server.port, path: "/healthz", ca: ca.certPem, agent: false }, (res) => {
        resolve((res.socket as TLSSocket).getPeerCertificate().subject.CN as string);
        res.resume();
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(commonName, "webhook-2");
  });
});

describe("WebhookServer over HTTP/2", () => {
  test("negotiates h2 (calls multiplexed over one connection), still serves HTTP/1.1, and close() ends open sessions without waiting for the client", async () => {
    const server = new WebhookServer({ certificates: staticCertificates(ca.issue({ commonName: "webhook", hosts: ["127.0.0.1"], usage: "server" })), bindAddress: "127.0.0.1:0", webhooks: [defineValidatingWebhook({ kind: Pod, validate: (req) => (req.object?.metadata?.name === "bad" ? Admission.deny("bad name") : Admission.allow()) })] });
    await server.listen();
    const session = connect(`https://127.0.0.1:${server.port}`, { ca: ca.certPem });
    try {
      const call = (name: string) =>
        new Promise<{ status: number; json: { response: { allowed: boolean } } }>((resolve, reject) => {
          const stream = session.request({ ":method": "POST", ":path": "/validate--v1-pod", "content-type": "application/json" });
          let status = 0;
          let text = "";
          stream.on("response", (headers) => (status = Number(headers[":status"])));
          stream.on("data", (d: Buffer) => (text += d.toString()));
          stream.on("end", () => resolve({ status, json: JSON.parse(text) as { response: { allowed: boolean } } }));
          stream.on("error", reject);
          stream.end(admission({ object: { metadata: { name } } }));
        });
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(i % 4 === 3 ? "bad" : `pod-${i}`)));
      assert.deepEqual(answers.map((a) => a.status), Array<number>(20).fill(200));
      assert.equal(answers.filter((a) => !a.json.response.allowed).length, 5);
      assert.equal((session.socket as TLSSocket).alpnProtocol, "h2");
      const h1 = await post(server.port, "/validate--v1-pod", admission({ object: { metadata: { name: "bad" } } }));
      assert.equal(h1.status, 200, "HTTP/1.1 clients are still served");
      assert.equal(server.stats.answered, 21);
    } finally {
      // The client keeps its session open: close() must end it (GOAWAY) rather than wait for the client.
      const closed = new Promise<void>((resolve) => session.on("close", () => resolve()));
      await server.close();
      await closed;
    }
  });
});
