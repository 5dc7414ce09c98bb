// A member's side of sharding: the same controller definition, narrowed to
// this member's shard. Its informers select `shard.operant.dev/<controller>
// = <member>` (the primary kind and the owned kinds), so its cache, watch
// traffic and reconciles cover only its shard; and its reconciler, when the
// object carries the drain mark, acknowledges instead of reconciling. The
// work queue hands a key to one worker at a time, so the acknowledgement
// waits for an in-flight reconcile of that object to end, and no reconcile
// of it starts here afterwards: the object leaves this member's selection,
// and an object whose shard label no longer names this member (a requeue
// timer firing after the acknowledgement) is never passed to the reconciler.
import { metaOf, type KubeObject } from "../core/object.ts";
import { Action } from "../runtime/controller/action.ts";
import type { ControllerDefinition, Reconciler } from "../runtime/controller/builder.ts";
import { predicates, type Predicate } from "../runtime/controller/predicates.ts";
import { acknowledgePatch } from "./assignment.ts";
import { drainLabel, shardLabel } from "./labels.ts";

/**
 * A label selector string for `selector` (a string or equality pairs) and
 * `extra` pairs together.
 *
 * @example
 * ```ts
 * withLabels({ app: "web" }, { "shard.operant.dev/web": "op-0" }) // "app=web,shard.operant.dev/web=op-0"
 * withLabels("tier in (a,b)", { s: "x" })                         // "tier in (a,b),s=x"
 * ```
 */
export function withLabels(selector: string | Readonly<Record<string, string>> | undefined, extra: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  if (typeof selector === "string") {
    if (selector.trim()) parts.push(selector.trim());
  } else if (selector) for (const [k, v] of Object.entries(selector)) parts.push(`${k}=${v}`);
  for (const [k, v] of Object.entries(extra)) parts.push(`${k}=${v}`);
  return parts.join(",");
}

/**
 * `def` as run by member `memberId` of a sharded operator: informers
 * narrowed to its shard, drain marks acknowledged. The definition's own
 * predicates still filter everything but the arrival of a drain mark.
 *
 * @example
 * ```ts
 * manager.add(shardedDefinition(memcachedController, "op-0-3f9a0c1b2e"));
 * ```
 */
export function shardedDefinition<T extends KubeObject>(def: ControllerDefinition<T>, memberId: string): ControllerDefinition<T> {
  const S = shardLabel(def.name);
  const D = drainLabel(def.name);
  const mine = { [S]: memberId };
  const drainMarked: Predicate<T> = (e) => e.type === "updated" && metaOf(e.object).labels?.[D] !== undefined && metaOf(e.previous).labels?.[D] === undefined;
  const own = def.forOptions.predicates;
  const reconciler: Reconciler<T> = async (object, ctx) => {
    const m = metaOf(object);
    if (m.labels?.[D] !== undefined) {
      await ctx.client.patch(def.kind, { namespace: m.namespace, name: m.name }, acknowledgePatch(S, D, m.resourceVersion), { signal: ctx.signal });
      ctx.log.info({ shard: memberId }, "drain acknowledged: the object leaves this member's shard");
      return Action.awaitChange();
    }
    // The cache may still hand out an object this member has let go: a requeue timer set before the drain, read
    // through the read-your-writes overlay of the acknowledgement. It is not ours any more: never reconcile it.
    if (m.labels?.[S] !== memberId) return Action.awaitChange();
    return def.reconciler(object, ctx);
  };
  return Object.freeze({
    ...def,
    forOptions: { ...def.forOptions, labelSelector: withLabels(def.forOptions.labelSelector, mine), ...(own?.length && { predicates: [predicates.or(predicates.and(...own), drainMarked)] }) },
    owns: def.owns.map((o) => ({ kind: o.kind, options: { ...o.options, labelSelector: withLabels(o.options.labelSelector, mine) } })),
    reconciler,
  });
}
