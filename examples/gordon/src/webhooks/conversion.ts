// How a Gordon converts between its versions, hub and spoke: v1 is the hub
// (the stored version), v1alpha1 the seed's shape. The API server sends the
// operator a ConversionReview whenever an object is read or written at a
// version other than the stored one; `operant generate` points the CRD's
// spec.conversion at the operator's webhook Service.
//
// v1alpha1 cannot hold spec.image: reading a Gordon with a custom image at
// v1alpha1 keeps the image in the annotation conversion.operant.dev/stash, so
// an update through v1alpha1 does not lose it (nor trip v1's "image is
// immutable" rule).
import { defineConversion } from "operant/webhook";
import { DEFAULT_IMAGE, Gordon } from "../api/gordon.ts";
import { GordonV1alpha1 } from "../api/gordon-v1alpha1.ts";

/**
 * Gordon v1 (hub) ⇄ v1alpha1: `spec.replicas` ⇄ `spec.gordon.replicas`,
 * status as it is, a non-default `spec.image` stashed on the way to v1alpha1.
 *
 * @example
 * ```ts
 * gordonConversion.convert({ apiVersion: "operator.prgcont.cz/v1alpha1", kind: "Gordon", metadata: { name: "g" }, spec: { gordon: { replicas: 2 } } }, "operator.prgcont.cz/v1");
 * // → spec: { replicas: 2, image: "prgcont/gordon:v1.0" }
 * ```
 */
export const gordonConversion = defineConversion(Gordon).spoke(GordonV1alpha1, {
  toHub: (old, stash) => ({
    spec: { replicas: old.spec.gordon.replicas, image: stash.take<string>("image") ?? DEFAULT_IMAGE },
    ...(old.status && { status: old.status }),
  }),
  fromHub: (hub, stash) => {
    if (hub.spec.image !== undefined && hub.spec.image !== DEFAULT_IMAGE) stash.put("image", hub.spec.image);
    return { spec: { gordon: { replicas: hub.spec.replicas } }, ...(hub.status && { status: hub.status }) };
  },
});
