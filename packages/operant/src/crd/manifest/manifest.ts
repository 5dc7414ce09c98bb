// Resource definitions → apiextensions.k8s.io/v1 CustomResourceDefinition
// objects, ready for `kubectl apply --server-side` or a client's apply: one
// CRD per group and kind, every declared version in it, exactly one of them
// the storage version.
import { OperantError } from "../../core/errors.ts";
import { compareVersions } from "../names/names.ts";
import type { PrinterColumn, ResourceDefinition, ResourceNames, Scope, ScaleSubresource } from "../resource/resource.ts";
import type { JSONSchemaProps } from "../schema/json-schema-props.ts";

/**
 * One version in a generated CRD (`spec.versions[]`).
 *
 * @example
 * ```ts
 * const v: CrdVersion = crdManifest(Memcached).spec.versions[0]!;
 * v.schema.openAPIV3Schema.properties?.spec;
 * ```
 */
export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema: { openAPIV3Schema: JSONSchemaProps };
  subresources?: { status?: Record<string, never>; scale?: ScaleSubresource };
  additionalPrinterColumns?: PrinterColumn[];
  selectableFields?: { jsonPath: string }[];
}

/**
 * A CustomResourceDefinition as {@link crdManifest} generates it: plain JSON
 * with the exact wire field names (including the `x-kubernetes-*` schema
 * extensions).
 *
 * @example
 * ```ts
 * const crd: CustomResourceDefinitionManifest = crdManifest(Memcached);
 * process.stdout.write(JSON.stringify(crd, null, 2));
 * ```
 */
export interface CustomResourceDefinitionManifest {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    group: string;
    names: { plural: string; singular: string; kind: string; listKind: string; shortNames?: string[]; categories?: string[] };
    scope: Scope;
    versions: CrdVersion[];
    /** How the API server converts between versions: set by `operant/webhook`'s `withConversionWebhook` for a multi-version resource with a conversion. */
    conversion?: {
      strategy: "None" | "Webhook";
      webhook?: { conversionReviewVersions: string[]; clientConfig: { url?: string; service?: { name: string; namespace: string; path?: string; port?: number }; caBundle?: string } };
    };
  };
}


function crdInvalid(message: string): OperantError {
  return new OperantError("CrdInvalid", message);
}

/**
 * The CustomResourceDefinition of one resource, with every version declared
 * for it: the versions of the definitions given and those declared through
 * `defineVersion` on any of them, sorted by Kubernetes priority (v2, v1,
 * v1beta1, v1alpha1). Separately defined versions of the same group and kind
 * (two `defineResource` calls) are merged if their names and scope agree.
 *
 * The storage version is the one marked `storage: true`; with a single
 * version, that version unless it says `storage: false`.
 *
 * @throws OperantError `CrdInvalid` (zero or several storage versions, a
 *   version declared twice, definitions that disagree on names or scope,
 *   definitions of different kinds, a printer column or scale path naming a
 *   field the schema does not have); `CrdSchemaNotStructural` and
 *   `CrdSchemaInvalid` from the schema conversion
 * @example
 * ```ts
 * const crd = crdManifest(Memcached);
 * await kubectl(["apply", "--server-side", "-f", "-"], JSON.stringify(crd));
 * ```
 */
export function crdManifest(...definitions: ResourceDefinition[]): CustomResourceDefinitionManifest {
  const groups = byGroupKind(definitions);
  if (groups.size !== 1) {
    const kinds = [...groups.keys()].join(", ");
    throw crdInvalid(groups.size === 0 ? "crdManifest needs at least one resource definition" : `crdManifest builds the CRD of one resource, but got ${kinds}; use crdManifests() for several`);
  }
  return build([...groups.values()][0] as ResourceDefinition[]);
}

/**
 * One CustomResourceDefinition per resource (group and kind) among the
 * definitions, sorted by CRD name; see {@link crdManifest} for each.
 *
 * @example
 * ```ts
 * const manifests = crdManifests(Memcached, Backup, BackupSchedule);
 * await writeFile("config/crd.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: manifests }, null, 2));
 * ```
 */
