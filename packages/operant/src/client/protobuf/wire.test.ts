// The protobuf reader and the generated decoders on hand-encoded messages,
// and on hostile input: random, truncated and mutated bytes end in an
// InvalidResponse OperantError (or a decoded object), never another error,
// a read past the end or a hang.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fuzz } from "../../../test/support/fuzz.ts";
import { OperantError } from "../../core/errors.ts";
import { decodeList, decodeObject, decodeWatchEvent, protobufDecoder } from "./envelope.ts";
import { ProtoReader } from "./wire.ts";

// A minimal protobuf writer for building test messages.
function varint(v: bigint): number[] {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    let b = Number(u & 0x7fn);
    u >>= 7n;
    if (u !== 0n) b |= 0x80;
    out.push(b);
  } while (u !== 0n);
  return out;
}
const tag = (field: number, wire: number) => varint(BigInt((field << 3) | wire));
const vint = (field: number, v: number | bigint) => [...tag(field, 0), ...varint(BigInt(v))];
const bytes = (field: number, b: number[] | Uint8Array) => [...tag(field, 2), ...varint(BigInt(b.length)), ...b];
const str = (field: number, s: string) => bytes(field, [...Buffer.from(s)]);
const entry = (field: number, k: string, v: number[]) => bytes(field, [...str(1, k), ...bytes(2, v)]);
const envelope = (apiVersion: string, kind: string, raw: number[]) => Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...bytes(1, [...str(1, apiVersion), ...str(2, kind)]), ...bytes(2, raw)]);

/** A Pod: metadata {name, namespace, labels, creationTimestamp, generation}, spec {containers [{name, image, resources.requests}], priority 0}. */
function podMessage(name: string): number[] {
  const meta = [...str(1, name), ...str(3, "default"), ...vint(7, 2), ...bytes(8, [...vint(1, 1767323045)]), ...entry(11, "app", [...Buffer.from("web")])];
  const container = [...str(1, "web"), ...str(2, "nginx"), ...bytes(8, [...entry(2, "cpu", str(1, "500m"))])];
  const spec = [...bytes(2, container), ...vint(25, 0), ...vint(4, -1n)];
  return [...bytes(1, meta), ...bytes(2, spec)];
}

test("int64 and int32 varints decode as JSON.parse reads their decimal form", async (t) => {
  await fuzz(
    t,
    "protobuf varint",
    fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
      const r = new ProtoReader(Uint8Array.from(varint(v)));
      assert.equal(r.int64(), JSON.parse(v.toString()) as number);
      assert.equal(r.pos, r.buf.length);
      const i32 = BigInt.asIntN(32, v);
      const r2 = new ProtoReader(Uint8Array.from(varint(i32)));
      assert.equal(r2.int32(), Number(i32));
      assert.equal(r2.pos, r2.buf.length);
    }),
    { numRuns: 500 },
  );
});

test("strings decode to what their UTF-8 bytes say, however often they repeat and whatever shares a slot of the recent-strings table", async (t) => {
  // A small alphabet makes repeats and slot collisions frequent; any string, any length, non-ASCII included.
  const short = fc.string({ unit: fc.constantFrom("a", "b", "-", "0", "Z"), maxLength: 40 });
  await fuzz(
    t,
    "protobuf strings",
    fc.property(fc.array(fc.oneof({ weight: 4, arbitrary: short }, { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) }), { minLength: 1, maxLength: 60 }), (strings) => {
      for (let pass = 0; pass < 2; pass++) {
        // A pass without an interner, then one decoding into a cache's form; reads alternate between unique and repeated strings.
        const pool = new Map<string, string>();
        const cacheForm = pass === 0 ? undefined : { intern: (s: string) => pool.get(s) ?? (pool.set(s, s), s) };
        const r = new ProtoReader(Uint8Array.from(strings.flatMap((s) => [...varint(BigInt(Buffer.byteLength(s))), ...Buffer.from(s)])), "test", { cacheForm });
        const read = strings.map((_, i) => (i % 3 === 0 ? r.string() : r.istring()));
        const expected = strings.map((s) => Buffer.from(s).toString("utf8"));
        assert.deepEqual(read, expected);
        assert.equal(r.pos, r.buf.length);
        // Every repeated string read into a cache's form passed through the interner.
        if (cacheForm) for (let i = 0; i < read.length; i++) if (i % 3 !== 0) assert.ok(pool.has(read[i]!), `${JSON.stringify(read[i])} was interned`);
      }
    }),
    { numRuns: 400 },
  );
});

