// The sharding benchmark's custom resource: a ShardItem has a small spec and
// a status its operator writes once per generation.
import Type from "typebox";
import { defineResource } from "../../packages/operant/src/crd/resource/resource.ts";
import type { ObjectOf } from "../../packages/operant/src/core/kind.ts";

/**
 * The ShardItem custom resource (bench.operant.dev/v1).
 *
 * @example
 * ```ts
 * await client.create(ShardItem, { metadata: { name: "item-0", namespace: "bench" }, spec: { value: 0 } });
 * ```
 */
export const ShardItem = defineResource({
  group: "bench.operant.dev",
  version: "v1",
  kind: "ShardItem",
  scope: "Namespaced",
  description: "One unit of work of the sharding benchmark.",
  spec: Type.Object({ value: Type.Integer({ description: "Any number" }) }),
  status: Type.Object({
    observedGeneration: Type.Optional(Type.Integer({ description: "The generation last reconciled" })),
    replica: Type.Optional(Type.String({ description: "The replica that reconciled it" })),
  }),
});
export type ShardItem = ObjectOf<typeof ShardItem>;