export function crdManifests(...definitions: ResourceDefinition[]): CustomResourceDefinitionManifest[] {
  return [...byGroupKind(definitions).values()].map(build).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

function byGroupKind(definitions: readonly ResourceDefinition[]): Map<string, ResourceDefinition[]> {
  const groups = new Map<string, ResourceDefinition[]>();
  for (const d of definitions) {
    for (const v of [d, ...d.versions]) {
      const key = `${v.kind}.${v.group}`;
      const list = groups.get(key) ?? [];
      if (!list.includes(v)) list.push(v);
      groups.set(key, list);
    }
  }
  return groups;
}

function sameNames(a: ResourceNames, b: ResourceNames): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function build(versions: readonly ResourceDefinition[]): CustomResourceDefinitionManifest {
  const first = versions[0];
  if (first === undefined) throw crdInvalid("crdManifest needs at least one resource definition");
  const what = `${first.kind}.${first.group}`;
  const seen = new Set<string>();
  for (const v of versions) {
    if (seen.has(v.version)) throw crdInvalid(`${what}: version ${v.version} is defined twice; define each version once (defineVersion on the first definition)`);
    seen.add(v.version);
    if (v.scope !== first.scope) throw crdInvalid(`${what}: versions disagree on scope (${first.scope} in ${first.version}, ${v.scope} in ${v.version}); a resource has one scope`);
    if (!sameNames(v.names, first.names)) throw crdInvalid(`${what}: versions ${first.version} and ${v.version} disagree on names (plural, singular, short names, categories); a resource has one set of names`);
    if (v.apiApproved !== first.apiApproved) throw crdInvalid(`${what}: versions ${first.version} and ${v.version} disagree on apiApproved`);
  }
  const sorted = [...versions].sort((a, b) => compareVersions(a.version, b.version));
  const marked = sorted.filter((v) => v.storage === true);
  let storage: ResourceDefinition | undefined;
  if (marked.length > 1) {
    throw crdInvalid(`${what}: ${marked.map((v) => v.version).join(", ")} are all marked storage: true; exactly one version is stored, keep storage: true on one`);
  } else if (marked.length === 1) {
    storage = marked[0];
  } else if (sorted.length === 1 && first.storage !== false) {
    storage = first;
  } else {
    throw crdInvalid(`${what}: no storage version among ${sorted.map((v) => v.version).join(", ")}; mark exactly one with storage: true`);
  }

  const names = first.names;
  const crd: CustomResourceDefinitionManifest = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${names.plural}.${first.group}`, ...(first.apiApproved !== undefined ? { annotations: { "api-approved.kubernetes.io": first.apiApproved } } : {}) },
    spec: {
      group: first.group,
      names: {
        plural: names.plural,
        singular: names.singular,
        kind: names.kind,
        listKind: names.listKind,
        ...(names.shortNames.length > 0 ? { shortNames: [...names.shortNames] } : {}),
        ...(names.categories.length > 0 ? { categories: [...names.categories] } : {}),
      },
      scope: first.scope,
      versions: sorted.map((v) => version(v, v === storage)),
    },
  };
  return crd;
}

function version(def: ResourceDefinition, storage: boolean): CrdVersion {
  const schema = def.openAPISchema();
  const at = `${def.kind} ${def.version}`;
  const out: CrdVersion = {
    name: def.version,
    served: def.served,
    storage,
    ...(def.deprecated ? { deprecated: true } : {}),
    ...(def.deprecationWarning !== undefined ? { deprecationWarning: def.deprecationWarning } : {}),
    schema: { openAPIV3Schema: schema },
  };
  const { status, scale } = def.subresources;
  if (status || scale) {
    out.subresources = {};
    if (status) out.subresources.status = {};
    if (scale) {
      checkPath(schema, scale.specReplicasPath, `${at}: scale.specReplicasPath`, "integer");
      checkPath(schema, scale.statusReplicasPath, `${at}: scale.statusReplicasPath`, "integer");
      if (scale.labelSelectorPath !== undefined) checkPath(schema, scale.labelSelectorPath, `${at}: scale.labelSelectorPath`, "string");
      out.subresources.scale = { specReplicasPath: scale.specReplicasPath, statusReplicasPath: scale.statusReplicasPath, ...(scale.labelSelectorPath !== undefined ? { labelSelectorPath: scale.labelSelectorPath } : {}) };
    }
  }
  if (def.printerColumns.length > 0) {
    for (const c of def.printerColumns) checkPath(schema, c.jsonPath, `${at}: printer column ${c.name}`);
    out.additionalPrinterColumns = def.printerColumns.map((c) => ({ ...c }));
  }
  if (def.selectableFields.length > 0) {
    for (const path of def.selectableFields) checkSelectable(schema, path, `${at}: selectable field`);
    out.selectableFields = def.selectableFields.map((jsonPath) => ({ jsonPath }));
  }
  return out;
}

// A selectable field must be a string, integer or boolean field of the schema (the API server's rule).
function checkSelectable(schema: JSONSchemaProps, jsonPath: string, what: string): void {
  checkPath(schema, jsonPath, what);
  let node: JSONSchemaProps | undefined = schema;
  for (const seg of jsonPath.slice(1).split(".")) node = node?.properties?.[seg];
  if (node?.type !== undefined && !["string", "integer", "boolean"].includes(node.type)) throw crdInvalid(`${what}: ${jsonPath} is ${node.type === "object" || node.type === "array" ? `an ${node.type}` : `a ${node.type}`}; only string, integer and boolean fields can be selected`);
}

// Checks that a simple dotted path (`.spec.size`) names a field of the schema.
// Paths with brackets or filters, and paths into metadata, are left to the API server.
function checkPath(schema: JSONSchemaProps, jsonPath: string, what: string, type?: "integer" | "string"): void {
  if (!/^(\.[A-Za-z_][A-Za-z0-9_-]*)+$/.test(jsonPath) || jsonPath.startsWith(".metadata.")) return;
  let node: JSONSchemaProps | undefined = schema;
  const seen: string[] = [];
  for (const seg of jsonPath.slice(1).split(".")) {
    if (node?.["x-kubernetes-preserve-unknown-fields"] && node.properties?.[seg] === undefined) return;
    const next: JSONSchemaProps | undefined = node?.properties?.[seg] ?? node?.additionalProperties;
    if (next === undefined) {
      const known = Object.keys(node?.properties ?? {});
      throw crdInvalid(`${what}: ${jsonPath} is not a field of the schema (${seen.length ? `.${seen.join(".")}` : "the object"} has ${known.length ? known.join(", ") : "no fields"}); fix the path or the schema`);
    }
    seen.push(seg);
    node = next;
  }
  if (type !== undefined && node?.type !== type) throw crdInvalid(`${what}: ${jsonPath} must be ${type === "integer" ? "an integer" : "a string"} field, but the schema says ${node?.type ?? "no type"}`);
}
