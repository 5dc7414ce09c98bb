// Content hashes of monitored objects: what "the data changed" means. Only
// `data` and `binaryData` count (labels, annotations and no-op edits do not),
// in a stable order. A Secret's hash is keyed with a random per-namespace
// key kept in a Secret, so that a short value cannot be found back by
// hashing guesses.
import { createHash, createHmac } from "node:crypto";
import type { ReadonlyDeep, Stored } from "operant";
import type { ConfigMap, Secret } from "operant/kinds";

/**
 * Per monitored object (`ConfigMap/<name>`, `Secret/<name>`), the hash of its content.
 *
 * @example
 * ```ts
 * const record: HashRecord = { "ConfigMap/node-app-config": "3f2a9c0d4e5b6a71" };
 * ```
 */
export type HashRecord = Readonly<Record<string, string>>;

const HEX_CHARS = 16; // 64 bits: plenty to tell two versions of one object apart

type DataObject = ReadonlyDeep<{ data?: Record<string, string> | undefined; binaryData?: Record<string, string> | undefined }>;

const sorted = (m: Readonly<Record<string, string>> | undefined) => Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The content as one string: data and binaryData entries, each sorted by key. */
function canonical(obj: DataObject): string {
  return JSON.stringify({ data: sorted(obj.data), binaryData: sorted(obj.binaryData) });
}

/**
 * The content hash of a ConfigMap: SHA-256 of its data and binaryData (sorted by key), 16 hex characters.
 *
 * @example
 * ```ts
 * configMapHash(cm) === configMapHash({ ...cm, metadata: { ...cm.metadata, labels: { new: "label" } } }) // true
 * ```
 */
export function configMapHash(cm: ReadonlyDeep<Stored<ConfigMap>>): string {
  return createHash("sha256").update(canonical(cm)).digest("hex").slice(0, HEX_CHARS);
}

/**
 * The content hash of a Secret: HMAC-SHA-256 of its data (sorted by key),
 * 16 hex characters, keyed with `key` — the namespace's hash key, a random
 * value the operator keeps in a Secret of its own ({@link HASH_KEY_SECRET}
 * in appconfig.ts). The hash ends up in Deployment annotations that anyone
 * with `view` can read; without the key, which `view` cannot read (it grants
 * no Secrets), a short value cannot be found back by hashing guesses.
 *
 * @example
 * ```ts
 * secretHash(secret, hashKey) // "9c1e0b7a55d2e8f4"
 * ```
 */
export function secretHash(secret: ReadonlyDeep<Stored<Secret>>, key: Uint8Array): string {
  if (key.length < 16) throw new RangeError(`the Secret hash key must be at least 16 bytes (got ${key.length})`);
  return createHmac("sha256", key).update(canonical(secret)).digest("hex").slice(0, HEX_CHARS);
}

/**
 * A record as an annotation value: JSON with sorted keys.
 *
 * @example
 * ```ts
 * formatRecord({ "Secret/db": "b", "ConfigMap/app": "a" }) // '{"ConfigMap/app":"a","Secret/db":"b"}'
 * ```
 */
export function formatRecord(record: HashRecord): string {
  return JSON.stringify(Object.fromEntries(sorted(record)));
}

/**
 * Reads a record back from an annotation value; anything unreadable is an empty record.
 *
 * @example
 * ```ts
 * parseRecord('{"ConfigMap/app":"a"}') // { "ConfigMap/app": "a" }
 * parseRecord("garbage")               // {}
 * ```
 */
export function parseRecord(value: string | undefined): HashRecord {
  if (!value) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string"));
  } catch {
    return {};
  }
}

/**
 * One hash of a whole record (what a restart was for): SHA-256 of its sorted entries, 16 hex characters.
 *
 * @example
 * ```ts
 * combinedHash({ "ConfigMap/app": "a", "Secret/db": "b" }) === combinedHash({ "Secret/db": "b", "ConfigMap/app": "a" }) // true
 * ```
 */
export function combinedHash(record: HashRecord): string {
  return createHash("sha256").update(formatRecord(record)).digest("hex").slice(0, HEX_CHARS);
}

/**
 * Whether two ConfigMaps or Secrets hold the same data and binaryData (the order of keys aside).
 *
 * @example
 * ```ts
 * sameContent(previous, updated) // false when a value changed; true after a label-only edit
 * ```
 */
export function sameContent(a: DataObject, b: DataObject): boolean {
  return canonical(a) === canonical(b);
}
