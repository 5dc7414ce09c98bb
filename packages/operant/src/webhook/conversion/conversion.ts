// Conversion between the versions of a custom resource, hub and spoke (as
// kubebuilder does it): one version is the hub (normally the storage
// version), every other version converts to and from it, and any version
// reaches any other through the hub. What a version cannot express is kept
// in an annotation (the stash), so version → hub → version loses nothing.
import { OperantError } from "../../core/errors.ts";
import type { KubeObject, ObjectMeta } from "../../core/object.ts";
import type { ResourceDefinition } from "../../crd/resource/resource.ts";
import type { ObjectOf } from "../../core/kind.ts";

/**
 * The annotation holding fields that a version could not express (a JSON object).
 *
 * @example
 * ```ts
 * const kept = obj.metadata?.annotations?.[STASH_ANNOTATION]; // what an older version could not hold, as JSON
 * ```
 */
export const STASH_ANNOTATION = "conversion.operant.dev/stash";

/**
 * Fields kept across a conversion that would otherwise lose them: `put` them
 * when converting to a version that has no place for them, `take` them when
 * converting back. Stored as JSON in the {@link STASH_ANNOTATION} annotation.
 *
 * @example
 * ```ts
 * fromHub: (hub, stash) => { stash.put("image", hub.spec.image); return { spec: { size: hub.spec.replicas } }; },
 * toHub: (old, stash) => ({ spec: { replicas: old.spec.size, image: stash.take<string>("image") ?? "memcached:1.6" } }),
 * ```
 */
export interface Stash {
  /** Keeps `value` under `key`, for the conversion back. */
  put(key: string, value: unknown): void;
  /** Returns and forgets the value kept under `key`. */
  take<T>(key: string): T | undefined;
}

/**
 * An object without apiVersion, kind and metadata: what conversion functions return (operant sets those three).
 *
 * @example
 * ```ts
 * const body: ObjectBody<MemcachedV1> = { spec: { replicas: 3, image: "memcached:1.6" } }; // operant sets apiVersion, kind and metadata
 * ```
 */
export type ObjectBody<T> = Omit<T, keyof KubeObject>;

/**
 * How one version converts to and from the hub.
 *
 * @example
 * ```ts
 * const v1alpha1: SpokeFunctions<MemcachedV1alpha1, MemcachedV1> = {
 *   toHub: (old) => ({ spec: { replicas: old.spec.size, image: "memcached:1.6" } }),
 *   fromHub: (hub) => ({ spec: { size: hub.spec.replicas } }),
 * };
 * defineConversion(MemcachedV1).spoke(MemcachedV1alpha1, v1alpha1);
 * ```
 */
export interface SpokeFunctions<V, H> {
  /** Converts an object of this version to the hub version; keep what the hub cannot hold in `stash`. */
  toHub(obj: V, stash: Stash): ObjectBody<H>;
  /** Converts a hub object to this version; `stash` gives back what `toHub` kept. */
  fromHub(hub: H, stash: Stash): ObjectBody<V>;
}

/**
 * The conversions of one resource: see {@link defineConversion}.
 *
 * @example
 * ```ts
 * const converted = memcachedConversion.convert(obj, "cache.example.com/v1alpha1");
 * ```
 */
export interface ConversionDefinition<H extends ResourceDefinition = ResourceDefinition> {
  readonly group: string;
  readonly kind: string;
  /** The hub version. */
  readonly hub: H;
  /** Every version this conversion reaches: the hub's and the spokes'. */
  readonly versions: readonly string[];
  /** Adds a version and how it converts to and from the hub. */
  spoke<V extends ResourceDefinition>(version: V, functions: SpokeFunctions<ObjectOf<V>, ObjectOf<H>>): ConversionDefinition<H>;
  /**
   * Converts one object to `apiVersion` (`<group>/<version>`): through the hub
   * when neither side is the hub. Metadata is kept, except the stash annotation.
   *
   * @throws OperantError `ConversionFailed` for a version or kind this conversion does not know
   */
  convert(obj: Record<string, unknown>, apiVersion: string): Record<string, unknown>;
}

function failed(message: string): OperantError {
  return new OperantError("ConversionFailed", message);
}

