// The resource and webhooks of the webhook benchmark (bench/peers/webhook.ts),
// the same as the controller-runtime peer's (bench/peers/controller-runtime/
// webhook.go): a two-version Gadget, v1 the hub and storage version, v1alpha1
// a spoke that calls replicas "size", has a tier v1 lacks and no image (the
// field one version lacks is kept in an annotation); a validating webhook that
// denies more than 100 replicas.
import Type from "typebox";
import { defineResource } from "../../../packages/operant/src/crd/index.ts";
import { Admission, defineConversion, defineValidatingWebhook } from "../../../packages/operant/src/webhook/index.ts";

export const GADGET_GROUP = "bench-webhook.operant.dev";
export const MAX_REPLICAS = 100;

export const GadgetV1 = defineResource({
  group: GADGET_GROUP,
  version: "v1",
  kind: "Gadget",
  scope: "Namespaced",
  storage: true,
  spec: Type.Object({ replicas: Type.Integer(), image: Type.String() }),
});
export const GadgetV1alpha1 = GadgetV1.defineVersion("v1alpha1", { spec: Type.Object({ size: Type.Integer(), tier: Type.Optional(Type.String()) }), storage: false });

export const validateGadget = defineValidatingWebhook({
  kind: GadgetV1,
  name: `vgadget.${GADGET_GROUP}`,
  path: "/validate",
  failurePolicy: "Fail",
  validate: (req) => {
    const replicas = req.object!.spec.replicas;
    return replicas > MAX_REPLICAS ? Admission.deny(`spec.replicas may be at most ${MAX_REPLICAS}, not ${replicas}`) : Admission.allow();
  },
});

export const gadgetConversion = defineConversion(GadgetV1).spoke(GadgetV1alpha1, {
  toHub: (old, stash) => {
    stash.put("tier", old.spec.tier);
    return { spec: { replicas: old.spec.size, image: stash.take<string>("image") ?? "memcached:1.6" } };
  },
  fromHub: (hub, stash) => {
    stash.put("image", hub.spec.image);
    const tier = stash.take<string>("tier");
    return { spec: { size: hub.spec.replicas, ...(tier === undefined ? {} : { tier }) } };
  },
});
