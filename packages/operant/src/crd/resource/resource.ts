// A custom resource defined once, as TypeBox schemas: the definition is a
// Kind (client calls, controllers), its objects' TypeScript type is inferred
// from the schemas, and the CRD manifest is generated from it. Further
// versions of the same resource hang off the first one.
import Type, { type Static, type TSchema } from "typebox";
import { OperantError } from "../../core/errors.ts";
import type { Kind } from "../../core/kind.ts";
import type { KubeObject } from "../../core/object.ts";
import { checkGroup, checkKind, checkResourceName, checkVersion, compareVersions, isProtectedGroup, pluralize } from "../names/names.ts";
import { rootSchema } from "../schema/convert.ts";
import type { StaticOutput, TDefaulted } from "../types/defaulted.ts";
import type { JSONSchemaProps, ValidationRule } from "../schema/json-schema-props.ts";
import { problems, type ValidationProblem } from "../validate/validate.ts";

/**
 * Whether objects of a resource live in a namespace (`Namespaced`) or in the whole cluster (`Cluster`).
 *
 * @example
 * ```ts
 * const scope: Scope = "Namespaced";
 * ```
 */
export type Scope = "Namespaced" | "Cluster";

/**
 * A column `kubectl get` shows for the resource (`additionalPrinterColumns`).
 *
 * @example
 * ```ts
 * const size: PrinterColumn = { name: "Size", type: "integer", jsonPath: ".spec.size" };
 * ```
 */
export interface PrinterColumn {
  /** Column header. */
  name: string;
  type: "integer" | "number" | "string" | "boolean" | "date";
  /** Simple JSONPath into the object, starting with a dot: `.spec.size`, `.status.conditions[?(@.type=="Ready")].status`. */
  jsonPath: string;
  description?: string;
  format?: "int32" | "int64" | "float" | "double" | "byte" | "date" | "date-time" | "password";
  /** 0 (default) shows in `kubectl get`; higher only with `-o wide`. */
  priority?: number;
}

/**
 * The scale subresource (`kubectl scale`, HorizontalPodAutoscaler): where the replica counts live.
 *
 * @example
 * ```ts
 * const scale: ScaleSubresource = { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.selector" };
 * ```
 */
export interface ScaleSubresource {
  /** Desired replicas, under `.spec` (e.g. `.spec.replicas`). */
  specReplicasPath: string;
  /** Observed replicas, under `.status` (e.g. `.status.replicas`). */
  statusReplicasPath: string;
  /** A label selector in string form, under `.spec` or `.status`; needed by the HorizontalPodAutoscaler. */
  labelSelectorPath?: string;
}

/**
 * The `Age` column of `kubectl get` (from `metadata.creationTimestamp`), for
 * a resource that gives printer columns and still wants kubectl's Age.
 *
 * @example
 * ```ts
 * printerColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.size" }, AGE_COLUMN],
 * ```
 */
