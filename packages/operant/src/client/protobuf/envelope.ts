// The Kubernetes protobuf envelope (apimachinery runtime/serializer/protobuf):
// every object, list and Status the API server sends as
// `application/vnd.kubernetes.protobuf` is the magic `k8s\0` followed by a
// runtime.Unknown message {typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2,
// contentEncoding = 3, contentType = 4}, whose `raw` is the object's own
// message. A watch frame is a bare metav1.WatchEvent {type = 1, object = 2
// (RawExtension {raw = 1})} whose raw is again an enveloped object.
import { OperantError } from "../../core/errors.ts";
import { decodeStatus, KIND_DECODERS, type KindDecoder } from "./generated.ts";
import { ProtoReader, type Interner, type Obj } from "./wire.ts";

/**
 * The media type of protobuf answers.
 *
 * @example
 * ```ts
 * res.headers["content-type"]?.startsWith(PROTOBUF_MEDIA_TYPE)
 * ```
 */
export const PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/**
 * The generated decoders of a built-in kind, by apiVersion and kind, or
 * `undefined` when it has none (custom resources: the server sends them as JSON only).
 *
 * @example
 * ```ts
 * protobufDecoder("apps/v1", "Deployment") !== undefined // true
 * ```
 */
export function protobufDecoder(apiVersion: string, kind: string): KindDecoder | undefined {
  return KIND_DECODERS.get(`${apiVersion}/${kind}`);
}

/**
 * Options of the decoders.
 *
 * @example
 * ```ts
 * decodeList(body, protobufDecoder("v1", "Pod")!, "list Pod", { dropManagedFields: true });
 * ```
 */
export interface DecodeOptions {
  /** Leave `metadata.managedFields` out (skipped undecoded). */
  dropManagedFields?: boolean | undefined;
  /**
   * Decode straight into the form a cache keeps: objects frozen, repeated
   * strings interned (a {@link ProtoReader}'s `cacheForm`), and a list's
   * items with their apiVersion and kind. The list itself stays open.
   */
  cacheForm?: Interner | undefined;
}

/** An envelope's type and where its `raw` message lies. */
interface Envelope {
  apiVersion: string;
  kind: string;
  start: number;
  end: number;
}

function readEnvelope(r: ProtoReader, end: number): Envelope {
  const b = r.buf;
  if (end - r.pos < 4 || b[r.pos] !== MAGIC[0] || b[r.pos + 1] !== MAGIC[1] || b[r.pos + 2] !== MAGIC[2] || b[r.pos + 3] !== MAGIC[3]) {
    throw r.fail("no k8s\\0 envelope");
  }
  r.pos += 4;
  let apiVersion = "";
  let kind = "";
  let start = r.pos;
  let rawEnd = r.pos;
  let contentEncoding = "";
  while (r.pos < end) {
    const t = r.uint32();
    if (t === 10) {
      const e = r.sub();
      while (r.pos < e) {
        const u = r.uint32();
        if (u === 10) apiVersion = r.istring();
        else if (u === 18) kind = r.istring();
        else r.skip(u);
      }
      r.end(e);
    } else if (t === 18) {
      rawEnd = r.sub();
      start = r.pos;
      r.pos = rawEnd;
    } else if (t === 26) contentEncoding = r.string();
    else r.skip(t);
  }
  r.end(end);
  if (contentEncoding !== "") throw r.fail(`an envelope with contentEncoding ${JSON.stringify(contentEncoding)}, which operant does not decode`);
  return { apiVersion, kind, start, end: rawEnd };
}

/**
 * Decodes an enveloped object (a GET, or a watch event's object) into the
 * object JSON would give, with apiVersion and kind from the envelope.
 */
