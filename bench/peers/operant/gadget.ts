// The resource and webhooks of the webhook benchmark (bench/peers/webhook.ts),
// the same as the controller-runtime peer's (bench/peers/controller-runtime/
// webhook.go): a two-version Gadget, v1 the hub and storage version, v1alpha1
// a spoke that calls replicas "size", has a tier v1 lacks and no image (the
// field one version lacks is kept in an annotation); a validating webhook that
// denies more than 100 replicas.
import Type from "typebox";
import { Admission, defineValidatingWebhook } from "../../../packages/operant/src/webhook/index.ts";
import { twoVersions } from "../../../packages/operant/test/support/two-versions.ts";

export const GADGET_GROUP = "bench-webhook.operant.dev";
export const MAX_REPLICAS = 100;

const gadget = twoVersions({ group: GADGET_GROUP, kind: "Gadget", storage: "v1" });
export const GadgetV1 = gadget.V1;
export const GadgetV1alpha1 = gadget.V1alpha1;
export const gadgetConversion = gadget.conversion;

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

