import assert from "node:assert/strict";
import { hostname } from "node:os";
import { test } from "node:test";
import { leaderIdentity } from "./identity.ts";

test("an identity is the instance name plus a random suffix, never shared by two calls", () => {
  const a = leaderIdentity("op-1");
  const b = leaderIdentity("op-1");
  assert.match(a, /^op-1_[0-9a-f]{10}$/);
  assert.notEqual(a, b);
  assert.ok(leaderIdentity().startsWith(`${hostname()}_`));
  assert.match(leaderIdentity(""), /^operant_[0-9a-f]{10}$/);
});
