// The sharding benchmark's operator. Its one controller, "items", reconciles
// ShardItems: when status.observedGeneration lags metadata.generation it
// writes the status (one request), else nothing. With `webhooks` it also
// validates ShardItems (spec.value ≥ 0) and shards by definition, so its
// webhook configuration lists the assignment webhook too (docs/sharding.md).
import { metaOf } from "../../packages/operant/src/core/object.ts";
import { defineOperator, type OperatorDefinition } from "../../packages/operant/src/operator/operator.ts";
import { Action } from "../../packages/operant/src/runtime/controller/action.ts";
import { Controller } from "../../packages/operant/src/runtime/controller/builder.ts";
import { Admission, defineValidatingWebhook } from "../../packages/operant/src/webhook/admission/admission.ts";
import { ShardItem } from "./item.ts";

/**
 * The operator as replica `replica` runs it, counting its reconciles and status writes in `counts`;
 * reconciles wait for `hold` (the benchmark's start signal).
 *
 * @example
 * ```ts
 * const op = shardBenchOperator("r0", { reconciles: 0, writes: 0 }, { webhooks: true });
 * ```
 */
export function shardBenchOperator(replica: string, counts: { reconciles: number; writes: number }, options: { webhooks: boolean; hold?: Promise<void> }): OperatorDefinition {
  const items = Controller.for(ShardItem)
    .named("items")
    .withOptions({ maxConcurrentReconciles: 4 })
    .reconcile(async (item, ctx) => {
      await options.hold;
      counts.reconciles++;
      const m = metaOf(item);
      if (item.status?.observedGeneration === m.generation) return Action.awaitChange();
      await ctx.client.patch(ShardItem, { namespace: m.namespace, name: m.name }, { status: { observedGeneration: m.generation, replica } }, { subresource: "status", signal: ctx.signal });
      counts.writes++;
      return Action.awaitChange();
    });
  const validate = defineValidatingWebhook({ kind: ShardItem, validate: (req) => (req.object!.spec.value >= 0 ? Admission.allow() : Admission.deny("spec.value must not be negative")) });
  return defineOperator({
    name: "shard-bench",
    resources: [ShardItem],
    controllers: [items],
    ...(options.webhooks && { webhooks: [validate], sharding: { enabled: true } }),
  });
}
