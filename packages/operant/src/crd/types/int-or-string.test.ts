import assert from "node:assert/strict";
import { test } from "node:test";
import type { Static } from "typebox";
import { toStructural } from "../schema/convert.ts";
import { problems } from "../validate/validate.ts";
import { IntOrString } from "./int-or-string.ts";

test("IntOrString is x-kubernetes-int-or-string, typed number | string", () => {
  const field = IntOrString({ description: "Pods that may be down", default: "25%" });
  assert.deepEqual(toStructural(field, "spec.maxUnavailable"), {
    description: "Pods that may be down",
    default: "25%",
    anyOf: [{ type: "integer" }, { type: "string" }],
    "x-kubernetes-int-or-string": true,
  });
  const values: Static<typeof field>[] = [1, "25%"];
  for (const v of values) assert.deepEqual(problems(field, v), []);
  assert.deepEqual(problems(field, 1.5), [{ path: "", message: "must be an integer or a string" }]);
  // @ts-expect-error a boolean is neither
  const wrong: Static<typeof field> = true;
  assert.equal(wrong, true);
});
