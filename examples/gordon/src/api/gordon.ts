// The Gordon resource (seed: gordons.operator.prgcont.cz): how many bare Pods
// to keep, and what the operator saw of them.
import Type from "typebox";
import { AGE_COLUMN, Condition, Defaulted, defineResource, type ObjectOf } from "operant";

/**
 * The image of the seed's Pod template; `spec.image` defaults to it.
 *
 * @example
 * ```ts
 * image: Defaulted(Type.String({ minLength: 1 }), DEFAULT_IMAGE) // gordon.spec.image is then always set
 * ```
 */
export const DEFAULT_IMAGE = "prgcont/gordon:v1.0";

/**
 * Label on every Pod of a Gordon: its Gordon's name (the status' `selector`).
 *
 * @example
 * ```ts
 * ctx.list(Pod, { namespace, labels: { [GORDON_LABEL]: gordon.metadata.name } });
 * ```
 */
export const GORDON_LABEL = "operator.prgcont.cz/gordon";

/**
 * Label on every Pod of a Gordon: its index (`<gordon>-<index>` is its name).
 *
 * @example
 * ```ts
 * Number(pod.metadata.labels?.[INDEX_LABEL]) // 2 for gordoncluster-2
 * ```
 */
export const INDEX_LABEL = "operator.prgcont.cz/index";

/**
 * At most this many replicas: Pod names `<gordon>-<index>` then stay within 253 characters.
 *
 * @example
 * ```ts
 * kubectl scale gordon/x --replicas=101 // refused: spec.replicas in body should be less than or equal to 100
 * ```
 */
export const MAX_REPLICAS = 100;

const PodStatus = Type.Object({
  name: Type.String({ description: "Pod name: <gordon>-<index>." }),
  index: Type.Integer({ minimum: 0 }),
  phase: Type.String({ description: "Pod phase: Pending, Running, Succeeded, Failed or Unknown." }),
  ready: Type.Boolean({ description: "The Pod's Ready condition is True." }),
  terminating: Type.Optional(Type.Boolean({ description: "The Pod is being deleted." })),
});

/**
 * What a Gordon's status reports (the same in every version).
 *
 * @example
 * ```ts
 * const status: Static<typeof GordonStatus> = { replicas: 3, readyReplicas: 3, selector: `${GORDON_LABEL}=x` };
 * ```
 */
export const GordonStatus = Type.Object({
  replicas: Type.Optional(Type.Integer({ minimum: 0, description: "Pods that exist and are not being deleted." })),
  readyReplicas: Type.Optional(Type.Integer({ minimum: 0, description: "Pods that are Running and Ready." })),
  selector: Type.Optional(Type.String({ description: "Label selector of the Pods (for the scale subresource)." })),
  pods: Type.Optional(Type.Array(PodStatus, { description: "The Pods of this Gordon, by index.", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] })),
  conditions: Type.Optional(Type.Array(Condition)),
});

/**
 * A Gordon: keeps `spec.replicas` bare Pods named `<name>-0`…`<name>-<n-1>`.
 *
 * @example
 * ```ts
 * await client.create(Gordon, { metadata: { name: "gordoncluster", namespace: "default" }, spec: { replicas: 3 } });
 * ```
 */
export const Gordon = defineResource({
  group: "operator.prgcont.cz",
  version: "v1",
  kind: "Gordon",
  scope: "Namespaced",
  shortNames: ["gn"],
  description: "Gordon keeps a number of bare Pods running (no Deployment or ReplicaSet).",
  // The hub of the conversion and the version objects are stored at; v1alpha1 (src/api/gordon-v1alpha1.ts) converts to and from it.
  storage: true,
  spec: Type.Object({
    replicas: Type.Integer({ minimum: 0, maximum: MAX_REPLICAS, description: "How many Pods to keep." }),
    // Defaulted: optional when a Gordon is written, always there when one is read.
    image: Defaulted(
      Type.String({
        minLength: 1,
        description: "Container image of the Pods. Immutable: Pods are not rolled; delete and recreate the Gordon to change it.",
        "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "image is immutable: delete and recreate the Gordon to change it" }],
      }),
      DEFAULT_IMAGE,
    ),
  }),
  status: GordonStatus,
  validations: [{ rule: "self.metadata.name.size() <= 249", message: "the name must be at most 249 characters: Pods are named <name>-<index>" }],
  printerColumns: [
    { name: "Desired", type: "integer", jsonPath: ".spec.replicas" },
    { name: "Current", type: "integer", jsonPath: ".status.replicas" },
    { name: "Ready", type: "integer", jsonPath: ".status.readyReplicas" },
    { name: "Image", type: "string", jsonPath: ".spec.image", priority: 1 },
    AGE_COLUMN,
  ],
  subresources: { scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.selector" } },
});

/**
 * A Gordon object.
 *
 * @example
 * ```ts
 * const g: Gordon = await client.get(Gordon, { namespace: "default", name: "gordoncluster" });
 * ```
 */
export type Gordon = ObjectOf<typeof Gordon>;