export const AGE_COLUMN: PrinterColumn = Object.freeze({ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" });

/**
 * What one version of a resource declares: its schemas and its per-version CRD settings.
 *
 * @example
 * ```ts
 * const v1beta1: VersionOptions<typeof SpecV1beta1, undefined> = { spec: SpecV1beta1, served: true, storage: false };
 * ```
 */
export interface VersionOptions<S extends TSchema, St extends TSchema | undefined> {
  /** Schema of `spec`. Required on the object unless it has a default. */
  spec: S;
  /** Schema of `status`; optional on the object (a new object has none). */
  status?: St;
  /**
   * Extra `kubectl get` columns. As with controller-gen, giving columns
   * replaces kubectl's default NAME/AGE listing with NAME and these: add
   * {@link AGE_COLUMN} to keep an Age column.
   */
  printerColumns?: PrinterColumn[];
  /**
   * Fields the API server can filter lists and watches of this resource by
   * (`kubectl get --field-selector spec.color=red`, a client's
   * `fieldSelector`): JSON paths of string, integer or boolean fields, at
   * most 8 (CRD `selectableFields`, kubebuilder's `+kubebuilder:selectablefield`).
   */
  selectableFields?: string[];
  subresources?: {
    /** The `/status` subresource, which keeps spec and status writes apart. Default: true when a status schema is given. */
    status?: boolean;
    scale?: ScaleSubresource;
  };
  /** CEL rules on the whole object (`self.spec…`, `self.metadata.name`); rules on a field go in that field's schema options. */
  validations?: ValidationRule[];
  /** Whether the API serves this version (default true). */
  served?: boolean;
  /** Whether objects are stored in this version. Exactly one version must be; with one version it is the default. */
  storage?: boolean;
  /** Marks the version deprecated: clients get a warning. */
  deprecated?: boolean;
  /** The warning text, instead of the API server's default one (needs `deprecated: true`). */
  deprecationWarning?: string;
  /** Description of the object (root of the schema), shown by `kubectl explain`. */
  description?: string;
}

/**
 * Everything {@link defineResource} takes: the resource's names and scope, and its first version.
 *
 * @example
 * ```ts
 * const options: ResourceOptions<typeof Spec, undefined> = { group: "cache.example.com", version: "v1", kind: "Memcached", scope: "Namespaced", spec: Spec };
 * ```
 */
export interface ResourceOptions<S extends TSchema, St extends TSchema | undefined> extends VersionOptions<S, St> {
  /** API group: a domain you own, such as `cache.example.com`. */
  group: string;
  /** Version name: `v1`, `v1alpha1`, `v2beta3`… */
  version: string;
  /** UpperCamelCase kind, such as `Memcached`. */
  kind: string;
  scope: Scope;
  /** REST resource name. Default: the kind, lower-cased and pluralized (`Policy` → `policies`). */
  plural?: string;
  /** Default: the kind, lower-cased. */
  singular?: string;
  /** Short names for kubectl (`mc` for `kubectl get mc`). */
  shortNames?: string[];
  /** Groups of resources this one belongs to (`kubectl get all` lists the `all` category). */
  categories?: string[];
  /** For groups under `k8s.io`/`kubernetes.io` only: the value of the `api-approved.kubernetes.io` annotation (the URL of the approving API review). */
  apiApproved?: string;
}

/**
 * The names of a resource, as they appear in its CRD (`spec.names`).
 *
 * @example
 * ```ts
 * Memcached.names // { plural: "memcacheds", singular: "memcached", kind: "Memcached", listKind: "MemcachedList", shortNames: [], categories: [] }
 * ```
 */
export interface ResourceNames {
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly listKind: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
}

/**
 * The objects of a resource as they are read (from the API server, the
 * cache, a reconcile): any Kubernetes object with `spec` typed from the spec
 * schema and an optional `status` typed from the status schema, every
 * `Defaulted` field present (`StaticOutput`). What users write is
 * {@link ResourceInput}.
 *
 * @example
 * ```ts
 * type Memcached = ResourceObject<typeof MemcachedSpec, typeof MemcachedStatus>;
 * ```
 */
export type ResourceObject<S extends TSchema, St extends TSchema | undefined = undefined> = KubeObject & { spec: StaticOutput<S> } & ([St] extends [TSchema] ? { status?: StaticOutput<St> } : unknown);

/**
 * What users write for a resource (create, update, apply): like
 * {@link ResourceObject}, but fields made with `Defaulted` are optional, and
 * so is `spec` itself when its schema is `Defaulted`. It is `InputOf` the
 * resource's definition.
 *
 * @example
 * ```ts
 * const Spec = Type.Object({ size: Defaulted(Type.Integer({ minimum: 1 }), 1) });
 * const draft: ResourceInput<typeof Spec> = { metadata: { name: "mc" }, spec: {} };
 * ```
 */
export type ResourceInput<S extends TSchema, St extends TSchema | undefined = undefined> = KubeObject &
  (S extends TDefaulted ? { spec?: Static<S> } : { spec: Static<S> }) &
  ([St] extends [TSchema] ? { status?: Static<St> } : unknown);

/**
 * A custom resource, one version of it: a {@link Kind} (use it wherever a
 * Kind goes), the schemas its objects' type comes from, and what CRD
 * generation needs. Its `version` is this version's name; further versions
 * of the resource come from {@link ResourceDefinition.defineVersion}.
 *
 * @example
 * ```ts
 * const Memcached = defineResource({ group: "cache.example.com", version: "v1alpha1", kind: "Memcached", scope: "Namespaced",
 *   spec: Type.Object({ size: Type.Integer({ minimum: 1 }) }) });
 * type Memcached = ObjectOf<typeof Memcached>;           // { spec: { size: number }, … }
 * const problems = Memcached.validate(obj);              // [] when valid
 * ```
 */
export interface ResourceDefinition<S extends TSchema = TSchema, St extends TSchema | undefined = TSchema | undefined> extends Kind<ResourceObject<S, St>, ResourceInput<S, St>> {
  readonly scope: Scope;
  readonly names: ResourceNames;
  /** The schema of `spec` in this version (so `Static<typeof Memcached.spec>` is the spec's type). */
  readonly spec: S;
  /** The schema of `status` in this version, if any. */
  readonly status: St;
  readonly printerColumns: readonly PrinterColumn[];
  /** JSON paths of the fields lists and watches can be filtered by (`selectableFields`). */
  readonly selectableFields: readonly string[];
  readonly subresources: { readonly status: boolean; readonly scale?: ScaleSubresource };
  readonly validations: readonly ValidationRule[];
  readonly served: boolean;
  /** As given: `undefined` lets the manifest generator choose (only possible with a single version). */
  readonly storage: boolean | undefined;
  readonly deprecated: boolean;
  readonly deprecationWarning: string | undefined;
  readonly description: string | undefined;
  /** The `api-approved.kubernetes.io` annotation, for protected groups. */
  readonly apiApproved: string | undefined;
  /** Every version of this resource declared so far (through {@link ResourceDefinition.defineVersion}), highest priority first. */
  readonly versions: readonly ResourceDefinition[];
  /**
   * Declares another version of the same resource (same group, kind, names
   * and scope). All versions end up in one CRD: pass any of them to
   * `crdManifest`. Mark exactly one `storage: true`.
   *
   * @throws OperantError `InvalidName` for a malformed version, `CrdInvalid` for a version declared twice
   * @example
   * ```ts
   * export const MemcachedV1 = Memcached.defineVersion("v1", { spec: SpecV1, status: Status, storage: true });
   * ```
   */
  defineVersion<S2 extends TSchema, St2 extends TSchema | undefined = undefined>(name: string, options: VersionOptions<S2, St2>): ResourceDefinition<S2, St2>;
  /**
   * Checks an object against this version's schemas, client-side: spec,
   * status, and apiVersion/kind when present. CEL rules and formats the
   * validator does not know are not checked (the API server does). Returns
   * the problems with their field paths; empty when the object is valid.
   *
   * @example
   * ```ts
   * for (const p of Memcached.validate(obj)) log.warn(`${p.path}: ${p.message}`);
   * ```
   */
  validate(obj: unknown): ValidationProblem[];
  /**
   * This version's `openAPIV3Schema`, converted from the TypeBox schemas and checked for structurality.
   *
   * @throws OperantError `CrdSchemaNotStructural`, `CrdSchemaInvalid`
   * @example
   * ```ts
   * Memcached.openAPISchema().properties?.spec // { type: "object", required: ["size"], … }
   * ```
   */
  openAPISchema(): JSONSchemaProps;
}

// What the versions of one resource share.
interface Family {
  readonly group: string;
  readonly kind: string;
  readonly scope: Scope;
  readonly names: ResourceNames;
  readonly apiApproved: string | undefined;
  readonly members: ResourceDefinition[];
}

const PRINTER_TYPES = new Set(["integer", "number", "string", "boolean", "date"]);
const PRINTER_FORMATS = new Set(["int32", "int64", "float", "double", "byte", "date", "date-time", "password"]);

function crdInvalid(message: string): OperantError {
  return new OperantError("CrdInvalid", message);
}

const isSchema = (v: unknown): v is TSchema => typeof v === "object" && v !== null && !Array.isArray(v);

class Resource<S extends TSchema, St extends TSchema | undefined> implements ResourceDefinition<S, St> {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly apiVersion: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly scope: Scope;
  readonly names: ResourceNames;
  readonly spec: S;
  readonly status: St;
  readonly printerColumns: readonly PrinterColumn[];
  readonly selectableFields: readonly string[];
  readonly subresources: { readonly status: boolean; readonly scale?: ScaleSubresource };
  readonly validations: readonly ValidationRule[];
  readonly served: boolean;
  readonly storage: boolean | undefined;
  readonly deprecated: boolean;
  readonly deprecationWarning: string | undefined;
  readonly description: string | undefined;
  readonly apiApproved: string | undefined;
  readonly #family: Family;
  readonly #cache: { schema?: JSONSchemaProps; validation?: TSchema } = {};

  constructor(family: Family, name: string, options: VersionOptions<S, St>) {
    checkVersionOptions(`${family.kind} ${name}`, options);
    this.#family = family;
    this.group = family.group;
    this.kind = family.kind;
    this.apiVersion = `${family.group}/${name}`;
    this.plural = family.names.plural;
    this.namespaced = family.scope === "Namespaced";
    this.scope = family.scope;
    this.names = family.names;
    this.apiApproved = family.apiApproved;
    this.spec = options.spec;
    this.status = options.status as St;
    this.printerColumns = Object.freeze([...(options.printerColumns ?? [])]);
    this.selectableFields = Object.freeze([...(options.selectableFields ?? [])]);
    const scale = options.subresources?.scale;
    this.subresources = Object.freeze({ status: options.subresources?.status ?? options.status !== undefined, ...(scale ? { scale: { ...scale } } : {}) });
    this.validations = Object.freeze([...(options.validations ?? [])]);
    this.served = options.served ?? true;
    this.storage = options.storage;
    this.deprecated = options.deprecated ?? false;
    this.deprecationWarning = options.deprecationWarning;
    this.description = options.description;
    this.version = name;
    Object.freeze(this);
  }

  get versions(): readonly ResourceDefinition[] {
    return [...this.#family.members].sort((a, b) => compareVersions(a.version, b.version));
  }

  defineVersion<S2 extends TSchema, St2 extends TSchema | undefined = undefined>(name: string, options: VersionOptions<S2, St2>): ResourceDefinition<S2, St2> {
    checkVersion(name);
    if (this.#family.members.some((m) => m.version === name)) {
      throw crdInvalid(`${this.kind} version ${name} is already declared; give the new version another name (v1beta1, v1, v2…)`);
    }
    const v = new Resource<S2, St2>(this.#family, name, options);
    this.#family.members.push(v);
    return v;
  }

  validate(obj: unknown): ValidationProblem[] {
    this.#cache.validation ??= Type.Object({
      apiVersion: Type.Optional(Type.String()),
      kind: Type.Optional(Type.String()),
      metadata: Type.Optional(Type.Object({})),
      spec: hasDefault(this.spec) ? Type.Optional(this.spec) : this.spec,
      ...(this.status !== undefined ? { status: Type.Optional(this.status) } : {}),
    });
    const found: ValidationProblem[] = [];
    if (typeof obj === "object" && obj !== null) {
      const { apiVersion, kind } = obj as KubeObject;
      if (typeof apiVersion === "string" && apiVersion !== this.apiVersion) found.push({ path: "apiVersion", message: `is ${JSON.stringify(apiVersion)}, expected ${JSON.stringify(this.apiVersion)}` });
      if (typeof kind === "string" && kind !== this.kind) found.push({ path: "kind", message: `is ${JSON.stringify(kind)}, expected ${JSON.stringify(this.kind)}` });
    }
    return [...found, ...problems(this.#cache.validation, obj)];
  }

  openAPISchema(): JSONSchemaProps {
    this.#cache.schema ??= rootSchema({ spec: this.spec, status: this.status, validations: this.validations, description: this.description });
    return this.#cache.schema;
  }
}

function hasDefault(schema: TSchema): boolean {
  return (schema as { default?: unknown }).default !== undefined;
}

function checkVersionOptions(what: string, o: VersionOptions<TSchema, TSchema | undefined>): void {
  if (!isSchema(o.spec)) throw crdInvalid(`${what}: spec must be a TypeBox schema, such as Type.Object({ size: Type.Integer() })`);
  if (o.status !== undefined && !isSchema(o.status)) throw crdInvalid(`${what}: status must be a TypeBox schema, such as Type.Object({ ready: Type.Boolean() })`);
  if (o.subresources?.status === true && o.status === undefined) throw crdInvalid(`${what}: the status subresource needs a status schema; add status: Type.Object({…})`);
  if (o.deprecationWarning !== undefined && o.deprecated !== true) throw crdInvalid(`${what}: deprecationWarning needs deprecated: true`);
  for (const [i, c] of (o.printerColumns ?? []).entries()) {
    const at = `${what}: printer column ${i + 1}${c.name ? ` (${c.name})` : ""}`;
    if (!c.name) throw crdInvalid(`${at}: name must not be empty`);
    if (!PRINTER_TYPES.has(c.type)) throw crdInvalid(`${at}: type ${JSON.stringify(c.type)} must be one of ${[...PRINTER_TYPES].join(", ")}`);
    if (c.format !== undefined && !PRINTER_FORMATS.has(c.format)) throw crdInvalid(`${at}: format ${JSON.stringify(c.format)} must be one of ${[...PRINTER_FORMATS].join(", ")}`);
    if (typeof c.jsonPath !== "string" || !c.jsonPath.startsWith(".")) throw crdInvalid(`${at}: jsonPath ${JSON.stringify(c.jsonPath)} must start with a dot, e.g. ".spec.size"`);
    if (c.priority !== undefined && (!Number.isInteger(c.priority) || c.priority < 0)) throw crdInvalid(`${at}: priority must be a whole number ≥ 0`);
  }
  const selectable = o.selectableFields ?? [];
  if (selectable.length > 8) throw crdInvalid(`${what}: selectableFields has ${selectable.length} fields; the API server allows at most 8`);
  for (const path of selectable) {
    if (typeof path !== "string" || !/^(\.[A-Za-z_][A-Za-z0-9_-]*)+$/.test(path) || path.startsWith(".metadata.")) throw crdInvalid(`${what}: selectable field ${JSON.stringify(path)} must be a dotted path to a field of spec or status, e.g. ".spec.color" (metadata.name and metadata.namespace are always selectable)`);
  }
  if (new Set(selectable).size !== selectable.length) throw crdInvalid(`${what}: selectableFields lists a field twice`);
  const scale = o.subresources?.scale;
  if (scale !== undefined) {
    if (!/^\.spec\.[^.]/.test(scale.specReplicasPath ?? "")) throw crdInvalid(`${what}: scale.specReplicasPath ${JSON.stringify(scale.specReplicasPath)} must be a path under .spec, e.g. ".spec.replicas"`);
    if (!/^\.status\.[^.]/.test(scale.statusReplicasPath ?? "")) throw crdInvalid(`${what}: scale.statusReplicasPath ${JSON.stringify(scale.statusReplicasPath)} must be a path under .status, e.g. ".status.replicas"`);
    if (scale.labelSelectorPath !== undefined && !/^\.(spec|status)\.[^.]/.test(scale.labelSelectorPath)) {
      throw crdInvalid(`${what}: scale.labelSelectorPath ${JSON.stringify(scale.labelSelectorPath)} must be a path under .spec or .status, e.g. ".status.selector"`);
    }
    if (o.status === undefined) throw crdInvalid(`${what}: the scale subresource reads ${scale.statusReplicasPath}, so the resource needs a status schema`);
  }
}

/**
 * Defines a custom resource from TypeBox schemas. The result is a
 * {@link Kind} whose objects are typed `{ spec: Static<spec>, status?:
 * Static<status> }` plus the usual object fields; `crdManifest(definition)`
 * turns it into its CustomResourceDefinition. Names are checked now; schemas
 * are checked when the manifest (or `openAPISchema()`) is generated.
 *
 * @throws OperantError `InvalidName` for a malformed group, version, kind,
 *   plural, singular, short name or category; `CrdInvalid` for inconsistent
 *   options (printer columns, subresources, deprecation)
 * @example
 * ```ts
 * import Type from "typebox";
 * export const Memcached = defineResource({
 *   group: "cache.example.com", version: "v1alpha1", kind: "Memcached", scope: "Namespaced",
 *   spec: Type.Object({ size: Type.Integer({ minimum: 1, description: "Number of memcached Pods" }) }),
 *   status: Type.Object({ nodes: Type.Array(Type.String()), conditions: Type.Array(Condition) }),
 *   printerColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.size" }],
 * });
 * export type Memcached = ObjectOf<typeof Memcached>;
 * ```
 */
export function defineResource<S extends TSchema, St extends TSchema | undefined = undefined>(options: ResourceOptions<S, St>): ResourceDefinition<S, St> {
  const { group, version, kind, scope } = options;
  checkGroup(group, { approved: options.apiApproved !== undefined });
  if (options.apiApproved !== undefined && !isProtectedGroup(group)) {
    throw crdInvalid(`${kind}: apiApproved is only for groups under k8s.io or kubernetes.io; remove it for ${group}`);
  }
  checkVersion(version);
  checkKind(kind);
  if (scope !== "Namespaced" && scope !== "Cluster") throw crdInvalid(`${kind}: scope must be "Namespaced" or "Cluster", not ${JSON.stringify(scope)}`);
  const plural = options.plural ?? pluralize(kind);
  const singular = options.singular ?? kind.toLowerCase();
  checkResourceName("plural", plural);
  checkResourceName("singular", singular);
  for (const s of options.shortNames ?? []) checkResourceName("shortName", s);
  for (const c of options.categories ?? []) checkResourceName("category", c);
  if (plural === singular) throw new OperantError("InvalidName", `${kind}: plural and singular are both ${JSON.stringify(plural)}; give a distinct plural`);
  const names: ResourceNames = Object.freeze({
    plural,
    singular,
    kind,
    listKind: `${kind}List`,
    shortNames: Object.freeze([...(options.shortNames ?? [])]),
    categories: Object.freeze([...(options.categories ?? [])]),
  });
  const family: Family = { group, kind, scope, names, apiApproved: options.apiApproved, members: [] };
  const def = new Resource<S, St>(family, version, options);
  family.members.push(def);
  return def;
}
