import assert from "node:assert/strict";
import { test } from "node:test";
import type { Static } from "typebox";
import { toStructural } from "../schema/convert.ts";
import { problems } from "../validate/validate.ts";
import { FreeForm } from "./free-form.ts";

test("FreeForm is an object whose unknown fields are preserved, typed Record<string, unknown>", () => {
  const field = FreeForm({ description: "Chart values", maxProperties: 50 });
  assert.deepEqual(toStructural(field, "spec.values"), { type: "object", description: "Chart values", maxProperties: 50, "x-kubernetes-preserve-unknown-fields": true });
  const v: Static<typeof field> = { replicas: 2, nested: { list: [1, "a", null] } };
  assert.deepEqual(problems(field, v), []);
  assert.deepEqual(problems(field, [1]), [{ path: "", message: "must be object" }]);
});