test("metav1.Time decodes to RFC 3339 to the second, as its MarshalJSON writes it, also when seconds repeat", async (t) => {
  await fuzz(
    t,
    "protobuf time",
    fc.property(fc.array(fc.integer({ min: 0, max: 253402300799 }), { minLength: 1, maxLength: 20 }), (times) => {
      for (const seconds of [...times, ...times]) {
        const msg = Uint8Array.from(vint(1, seconds));
        const r = new ProtoReader(msg);
        const d = new Date(seconds * 1000);
        const p2 = (n: number) => String(n).padStart(2, "0");
        assert.equal(r.time(msg.length), `${String(d.getUTCFullYear()).padStart(4, "0")}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}Z`);
      }
    }),
    { numRuns: 200 },
  );
});

test("a Pod decodes to the object its JSON would parse to", () => {
  const pod = decodeObject(envelope("v1", "Pod", podMessage("web-1")), "get Pod");
  assert.deepStrictEqual(pod, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-1", namespace: "default", generation: 2, creationTimestamp: "2026-01-02T03:04:05Z", labels: { app: "web" } },
    spec: {
      containers: [{ name: "web", image: "nginx", resources: { requests: { cpu: "500m" } } }],
      priority: 0,
      terminationGracePeriodSeconds: -1,
    },
    status: {},
  });
});

test("a list decodes to metadata and items; an error envelope decodes to its Status", () => {
  const list = decodeList(envelope("v1", "PodList", [...bytes(1, [...str(2, "42"), ...str(3, "next")]), ...bytes(2, podMessage("a")), ...bytes(2, podMessage("b"))]), protobufDecoder("v1", "Pod")!, "list Pod");
  assert.deepEqual(list.metadata, { resourceVersion: "42", continue: "next" });
  assert.deepEqual(
    (list.items as { metadata: { name: string } }[]).map((i) => i.metadata.name),
    ["a", "b"],
  );
  const status = decodeObject(envelope("v1", "Status", [...str(2, "Failure"), ...str(3, "nope"), ...str(4, "NotFound"), ...vint(6, 404)]), "get Pod");
  assert.deepEqual(status, { apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", message: "nope", reason: "NotFound", code: 404 });
});

test("a watch frame decodes to { type, object }", () => {
  const frame = Uint8Array.from([...str(1, "ADDED"), ...bytes(2, bytes(1, [...envelope("v1", "Pod", podMessage("w"))]))]);
  const ev = decodeWatchEvent(frame, "watch Pod");
  assert.equal(ev.type, "ADDED");
  assert.equal((ev.object.metadata as { name: string }).name, "w");
});

/** Runs `f`; returns "ok" or the code of an OperantError; any other error fails. */
function outcome(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (err) {
    assert.ok(err instanceof OperantError, `not an OperantError: ${String(err)}`);
    assert.equal(err.code, "InvalidResponse");
    return err.code;
  }
}

test("property: truncated and mutated Pods, and random bytes, end in InvalidResponse or an object, nothing else", async (t) => {
  const good = envelope("v1", "PodList", [...bytes(1, str(2, "7")), ...bytes(2, podMessage("a")), ...bytes(2, podMessage("b"))]);
  const pod = protobufDecoder("v1", "Pod")!;
  const mutation = fc.record({ cut: fc.nat(good.length), flips: fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }) });
  await fuzz(
    t,
    "protobuf decoders (mutated)",
    fc.property(mutation, ({ cut, flips }) => {
      const b = Uint8Array.from(good);
      for (const [at, v] of flips) b[at] = v;
      const body = b.subarray(0, cut);
      outcome(() => decodeList(body, pod, "list Pod"));
      outcome(() => decodeWatchEvent(body, "watch Pod", pod));
    }),
    { numRuns: 400 },
  );
  await fuzz(
    t,
    "protobuf decoders (random)",
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (raw, magic) => {
      const body = magic ? Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...raw]) : raw;
      outcome(() => decodeObject(body, "get Pod"));
      outcome(() => decodeList(body, pod, "list Pod"));
      outcome(() => decodeWatchEvent(body, "watch Pod", pod));
      const r = new ProtoReader(Uint8Array.from(raw));
      outcome(() => {
        while (r.pos < r.buf.length) r.skip(r.uint32());
      });
    }),
    { numRuns: 400 },
  );
});

test("truncation at every byte inside the list's message fails with a message naming the position", () => {
  const good = envelope("v1", "PodList", [...bytes(1, str(2, "7")), ...bytes(2, podMessage("a"))]);
  const pod = protobufDecoder("v1", "Pod")!;
  // Before the envelope's raw field a cut can fall between fields (a shorter, valid envelope); after its tag, never.
  const rawTag = 4 + bytes(1, [...str(1, "v1"), ...str(2, "PodList")]).length;
  for (let cut = rawTag + 1; cut < good.length; cut++) {
    assert.throws(
      () => decodeList(good.subarray(0, cut), pod, "list Pod"),
      (err: Error & { code?: string }) => err.code === "InvalidResponse" && /list Pod: .*malformed .* at byte \d+ of \d+/.test(err.message) && /wire: "json"/.test(err.message),
      `cut at ${cut}`,
    );
  }
});