function decodeEnveloped(r: ProtoReader, end: number, expect: KindDecoder | undefined): Obj {
  const env = readEnvelope(r, end);
  const after = r.pos;
  r.pos = env.start;
  const o: Obj = { apiVersion: env.apiVersion, kind: env.kind };
  if (env.kind === "Status" && env.apiVersion === "v1") decodeStatus(r, env.end, o);
  else {
    const dec = protobufDecoder(env.apiVersion, env.kind) ?? expect;
    if (dec === undefined) throw r.fail(`an object of ${env.apiVersion} ${env.kind}, which has no protobuf decoder`);
    dec.object(r, env.end, o);
  }
  r.pos = after;
  return r.done(o);
}

/**
 * Decodes a protobuf response body holding one object (or a Status).
 *
 * @throws OperantError `InvalidResponse` when the bytes are not a well-formed envelope and message
 * @example
 * ```ts
 * const pod = decodeObject(body, "get Pod");
 * ```
 */
export function decodeObject(body: Uint8Array, what: string): Obj {
  const r = new ProtoReader(body, what);
  return decodeEnveloped(r, body.length, undefined);
}

/**
 * Decodes a protobuf list response (`<Kind>List`): `{ apiVersion, kind, metadata, items }`
 * with the items as the JSON list's items (no apiVersion/kind of their own).
 *
 * @throws OperantError `InvalidResponse` when malformed or not the list of `decoder`'s kind
 * @example
 * ```ts
 * const list = decodeList(body, protobufDecoder("v1", "Pod")!, "list Pod");
 * ```
 */
export function decodeList(body: Uint8Array, decoder: KindDecoder, what: string, options: DecodeOptions = {}): Obj {
  const env = readEnvelope(new ProtoReader(body, what), body.length);
  const isList = env.kind.endsWith("List");
  const items = options.cacheForm && isList ? { apiVersion: env.apiVersion, kind: env.kind.slice(0, -"List".length) } : undefined;
  const r = new ProtoReader(body, what, { start: env.start, dropManagedFields: options.dropManagedFields, cacheForm: options.cacheForm, items });
  const o: Obj = { apiVersion: env.apiVersion, kind: env.kind };
  if (env.kind === "Status") return decodeStatus(r, env.end, o);
  if (!isList) throw r.fail(`a ${env.kind} where a list was expected`);
  return decoder.list(r, env.end, o);
}

/**
 * Decodes one watch frame: `{ type, object }` as the JSON watch line would
 * parse (ERROR events carry a Status).
 *
 * @throws OperantError `InvalidResponse` (retryable) when malformed
 * @example
 * ```ts
 * for await (const frame of lengthFrames(body)) console.log(decodeWatchEvent(frame, "watch Pod").type);
 * ```
 */
export function decodeWatchEvent(frame: Uint8Array, what: string, expect?: KindDecoder, options: DecodeOptions = {}): { type: string; object: Obj } {
  const r = new ProtoReader(frame, what, { retryable: true, dropManagedFields: options.dropManagedFields, cacheForm: options.cacheForm });
  let type = "";
  let object: Obj | undefined;
  while (r.pos < frame.length) {
    const t = r.uint32();
    if (t === 10) type = r.istring();
    else if (t === 18) {
      const e = r.sub();
      while (r.pos < e) {
        const u = r.uint32();
        if (u === 10) {
          const re = r.sub();
          object = decodeEnveloped(r, re, expect);
        } else r.skip(u);
      }
      r.end(e);
    } else r.skip(t);
  }
  if (object === undefined) throw r.fail(`a ${type || "watch"} event without an object`);
  return { type, object };
}

/**
 * Decodes a protobuf Status body (an error answer), or `undefined` when the
 * bytes are not one.
 *
 * @example
 * ```ts
 * const status = tryDecodeStatus(body);
 * ```
 */
export function tryDecodeStatus(body: Uint8Array): Obj | undefined {
  try {
    const o = decodeObject(body, "a Status");
    return o.kind === "Status" ? o : undefined;
  } catch (err) {
    if (err instanceof OperantError) return undefined;
    throw err;
  }
}
