// The protobuf wire format, read by hand: varints, length-delimited fields
// and the few Kubernetes types that write their own JSON (Time, MicroTime,
// Quantity, IntOrString, RawExtension/FieldsV1). The generated decoders
// (generated.ts) call these methods; every read is bounds-checked, so
// truncated or hostile input ends in an `InvalidResponse` OperantError, never
// in a read past the buffer or a loop that does not advance.
import { OperantError } from "../../core/errors.ts";
import { deepFreeze } from "../../core/object.ts";

/**
 * A decoded object under construction: the shape of the JSON the API server
 * would have sent.
 *
 * @example
 * ```ts
 * const o: Obj = { metadata: { name: "web" } };
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

/**
 * Sets `m[k] = v` as JSON.parse would, also for the key `__proto__` (a
 * ConfigMap key may be that), which a plain assignment would turn into a
 * prototype change.
 *
 * @example
 * ```ts
 * setKey(data, "__proto__", "x"); // an own property, as in JSON.parse('{"__proto__":"x"}')
 * ```
 */
export function setKey(m: Obj, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(m, k, { value: v, writable: true, enumerable: true, configurable: true });
  else m[k] = v;
}

/**
 * Turns a constructor function into a message's shape: `new` of it makes a
 * plain object (prototype `Object.prototype`, as JSON.parse makes) with room
 * for the message's fields inside the object. V8 sizes the objects of
 * `new F()` by the `this.x =` assignments it finds in F's source — the
 * generated ones sit behind a flag that is never set — and trims them to what
 * the first few objects used (a later object with more fields keeps the extra
 * ones in a separate array, as every object would otherwise); a literal `{}`
 * has room for four fields and keeps the rest in a separate array that grows
 * with slack (measured: 10,000 decoded Pods took a third more heap than
 * parsed JSON; with shapes, 12 % less).
 *
 * @example
 * ```ts
 * const OPort = shape(function (this: Obj, sized?: boolean): void { if (sized) { this.name = 0; this.port = 0; } });
 * const port = new OPort(); // {}
 * ```
 */
export function shape(ctor: (this: Obj, sized?: boolean) => void): new () => Obj {
  ctor.prototype = Object.prototype;
  return ctor as unknown as new () => Obj;
}

const TWO_32 = 4294967296;
const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Strings up to this many bytes go through {@link recentStrings}. */
const SHORT_STRING = 32;
const RECENT_MASK = (1 << 12) - 1;
/**
 * Short ASCII strings decoded recently, one per slot of a hash of their bytes
 * (4,096 slots: a new string takes its slot from the one before). Bounded, and
 * shared by every reader of the process, as a cache's string pool is.
 */
const recentStrings: (string | undefined)[] = new Array<string | undefined>(RECENT_MASK + 1).fill(undefined);
/** The interner each slot's string came from (undefined: none), so a reader with an interner returns only its instances. */
const recentInterners: (Interner | undefined)[] = new Array<Interner | undefined>(RECENT_MASK + 1).fill(undefined);

function sameAscii(s: string, b: Uint8Array, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let i = 0, p = start; p < end; i++, p++) if (s.charCodeAt(i) !== b[p]) return false;
  return true;
}

/** ASCII bytes as one flat string (built by a single call, not character by character: a string grown by `+=` is a chain of pieces in memory). */
function latin1(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
}

/**
 * What makes one string instance of many equal ones (a cache's string pool).
 *
 * @example
 * ```ts
 * const pool = new Map<string, string>();
 * const interner: Interner = { intern: (s) => pool.get(s) ?? (pool.set(s, s), s) };
 * ```
 */
export interface Interner {
  intern(s: string): string;
}

/**
 * Options of a {@link ProtoReader}.
 *
 * @example
 * ```ts
 * new ProtoReader(frame, "watch Pod", { retryable: true, dropManagedFields: true } satisfies ReaderOptions);
 * ```
 */
export interface ReaderOptions {
  /** Where reading starts (default 0). */
  start?: number | undefined;
  /** Whether malformed input is worth retrying (a watch's frame: yes, the stream resumes). */
  retryable?: boolean | undefined;
  /** Skip `metadata.managedFields` instead of decoding them (for caches that drop them). */
  dropManagedFields?: boolean | undefined;
  /**
   * Decode into the form a cache keeps: every object, array and map frozen
   * as soon as it is complete, and the strings that repeat between objects
   * (all but uids, resourceVersions, IPs, container IDs, generated names and
   * an object's own name) made one instance by the interner. A cache then
   * has nothing left to walk.
   */
  cacheForm?: Interner | undefined;
  /** The apiVersion and kind each item of a list starts with (a list's items carry none on the wire). */
  items?: { apiVersion: string; kind: string } | undefined;
}

