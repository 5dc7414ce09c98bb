// Gordon as the seed's tutorial wrote it: the replica count nested under
// `spec.gordon.replicas`, no image. Still served, so manifests written the
// seed's way keep working; objects are stored at v1 (src/api/gordon.ts), and
// the API server asks the operator's conversion webhook
// (src/webhooks/conversion.ts) to translate between the two.
import Type from "typebox";
import { AGE_COLUMN, type ObjectOf } from "operant";
import { Gordon, GordonStatus, MAX_REPLICAS } from "./gordon.ts";

/**
 * `operator.prgcont.cz/v1alpha1` Gordon: `spec.gordon.replicas`. Deprecated:
 * clients that use it get a warning pointing at v1.
 *
 * @example
 * ```ts
 * await client.create(GordonV1alpha1, { metadata: { name: "old-style", namespace: "default" }, spec: { gordon: { replicas: 2 } } });
 * (await client.get(Gordon, { namespace: "default", name: "old-style" })).spec.replicas; // 2
 * ```
 */
export const GordonV1alpha1 = Gordon.defineVersion("v1alpha1", {
  spec: Type.Object({
    gordon: Type.Object({
      replicas: Type.Integer({ minimum: 0, maximum: MAX_REPLICAS, description: "How many Pods to keep." }),
    }),
  }),
  status: GordonStatus,
  deprecated: true,
  deprecationWarning: "operator.prgcont.cz/v1alpha1 Gordon is deprecated: use operator.prgcont.cz/v1, where spec.gordon.replicas is spec.replicas",
  printerColumns: [
    { name: "Desired", type: "integer", jsonPath: ".spec.gordon.replicas" },
    { name: "Current", type: "integer", jsonPath: ".status.replicas" },
    { name: "Ready", type: "integer", jsonPath: ".status.readyReplicas" },
    AGE_COLUMN,
  ],
  subresources: { scale: { specReplicasPath: ".spec.gordon.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.selector" } },
});

/**
 * A v1alpha1 Gordon object.
 *
 * @example
 * ```ts
 * const g: GordonV1alpha1 = await client.get(GordonV1alpha1, { namespace: "default", name: "old-style" });
 * ```
 */
export type GordonV1alpha1 = ObjectOf<typeof GordonV1alpha1>;
