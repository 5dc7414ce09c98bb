import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { HashRing, ringHash } from "./ring.ts";

const keys = (n: number, prefix = "ns") => Array.from({ length: n }, (_, i) => `${prefix}/obj-${i}`);
const memberId = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const memberSet = (min: number, max: number) => fc.uniqueArray(memberId, { minLength: min, maxLength: max });

test("ringHash is stable: fixed values, unsigned 32-bit", () => {
  assert.equal(ringHash(""), 0xda39a3ee); // SHA-1 of the empty string begins da39a3ee
  assert.equal(ringHash("default/web"), ringHash("default/web"));
  assert.ok(ringHash("x") >= 0 && ringHash("x") <= 0xffffffff);
});

test("an empty ring owns nothing; a ring of one owns everything", () => {
  assert.equal(new HashRing([]).ownerOf("a/b"), undefined);
  assert.ok(new HashRing([]).empty);
  const one = new HashRing(["solo"]);
  for (const k of keys(50)) assert.equal(one.ownerOf(k), "solo");
});

test("the owner depends only on the set of members, not their order or duplicates", () => {
  fc.assert(
    fc.property(memberSet(1, 6), fc.array(fc.string(), { minLength: 1, maxLength: 20 }), (members, ks) => {
      const a = new HashRing(members);
      const b = new HashRing([...members].reverse().concat(members));
      for (const k of ks) {
        const owner = a.ownerOf(k);
        assert.equal(owner, b.ownerOf(k));
        assert.ok(members.includes(owner!));
      }
    }),
    { seed: 17, numRuns: 100 },
  );
});

test("distribution: with 100 virtual nodes, every member of 2–5 gets between 0.5× and 1.6× its fair share of 3,000 keys", () => {
  const ks = keys(3000);
  fc.assert(
    fc.property(memberSet(2, 5), (members) => {
      const ring = new HashRing(members);
      const counts = new Map(members.map((m) => [m, 0]));
      for (const k of ks) counts.set(ring.ownerOf(k)!, counts.get(ring.ownerOf(k)!)! + 1);
      const fair = ks.length / members.length;
      for (const [m, c] of counts) assert.ok(c > 0.5 * fair && c < 1.6 * fair, `${m} got ${c} of ${ks.length} keys (fair share ${fair.toFixed(0)}) among ${members.join(",")}`);
    }),
    { seed: 23, numRuns: 40 },
  );
});

test("adding a member moves only keys to it, about 1/(N+1) of them; removing one moves only its own keys", () => {
  const ks = keys(2000);
  fc.assert(
    fc.property(memberSet(2, 6), (all) => {
      const [added, ...rest] = all as [string, ...string[]];
      const before = new HashRing(rest);
      const after = new HashRing(all);
      let moved = 0;
      for (const k of ks) {
        const was = before.ownerOf(k);
        const now = after.ownerOf(k);
        if (was !== now) {
          moved++;
          assert.equal(now, added, `key ${k} moved from ${was} to ${now}, not to the added member`);
        }
      }
      const expected = ks.length / all.length;
      assert.ok(moved > 0.4 * expected && moved < 1.8 * expected, `adding 1 to ${rest.length} moved ${moved} of ${ks.length} keys (1/N = ${expected.toFixed(0)})`);
      // The reverse: removing `added` moves exactly the keys it held, each back to its former owner.
      for (const k of ks) if (after.ownerOf(k) !== added) assert.equal(before.ownerOf(k), after.ownerOf(k));
    }),
    { seed: 29, numRuns: 40 },
  );
});

test("virtualNodes must be a positive integer", () => {
  assert.throws(() => new HashRing(["a"], { virtualNodes: 0 }), RangeError);
  assert.equal(new HashRing(["a", "b"], { virtualNodes: 1 }).members.length, 2);
});