/**
 * A cursor over one protobuf-encoded buffer.
 *
 * @example
 * ```ts
 * const r = new ProtoReader(bytes, "get Pod");
 * const tag = r.uint32();
 * ```
 */
export class ProtoReader {
  readonly buf: Uint8Array;
  pos: number;
  /** What is being read, for messages (`list Pod`, `watch ConfigMap`). */
  readonly what: string;
  readonly retryable: boolean;
  /** Skip `metadata.managedFields` instead of decoding them (for caches that drop them). */
  readonly dropManagedFields: boolean;
  /** Freeze what is decoded as it completes (see {@link ReaderOptions.cacheForm}). */
  readonly freeze: boolean;
  /** The interner of repeated strings, when decoding into a cache's form. */
  readonly interner: Interner | undefined;
  readonly #items: { apiVersion: string; kind: string } | undefined;

  constructor(buf: Uint8Array, what = "a protobuf message", options: ReaderOptions = {}) {
    // Always a plain Uint8Array: bodies and frames arrive as Buffers or as copies, and every byte
    // read below runs faster on one kind of array than on two (measured: string decoding 3× slower
    // in a watch, whose frames were both).
    this.buf = Object.getPrototypeOf(buf) === Uint8Array.prototype ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = options.start ?? 0;
    this.what = what;
    this.retryable = options.retryable ?? false;
    this.dropManagedFields = options.dropManagedFields ?? false;
    this.interner = options.cacheForm;
    this.freeze = options.cacheForm !== undefined;
    this.#items = options.items;
  }

  /** A decoded message complete: frozen when decoding into a cache's form. */
  done<T extends object>(o: T): T {
    return this.freeze ? Object.freeze(o) : o;
  }

  /** A new list item: the list's item apiVersion and kind first, when known. */
  item(): Obj {
    const t = this.#items;
    return t === undefined ? {} : { apiVersion: t.apiVersion, kind: t.kind };
  }

  /** An `InvalidResponse` error for malformed input at the current position. */
  fail(problem: string): OperantError {
    return new OperantError(
      "InvalidResponse",
      `${this.what}: the API server's protobuf answer is malformed (${problem} at byte ${this.pos} of ${this.buf.length}). ` +
        `Something between operant and the API server changed the bytes, or this is a bug: report it, and set the client option wire: "json" meanwhile.`,
      { retryable: this.retryable },
    );
  }

  /** A varint's low 32 bits, unsigned (tags, lengths, uint32, enums). Longer varints are read whole. */
  uint32(): number {
    const b = this.buf;
    let p = this.pos;
    if (p < b.length) {
      const c = b[p]!;
      if (c < 0x80) {
        this.pos = p + 1;
        return c;
      }
    }
    let v = 0;
    for (let shift = 0; shift < 32; shift += 7) {
      if (p >= b.length) throw this.fail("a varint runs past the end");
      const c = b[p++]!;
      v |= (c & 0x7f) << shift;
      if (c < 0x80) {
        this.pos = p;
        return v >>> 0;
      }
    }
    // Bits 32..63: skip up to five more bytes (a negative int32 takes ten in all).
    for (let i = 0; i < 5; i++) {
      if (p >= b.length) throw this.fail("a varint runs past the end");
      if (b[p++]! < 0x80) {
        this.pos = p;
        return v >>> 0;
      }
    }
    throw this.fail("a varint longer than ten bytes");
  }

  /** A varint as int32 (negative values come sign-extended to ten bytes). */
  int32(): number {
    return this.uint32() | 0;
  }

  /** A zigzag-encoded 32-bit varint. */
  sint32(): number {
    const n = this.uint32();
    return (n >>> 1) ^ -(n & 1);
  }