function readStash(obj: Record<string, unknown>): Record<string, unknown> {
  const raw = (obj.metadata as ObjectMeta | undefined)?.annotations?.[STASH_ANNOTATION];
  if (raw === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function makeStash(data: Record<string, unknown>): Stash {
  return {
    put: (key, value) => {
      if (value === undefined) delete data[key];
      else data[key] = value;
    },
    take: <T>(key: string) => {
      const v = data[key] as T | undefined;
      delete data[key];
      return v;
    },
  };
}

/**
 * The input's metadata with the stash annotation set to `data` (or removed
 * when empty). A shallow copy with annotations of its own: the rest is shared
 * with the input (a deep copy of every object's managedFields was the largest
 * cost of converting a list).
 */
function withStash(metadata: ObjectMeta | undefined, data: Record<string, unknown>): ObjectMeta {
  const meta: ObjectMeta = { ...metadata };
  const annotations = { ...(meta.annotations ?? {}) };
  if (Object.keys(data).length > 0) annotations[STASH_ANNOTATION] = JSON.stringify(data);
  else delete annotations[STASH_ANNOTATION];
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  else delete meta.annotations;
  return meta;
}

type AnyFunctions = SpokeFunctions<unknown, unknown>;

/**
 * The conversions of a multi-version resource, hub and spoke: name the hub
 * (normally the storage version), then each other version with typed
 * functions to and from the hub. `operant generate` sets the CRD's
 * `spec.conversion` to the webhook when the operator declares one; the
 * {@link WebhookServer} answers the API server's ConversionReviews at `/convert`.
 *
 * @throws OperantError `InvalidWebhook` when a spoke is of another resource or declared twice
 * @example
 * ```ts
 * export const memcachedConversion = defineConversion(MemcachedV1).spoke(MemcachedV1alpha1, {
 *   toHub: (old, stash) => ({ spec: { replicas: old.spec.size, image: stash.take<string>("image") ?? "memcached:1.6" } }),
 *   fromHub: (hub, stash) => { stash.put("image", hub.spec.image); return { spec: { size: hub.spec.replicas } }; },
 * });
 * ```
 */
export function defineConversion<H extends ResourceDefinition>(hub: H): ConversionDefinition<H> {
  return build(hub, new Map());
}

function build<H extends ResourceDefinition>(hub: H, spokes: ReadonlyMap<string, AnyFunctions>): ConversionDefinition<H> {
  const versions = [hub.version, ...spokes.keys()];
  const definition: ConversionDefinition<H> = {
    group: hub.group,
    kind: hub.kind,
    hub,
    versions,
    spoke(version, functions) {
      if (version.group !== hub.group || version.kind !== hub.kind) {
        throw new OperantError("InvalidWebhook", `conversion of ${hub.kind}.${hub.group}: ${version.apiVersion} ${version.kind} is another resource; spokes must be versions of the hub's resource.`);
      }
      if (versions.includes(version.version)) throw new OperantError("InvalidWebhook", `conversion of ${hub.kind}.${hub.group}: version ${version.version} is declared twice.`);
      return build(hub, new Map([...spokes, [version.version, functions as unknown as AnyFunctions]]));
    },
    convert(obj, apiVersion) {
      const [group, to] = apiVersion.split("/");
      const from = typeof obj.apiVersion === "string" ? obj.apiVersion.split("/")[1] : undefined;
      if (group !== hub.group || obj.kind !== hub.kind || (typeof obj.apiVersion === "string" && !obj.apiVersion.startsWith(`${hub.group}/`))) {
        throw failed(`cannot convert ${String(obj.apiVersion)} ${String(obj.kind)} to ${apiVersion}: this webhook converts ${hub.kind}.${hub.group} only.`);
      }
      for (const v of [from, to]) {
        if (v === undefined || !versions.includes(v)) throw failed(`cannot convert ${hub.kind} to or from version ${String(v)}: no conversion declared for it (known: ${versions.join(", ")}); add .spoke(…) for it.`);
      }
      if (from === to) return obj;
      const data = readStash(obj);
      const stash = makeStash(data);
      let body: Record<string, unknown> = obj;
      if (from !== hub.version) body = spokes.get(from!)!.toHub(obj, stash);
      if (to !== hub.version) {
        const asHub = { ...body, apiVersion: `${hub.group}/${hub.version}`, kind: hub.kind, metadata: obj.metadata };
        body = spokes.get(to!)!.fromHub(asHub, stash);
      }
      const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = body;
      return { apiVersion, kind: hub.kind, metadata: withStash(obj.metadata as ObjectMeta | undefined, data), ...rest };
    },
  };
  return Object.freeze(definition);
}
