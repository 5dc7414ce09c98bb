// The Memcached resource (cache.example.com/v1alpha1): its spec (what users ask
// for) and its status (what the operator observed), as TypeBox schemas. The
// TypeScript type and the CRD both come from them: after a change, run
// `operant generate` (config/crd) and `operant install` (the cluster).
import Type from "typebox";
import { AGE_COLUMN, Condition, defineResource, type ObjectOf } from "operant";

export const Memcached = defineResource({
  group: "cache.example.com",
  version: "v1alpha1",
  kind: "Memcached",
  scope: "Namespaced",
  spec: Type.Object({
    size: Type.Integer({ minimum: 1, description: "Number of memcached Pods" }),
  }),
  status: Type.Object({
    nodes: Type.Optional(Type.Array(Type.String(), { description: "Names of the memcached Pods" })),
    conditions: Type.Optional(Type.Array(Condition)),
  }),
  printerColumns: [
    { name: "Size", type: "integer", jsonPath: ".spec.size" },
    { name: "Available", type: "string", jsonPath: '.status.conditions[?(@.type=="Available")].status' },
    AGE_COLUMN,
  ],
});
export type Memcached = ObjectOf<typeof Memcached>;
