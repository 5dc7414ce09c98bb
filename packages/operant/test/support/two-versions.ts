// A resource with two versions and a conversion between them, shared by the
// conversion tests (unit and on the local control plane) and the webhook
// benchmark: v1 (replicas, image) is the hub; v1alpha1 calls replicas "size",
// has a tier v1 lacks and no image. What one version cannot express travels
// in the stash annotation.
import Type from "typebox";
import { defineResource } from "../../src/crd/resource/resource.ts";
import { defineConversion } from "../../src/webhook/conversion/conversion.ts";

/** The image a v1alpha1 object converted to v1 gets when none was stashed. */
export const DEFAULT_IMAGE = "memcached:1.6";

/**
 * The two versions of `kind` in `group` and their conversion, with `storage` the version etcd holds.
 *
 * @example
 * ```ts
 * const { V1alpha1, V1, conversion } = twoVersions({ group: "conv.example.com", kind: "Gadget", storage: "v1" });
 * ```
 */
export function twoVersions(options: { group: string; kind: string; storage: "v1alpha1" | "v1" }) {
  const V1alpha1 = defineResource({
    group: options.group,
    version: "v1alpha1",
    kind: options.kind,
    scope: "Namespaced",
    ...(options.storage === "v1alpha1" && { storage: true }),
    spec: Type.Object({ size: Type.Integer(), tier: Type.Optional(Type.String()) }),
  });
  const V1 = V1alpha1.defineVersion("v1", { spec: Type.Object({ replicas: Type.Integer(), image: Type.String() }), storage: options.storage === "v1" });
  const conversion = defineConversion(V1).spoke(V1alpha1, {
    toHub: (old, stash) => {
      stash.put("tier", old.spec.tier);
      return { spec: { replicas: old.spec.size, image: stash.take<string>("image") ?? DEFAULT_IMAGE } };
    },
    fromHub: (hub, stash) => {
      stash.put("image", hub.spec.image);
      const tier = stash.take<string>("tier");
      return { spec: { size: hub.spec.replicas, ...(tier === undefined ? {} : { tier }) } };
    },
  });
  return { V1alpha1, V1, conversion };
}