  /** Reads a 64-bit varint as its low and high 32-bit halves. */
  #varint64(): [number, number] {
    const b = this.buf;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (p >= b.length) throw this.fail("a varint runs past the end");
      const c = b[p++]!;
      const bits = c & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      shift += 7;
      if (c < 0x80) {
        this.pos = p;
        return [lo >>> 0, hi >>> 0];
      }
    }
    throw this.fail("a varint longer than ten bytes");
  }

  /** A signed 64-bit varint as a number (rounded like JSON.parse rounds past 2^53). */
  int64(): number {
    const b = this.buf;
    const p = this.pos;
    if (p < b.length && b[p]! < 0x80) {
      this.pos = p + 1;
      return b[p]!;
    }
    const [lo, hi] = this.#varint64();
    if (hi & 0x80000000) {
      // Two's complement: negate the 64-bit value.
      const nlo = (~lo + 1) >>> 0;
      const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
      return -(nhi * TWO_32 + nlo);
    }
    return hi * TWO_32 + lo;
  }

  /** An unsigned 64-bit varint as a number. */
  uint64(): number {
    const [lo, hi] = this.#varint64();
    return hi * TWO_32 + lo;
  }

  /** A zigzag-encoded 64-bit varint. */
  sint64(): number {
    const [lo, hi] = this.#varint64();
    const neg = lo & 1;
    const mlo = ((lo >>> 1) | (hi << 31)) >>> 0;
    const mhi = hi >>> 1;
    const mag = mhi * TWO_32 + mlo;
    return neg ? -mag - 1 : mag;
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /** A fixed64 double. */
  double(): number {
    if (this.pos + 8 > this.buf.length) throw this.fail("a fixed64 runs past the end");
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  /** A fixed32 float. */
  float(): number {
    if (this.pos + 4 > this.buf.length) throw this.fail("a fixed32 runs past the end");
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  /** Reads a length prefix and returns where the field ends (checked against the buffer). */
  sub(): number {
    const n = this.uint32();
    const end = this.pos + n;
    if (end > this.buf.length) throw this.fail(`a field of ${n} bytes runs past the end`);
    return end;
  }

  /** Checks that a message ended exactly where its length said. */
  end(end: number): void {
    if (this.pos !== end) throw this.fail(`a field runs ${this.pos - end} bytes past the end of its message`);
  }

  /**
   * A length-delimited UTF-8 string (invalid sequences become U+FFFD, as Go's
   * JSON encoder writes them) that is (nearly) unique to its object: a uid,
   * a resourceVersion, an object's own name. Decoded as it is: looking it up
   * among recent strings would cost a hash and would push out strings that do
   * repeat.
   */
  string(): string {
    const end = this.sub();
    const start = this.pos;
    this.pos = end;
    const b = this.buf;
    if (end - start <= SHORT_STRING) {
      let p = start;
      while (p < end && b[p]! < 0x80) p++;
      if (p === end) return latin1(b, start, end);
    }
    return utf8.decode(b.subarray(start, end));
  }

  /**
   * A string that repeats between objects (an image, a label key or value, a
   * reason, an enum value): most of an object's strings. Short ASCII ones are
   * looked up in {@link recentStrings} by their bytes first: a repeat is the
   * same string instance as before (no decoding, no allocation), a new one is
   * decoded flat and remembered. When decoding into a cache's form, what it
   * returns is the interner's instance.
   */
  istring(): string {
    return this.#string(this.interner);
  }

  #string(interner: Interner | undefined): string {
    const end = this.sub();
    const b = this.buf;
    const start = this.pos;
    this.pos = end;
    if (end - start <= SHORT_STRING) {
      let h = end - start;
      let p = start;
      for (; p < end; p++) {
        const c = b[p]!;
        if (c >= 0x80) break;
        h = Math.imul(h ^ c, 0x01000193);
      }
      if (p === end) {
        const slot = (h ^ (h >>> 16)) & RECENT_MASK;
        const seen = recentStrings[slot];
        if (seen !== undefined && sameAscii(seen, b, start, end)) {
          if (interner === undefined || recentInterners[slot] === interner) return seen;
          const s = interner.intern(seen);
          recentStrings[slot] = s;
          recentInterners[slot] = interner;
          return s;
        }
        const s = interner === undefined ? latin1(b, start, end) : interner.intern(latin1(b, start, end));
        recentStrings[slot] = s;
        recentInterners[slot] = interner;
        return s;
      }
    }
    const s = utf8.decode(b.subarray(start, end));
    return interner === undefined ? s : interner.intern(s);
  }

  /** A length-delimited bytes field, as JSON writes []byte: standard base64 with padding. */
  base64(): string {
    const end = this.sub();
    const s = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, end - this.pos).toString("base64");
    this.pos = end;
    return s;
  }

  /** Skips the value of a field whose tag was just read. */
  skip(tag: number): void {
    switch (tag & 7) {
      case 0:
        this.#varint64();
        return;
      case 1:
        if (this.pos + 8 > this.buf.length) throw this.fail("a fixed64 runs past the end");
        this.pos += 8;
        return;
      case 2:
        this.pos = this.sub();
        return;
      case 5:
        if (this.pos + 4 > this.buf.length) throw this.fail("a fixed32 runs past the end");
        this.pos += 4;
        return;
      default:
        throw this.fail(`wire type ${tag & 7} (field ${tag >>> 3}), which Kubernetes never sends`);
    }
  }

  /** metav1.Timestamp {seconds = 1, nanos = 2} up to `end`. */
  #timestamp(end: number): [number, number] {
    let seconds = 0;
    let nanos = 0;
    while (this.pos < end) {
      const t = this.uint32();
      if (t === 8) seconds = this.int64();
      else if (t === 16) nanos = this.int32();
      else this.skip(t);
    }
    this.end(end);
    return [seconds, nanos];
  }

  /** metav1.Time: `null` when empty (the zero time), else RFC 3339 in UTC to the second, as its MarshalJSON writes it. */
  time(end: number): string | null {
    if (this.pos === end) return null;
    const [seconds] = this.#timestamp(end);
    return rfc3339(seconds);
  }

  /** metav1.MicroTime: RFC 3339 with exactly six fractional digits, in UTC. */
  microTime(end: number): string | null {
    if (this.pos === end) return null;
    const [seconds, nanos] = this.#timestamp(end);
    const micros = Math.trunc(nanos / 1000);
    return `${rfc3339(seconds).slice(0, -1)}.${String(micros).padStart(6, "0")}Z`;
  }

  /** metav1.Duration {duration = 1 (nanoseconds)}, as Go's time.Duration.String writes it. */
  duration(end: number): string {
    let ns = 0;
    while (this.pos < end) {
      const t = this.uint32();
      if (t === 8) ns = this.int64();
      else this.skip(t);
    }
    this.end(end);
    return goDuration(ns);
  }

  /** resource.Quantity {string = 1}: the canonical string the server sends in JSON too. */
  quantity(end: number): string {
    let s = "0";
    while (this.pos < end) {
      const t = this.uint32();
      if (t === 10) s = this.istring();
      else this.skip(t);
    }
    this.end(end);
    return s;
  }

  /** intstr.IntOrString {type = 1, intVal = 2, strVal = 3}: a number or a string. */
  intOrString(end: number): number | string {
    let type = 0;
    let intVal = 0;
    let strVal = "";
    while (this.pos < end) {
      const t = this.uint32();
      if (t === 8) type = this.int32();
      else if (t === 16) intVal = this.int32();
      else if (t === 26) strVal = this.istring();
      else this.skip(t);
    }
    this.end(end);
    return type === 1 ? strVal : intVal;
  }

  /** runtime.RawExtension / metav1.FieldsV1 {raw = 1}: JSON carried as bytes; `null` when absent. */
  rawJson(end: number): unknown {
    let raw: Uint8Array | undefined;
    while (this.pos < end) {
      const t = this.uint32();
      if (t === 10) {
        const e = this.sub();
        raw = this.buf.subarray(this.pos, e);
        this.pos = e;
      } else this.skip(t);
    }
    this.end(end);
    if (raw === undefined) return null;
    let value: unknown;
    try {
      value = JSON.parse(utf8.decode(raw));
    } catch (err) {
      throw Object.assign(this.fail("an embedded JSON value (RawExtension or FieldsV1) that does not parse"), { cause: err });
    }
    return this.freeze ? deepFreeze(value) : value;
  }
}

