// Sample objects of a custom resource, built from its schema: what
// `operant create api` writes to config/samples and what a bundle's
// `alm-examples` shows. The sample is valid against the schema when the
// schema allows it to be built from defaults, examples, enums and bounds.
import type { ResourceDefinition } from "../crd/resource/resource.ts";
import type { JSONSchemaProps } from "../crd/schema/json-schema-props.ts";
import type { KubeObject } from "../core/object.ts";

/**
 * A sample custom object: apiVersion, kind, a name and a spec.
 *
 * @example
 * ```ts
 * const sample: SampleObject = sampleFor(Memcached);
 * await writeFile(`config/samples/${sampleFileName(Memcached)}`, manifestsYaml([sample]));
 * ```
 */
export interface SampleObject extends KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: unknown;
}

/**
 * The smallest value a schema accepts that a person can read and edit:
 * its default, else its first example or enum value, else a value from its
 * type and bounds. Objects get their required properties (and optional ones
 * that have a default or an example); arrays get `minItems` items.
 */
function sampleValue(s: JSONSchemaProps, depth = 0): unknown {
  if (s.default !== undefined) return s.default;
  if (s.example !== undefined) return s.example;
  if (s.enum && s.enum.length > 0) return s.enum[0];
  if (s["x-kubernetes-int-or-string"]) return 1;
  if (depth > 16) return undefined;
  switch (s.type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const required = new Set(s.required ?? []);
      for (const [k, p] of Object.entries(s.properties ?? {})) {
        if (required.has(k) || p.default !== undefined || p.example !== undefined) {
          const v = sampleValue(p, depth + 1);
          if (v !== undefined) out[k] = v;
        }
      }
      return out;
    }
    case "array": {
      const n = s.minItems ?? 0;
      const item = s.items ? sampleValue(s.items, depth + 1) : undefined;
      return item === undefined ? [] : Array.from({ length: n }, () => structuredClone(item));
    }
    case "integer":
    case "number": {
      let v = s.minimum !== undefined ? (s.exclusiveMinimum ? s.minimum + 1 : s.minimum) : 0;
      if (s.type === "integer") v = Math.ceil(v);
      if (s.maximum !== undefined && v > s.maximum) v = s.maximum;
      if (s.multipleOf && v % s.multipleOf !== 0) v = Math.ceil(v / s.multipleOf) * s.multipleOf;
      return v;
    }
    case "boolean":
      return false;
    case "string":
      if (s.format === "date-time") return "2025-01-01T00:00:00Z";
      if (s.format === "date") return "2025-01-01";
      return (s.minLength ?? 0) > 0 ? "x".repeat(s.minLength ?? 1) : "";
    case undefined:
      return s["x-kubernetes-preserve-unknown-fields"] ? {} : undefined;
  }
}

/**
 * A sample object of `resource` named `<singular>-sample`, with a spec
 * built from the schema (defaults, examples, enums, minimums). Check it with
 * `resource.validate(sample)` when the schema has constraints the builder
 * cannot satisfy (patterns, CEL rules).
 *
 * @example
 * ```ts
 * sampleFor(Memcached) // { apiVersion: "cache.example.com/v1alpha1", kind: "Memcached", metadata: { name: "memcached-sample" }, spec: { size: 1 } }
 * ```
 */
export function sampleFor(resource: ResourceDefinition): SampleObject {
  const spec = resource.openAPISchema().properties?.spec;
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: { name: `${resource.names.singular}-sample` },
    spec: (spec ? sampleValue(spec) : undefined) ?? {},
  };
}

/**
 * Where a resource's sample lives in a project: `config/samples/<group>_<version>_<singular>.yaml` (the file name part).
 *
 * @example
 * ```ts
 * sampleFileName(Memcached) // "cache.example.com_v1alpha1_memcached.yaml"
 * ```
 */
export function sampleFileName(resource: ResourceDefinition): string {
  return `${resource.group}_${resource.version}_${resource.names.singular}.yaml`;
}
