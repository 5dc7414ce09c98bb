import assert from "node:assert/strict";
import { test } from "node:test";
import type { Static } from "typebox";
import { toStructural } from "../schema/convert.ts";
import { problems } from "../validate/validate.ts";
import { EmbeddedResource } from "./embedded-resource.ts";

test("EmbeddedResource is an embedded Kubernetes object with apiVersion and kind required", () => {
  const field = EmbeddedResource({ description: "The object to create" });
  assert.deepEqual(toStructural(field, "spec.template"), {
    type: "object",
    description: "The object to create",
    required: ["apiVersion", "kind"],
    properties: { apiVersion: { type: "string" }, kind: { type: "string" } },
    "x-kubernetes-embedded-resource": true,
    "x-kubernetes-preserve-unknown-fields": true,
  });
  const cm: Static<typeof field> = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "b" } };
  assert.deepEqual(problems(field, cm), []);
  assert.deepEqual(problems(field, { metadata: {} }).map((p) => p.path), ["apiVersion", "kind"]);
  // @ts-expect-error kind is required
  const noKind: Static<typeof field> = { apiVersion: "v1" };
  assert.ok(noKind);
});
