import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigMap } from "../kinds/index.ts";
import { Action } from "../runtime/controller/action.ts";
import { Controller } from "../runtime/controller/builder.ts";
import { Admission, defineValidatingWebhook } from "../webhook/admission/admission.ts";
import { defineOperator } from "./operator.ts";
import { admissionWebhooksOf, webhookManifestsFor } from "./webhooks.ts";

test("the sharding assignment webhook is generated into the operator's mutating configuration when it shards by definition and serves webhooks; not otherwise", () => {
  const web = Controller.for(ConfigMap, { labelSelector: { role: "web" } }).named("web").reconcile(() => Action.awaitChange());
  const validate = defineValidatingWebhook({ kind: ConfigMap, name: "vcm.ops.example.com", validate: () => Admission.allow() });
  const paths = (o: Parameters<typeof webhookManifestsFor>[0]) => webhookManifestsFor(o, { namespace: "ops", labels: {} }).mutating?.webhooks.map((w) => w.clientConfig.service?.path);
  assert.deepEqual(paths(defineOperator({ name: "ops", controllers: [web], webhooks: [validate], sharding: { enabled: true } })), ["/shard-web"]);
  assert.equal(paths(defineOperator({ name: "ops", controllers: [web], webhooks: [validate] })), undefined, "sharding off: no assignment webhook");
  assert.deepEqual(admissionWebhooksOf(defineOperator({ name: "ops", controllers: [web], sharding: { enabled: true } })), [], "no webhooks served: the sharder alone assigns");
});
