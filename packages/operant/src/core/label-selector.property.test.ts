// Property tests of label selectors: the object form, printed with
// selectorToString and parsed back by labelMatcher, selects exactly the same
// label sets as the object form compiled directly; equality maps agree with
// their string form; and any string is either a selector or InvalidSelector,
// whose matcher never throws on any labels.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fuzz } from "../../test/support/fuzz.ts";
import { isOperantError } from "./errors.ts";
import { labelMatcher, selectorToString, type LabelSelector } from "./label-selector.ts";

// Small pools, so that generated labels often hit the selector's keys and values.
const name = fc.constantFrom("app", "tier", "env", "a", "x-y", "v1.2", "under_score", "Mixed");
const key = fc.oneof(name, fc.tuple(fc.constantFrom("example.com", "app.kubernetes.io", "k8s.io"), name).map(([p, n]) => `${p}/${n}`));
const value = fc.constantFrom("", "web", "db", "prod", "stage", "1.2.3", "a_b", "A-z");
const expression = fc.oneof(
  fc.record({ key, operator: fc.constantFrom<"In" | "NotIn">("In", "NotIn"), values: fc.uniqueArray(value.filter((v) => v !== ""), { minLength: 1, maxLength: 3 }) }),
  fc.record({ key, operator: fc.constantFrom<"Exists" | "DoesNotExist">("Exists", "DoesNotExist") }),
);
const selector: fc.Arbitrary<LabelSelector> = fc.record(
  { matchLabels: fc.dictionary(key, value, { maxKeys: 3 }), matchExpressions: fc.array(expression, { maxLength: 3 }) },
  { requiredKeys: [] },
);
const labels = fc.dictionary(key, value, { maxKeys: 5 });

test("property: the string form of a selector selects exactly what the object form selects", async (t) => {
  await fuzz(
    t,
    "label selector (print/parse/match)",
    fc.property(selector, fc.array(labels, { minLength: 1, maxLength: 8 }), (sel, sets) => {
      const text = selectorToString(sel);
      const direct = labelMatcher(sel);
      const parsed = labelMatcher(text);
      const spaced = labelMatcher(text.replaceAll(",", " , ").replaceAll("(", "( ").replaceAll(")", " )"));
      for (const l of sets) {
        assert.equal(parsed(l), direct(l), `${text} on ${JSON.stringify(l)}`);
        assert.equal(spaced(l), direct(l), `${text} (spaced) on ${JSON.stringify(l)}`);
      }
      if (sel.matchLabels) assert.equal(labelMatcher(sel.matchLabels)(sel.matchLabels), labelMatcher(selectorToString(sel.matchLabels))(sel.matchLabels));
    }),
    { numRuns: 500 },
  );
});

test("property: Kubernetes semantics: != and notin match a missing key; = and in need it", async (t) => {
  await fuzz(
    t,
    "label selector (semantics)",
    fc.property(key, value, labels, (k, v, l) => {
      const has = Object.hasOwn(l, k);
      assert.equal(labelMatcher(`${k}!=${v}`)(l), !has || l[k] !== v);
      assert.equal(labelMatcher(`${k}=${v}`)(l), has && l[k] === v);
      assert.equal(labelMatcher(`${k}`)(l), has);
      assert.equal(labelMatcher(`!${k}`)(l), !has);
      if (v !== "") {
        assert.equal(labelMatcher(`${k} notin (${v})`)(l), !has || l[k] !== v);
        assert.equal(labelMatcher(`${k} in (${v})`)(l), has && l[k] === v);
      }
    }),
    { numRuns: 500 },
  );
});

test("property: any string is a selector or an InvalidSelector; a matcher never throws", async (t) => {
  const near = fc.array(fc.oneof(key, value, fc.constantFrom("=", "==", "!=", "!", " in ", " notin ", "(", ")", ",", " ", "__proto__", "constructor")), { maxLength: 10 }).map((parts) => parts.join(""));
  const hostileLabels = fc.oneof(labels, fc.dictionary(fc.constantFrom("__proto__", "constructor", "toString", "app"), fc.string({ maxLength: 3 })));
  await fuzz(
    t,
    "label selector (arbitrary strings)",
    fc.property(fc.oneof(fc.string({ maxLength: 20 }), near), hostileLabels, (s, l) => {
      let m;
      try {
        m = labelMatcher(s);
      } catch (err) {
        assert.ok(isOperantError(err, "InvalidSelector"), `${JSON.stringify(s)}: ${String(err)}`);
        return;
      }
      assert.equal(typeof m(l), "boolean");
      assert.equal(typeof m(undefined), "boolean");
    }),
    { numRuns: 2000 },
  );
});