/**
 * The last few times formatted, by second: objects written together share
 * their timestamps, and a watch decodes each event with a reader of its own.
 */
const recentTimes = new Map<number, string>();

/** Seconds since the epoch as RFC 3339 in UTC, to the second: `2006-01-02T15:04:05Z`. */
function rfc3339(seconds: number): string {
  const known = recentTimes.get(seconds);
  if (known !== undefined) return known;
  // toISOString: 2006-01-02T15:04:05.000Z; the replacement is one flat string.
  const s = new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  if (recentTimes.size >= 64) recentTimes.delete(recentTimes.keys().next().value!);
  recentTimes.set(seconds, s);
  return s;
}

/** Go's time.Duration.String. */
function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    // Below a second: one unit, with a fraction.
    const [unit, div] = u < 1e3 ? ["ns", 1] : u < 1e6 ? ["µs", 1e3] : ["ms", 1e6];
    out = `${trimFraction(u / div)}${unit}`;
  } else {
    const h = Math.floor(u / 3.6e12);
    u -= h * 3.6e12;
    const m = Math.floor(u / 6e10);
    u -= m * 6e10;
    const s = `${trimFraction(u / 1e9)}s`;
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

function trimFraction(x: number): string {
  return x
    .toFixed(9)
    .replace(/\.?0+$/, "");
}
