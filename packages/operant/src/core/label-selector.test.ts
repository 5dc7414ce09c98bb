import assert from "node:assert/strict";
import { test } from "node:test";
import { labelMatcher, selectorToString } from "./label-selector.ts";

test("string selectors: equality, inequality, set, existence", () => {
  const m = labelMatcher("app=web, tier!=db, env in (prod, stage), !legacy, team");
  assert.equal(m({ app: "web", env: "prod", team: "x" }), true);
  assert.equal(m({ app: "web", env: "prod", team: "x", tier: "db" }), false);
  assert.equal(m({ app: "web", env: "dev", team: "x" }), false);
  assert.equal(m({ app: "web", env: "prod", team: "x", legacy: "1" }), false);
  assert.equal(m({ app: "web", env: "prod" }), false);
  assert.equal(labelMatcher("app==web")({ app: "web" }), true);
  assert.equal(labelMatcher("x notin (a,b)")({}), true);
  assert.equal(labelMatcher("x notin (a,b)")({ x: "a" }), false);
  assert.equal(labelMatcher("")({ any: "thing" }), true);
});

test("object selectors and equality maps", () => {
  const m = labelMatcher({ matchLabels: { app: "web" }, matchExpressions: [{ key: "env", operator: "NotIn", values: ["dev"] }, { key: "owner", operator: "Exists" }] });
  assert.equal(m({ app: "web", owner: "me" }), true);
  assert.equal(m({ app: "web", owner: "me", env: "dev" }), false);
  assert.equal(labelMatcher({ app: "web" })({ app: "web", x: "y" }), true);
  assert.equal(labelMatcher({ app: "web" })(undefined), false);
  assert.equal(labelMatcher(undefined)(undefined), true);
});

test("a malformed selector is refused with a hint", () => {
  assert.throws(() => labelMatcher("app=(web"), (e: Error & { code?: string }) => e.code === "InvalidSelector" && /Use forms like/.test(e.message));
});

test("object form round-trips through the string form", () => {
  const sel = { matchLabels: { app: "web" }, matchExpressions: [{ key: "env", operator: "In" as const, values: ["a", "b"] }, { key: "old", operator: "DoesNotExist" as const }] };
  const s = selectorToString(sel);
  assert.equal(s, "app=web,env in (a,b),!old");
  for (const labels of [{ app: "web", env: "a" }, { app: "web", env: "c" }, { app: "web", env: "a", old: "1" }] as Record<string, string>[]) {
    assert.equal(labelMatcher(s)(labels), labelMatcher(sel)(labels));
  }
});
