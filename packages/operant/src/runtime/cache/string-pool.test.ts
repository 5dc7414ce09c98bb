import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { deepFreeze } from "../../core/object.ts";
import { internAndFreeze, StringPool } from "./string-pool.ts";

test("equal strings come back as one instance; the object is deeply frozen", () => {
  const pool = new StringPool();
  const a = internAndFreeze(JSON.parse('{"spec":{"containers":[{"imagePullPolicy":"IfNotPresent","args":["x","IfNotPresent"]}]}}') as { spec: { containers: { imagePullPolicy: string; args: string[] }[] } }, pool);
  const b = internAndFreeze(JSON.parse('{"spec":{"containers":[{"imagePullPolicy":"IfNotPresent","args":[]}]}}') as typeof a, pool);
  assert.equal(a.spec.containers[0]!.imagePullPolicy, b.spec.containers[0]!.imagePullPolicy);
  assert.equal(pool.size, 2);
  assert.ok(Object.isFrozen(a.spec.containers[0]!.args));
  assert.throws(() => {
    (a.spec as { containers: unknown }).containers = [];
  }, TypeError);
});

test("the pool stays bounded: strings unseen for two generations drop out", () => {
  const pool = new StringPool(10);
  for (let i = 0; i < 1000; i++) pool.intern(`unique-${i}`);
  assert.ok(pool.size <= 21, `size ${pool.size}`);
  const keep = pool.intern("hot");
  for (let i = 0; i < 100; i++) {
    pool.intern(`more-${i}`);
    assert.equal(pool.intern("hot"), keep);
  }
});

test("long strings are not pooled", () => {
  const pool = new StringPool(10, 8);
  pool.intern("a-very-long-string");
  assert.equal(pool.size, 0);
});

// ---- properties (fast-check, fixed seeds): arbitrary JSON, deep and wide ----

/** Every object and array reachable from `v` (walked with a stack: the values may be 10,000 levels deep). */
function allNodes(v: unknown): object[] {
  const out: object[] = [];
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (x === null || typeof x !== "object") continue;
    out.push(x);
    for (const c of Object.values(x)) stack.push(c);
  }
  return out;
}

/** JSON text of a value nested `depth` levels, each level an object (under `key`) or an array, per `shape`, with `width` siblings of each level. */
function nestedJson(depth: number, shape: readonly boolean[], key: string, width: number): string {
  const sib = (i: number) => `"s${i}"`;
  let open = "";
  let close = "";
  for (let d = 0; d < depth; d++) {
    const asArray = shape[d % shape.length]!;
    const siblings = Array.from({ length: width }, (_, i) => (asArray ? sib(i) : `"w${i}":${sib(i)}`)).join(",");
    if (asArray) {
      open += `[${siblings}${siblings ? "," : ""}`;
      close = `]${close}`;
    } else {
      open += `{${siblings}${siblings ? "," : ""}${JSON.stringify(key)}:`;
      close = `}${close}`;
    }
  }
  return `${open}"bottom"${close}`;
}

test("property: internAndFreeze keeps any JSON value as it was and freezes every object and array in it", () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
      const text = JSON.stringify(v);
      const pool = new StringPool(64, 256);
      const out = internAndFreeze(JSON.parse(text) as unknown, pool);
      assert.equal(JSON.stringify(out), text);
      for (const n of allNodes(out)) assert.ok(Object.isFrozen(n));
    }),
    { seed: 1212, numRuns: 300 },
  );
});

test("property: internAndFreeze and deepFreeze walk objects nested up to 10,000 levels (the API server's limit), wide or not, without overflowing the stack", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10_000 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), fc.string({ maxLength: 8 }), fc.integer({ min: 0, max: 3 }), (depth, shape, key, width) => {
      const text = nestedJson(depth, shape, key, width);
      for (const freeze of [(x: unknown) => internAndFreeze(x, new StringPool(16)), deepFreeze]) {
        const out = freeze(JSON.parse(text) as unknown);
        const nodes = allNodes(out);
        assert.equal(nodes.length, depth);
        assert.ok(nodes.every((n) => Object.isFrozen(n)));
      }
    }),
    { seed: 1213, numRuns: 40 },
  );
});

test("a shared or cyclic sub-object (which a transform could make) is walked once and the walk ends", () => {
  const shared = { a: "x" };
  const cyclic: Record<string, unknown> = { shared, list: [shared, shared] };
  cyclic.self = cyclic;
  for (const freeze of [(x: unknown) => internAndFreeze(x, new StringPool()), deepFreeze]) {
    const copy: Record<string, unknown> = { shared: { a: "x" } };
    copy.self = copy;
    freeze(copy);
    assert.ok(Object.isFrozen(copy) && Object.isFrozen(copy.shared));
  }
  internAndFreeze(cyclic);
  assert.ok(Object.isFrozen(cyclic) && Object.isFrozen(shared) && Object.isFrozen(cyclic.list));
});
