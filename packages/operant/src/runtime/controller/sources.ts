// Event sources: what turns changes (informer events, or anything else that
// yields object references) into reconcile requests. The builder's for / owns
// / watches / watchesSource are each one of these; a runner starts them all.
import { parseApiVersion, type Kind } from "../../core/kind.ts";
import type { Logger } from "../../core/logger.ts";
import { metaOf, type Cached, type KubeObject, type ObjectRef } from "../../core/object.ts";
import type { InformerHandler } from "../cache/informer.ts";
import type { ChangeEvent, Predicate } from "./predicates.ts";

/**
 * Where a source delivers requests: the controller's queue. `relist` marks
 * requests from a (re)list or resync, which wait behind fresh ones.
 *
 * @example
 * ```ts
 * const sink: RequestSink = { enqueue: (refs) => { for (const r of refs) queue.add(keyOf(r)); }, log };
 * ```
 */
export interface RequestSink {
  /** Queues reconcile requests; `relist` ones (from a list or resync) go at low priority. */
  enqueue(refs: Iterable<ObjectRef>, options?: { relist?: boolean }): void;
  readonly log: Logger;
}

/**
 * A source of reconcile requests (controller-runtime's `source.Source`,
 * kube-runtime's trigger streams). `start` subscribes and delivers to `sink`
 * until `signal` aborts.
 *
 * @example
 * ```ts
 * const everyMinute: RequestSource = {
 *   start(sink, signal) {
 *     const t = setInterval(() => sink.enqueue([{ namespace: "default", name: "web" }]), 60_000);
 *     signal.addEventListener("abort", () => clearInterval(t));
 *   },
 * };
 * Controller.for(App).watchesSource(everyMinute).reconcile(…);
 * ```
 */
export interface RequestSource {
  /** Starts delivering requests to `sink`, until `signal` aborts. */
  start(sink: RequestSink, signal: AbortSignal): void;
}

/**
 * Maps a changed object to the requests it causes.
 *
 * @example
 * ```ts
 * const byLabel: RequestMapper<Pod> = (pod) => [{ namespace: pod.metadata.namespace, name: pod.metadata.labels?.app ?? "" }];
 * ```
 */
export type RequestMapper<K extends KubeObject> = (object: Cached<K>) => readonly (ObjectRef | undefined | null)[];

/**
 * The object itself: the mapper of the primary kind (`Controller.for`).
 *
 * @example
 * ```ts
 * fromInformer(lease.informer, { toRequests: enqueueSelf() });
 * ```
 */
export function enqueueSelf<K extends KubeObject>(): RequestMapper<K> {
  return (obj) => [{ namespace: metaOf(obj).namespace, name: metaOf(obj).name }];
}

/**
 * The controller owner of the object, if it is of `owner`'s kind (the mapper
 * of `.owns`, controller-runtime's `EnqueueRequestForOwner` with
 * `OnlyControllerOwner`). An owner reference points into the owned object's
 * namespace, or to a cluster-scoped owner.
 *
 * @example
 * ```ts
 * fromInformer(deployments.informer, { toRequests: enqueueOwner(Memcached) });
 * ```
 */
export function enqueueOwner<K extends KubeObject>(owner: Kind): RequestMapper<K> {
  return (obj) => {
    const refs: unknown = metaOf(obj).ownerReferences;
    const ref = (Array.isArray(refs) ? (refs as NonNullable<ReturnType<typeof metaOf>["ownerReferences"]>) : []).find((r) => r?.controller === true && r.kind === owner.kind && typeof r.apiVersion === "string" && parseApiVersion(r.apiVersion).group === owner.group);
    return ref ? [{ namespace: owner.namespaced ? metaOf(obj).namespace : undefined, name: ref.name }] : [];
  };
}

/**
 * Options of {@link fromInformer}.
 *
 * @example
 * ```ts
 * const options: InformerSourceOptions<Pod> = { toRequests: enqueueOwner(Memcached), predicates: [predicates.generationChanged()] };
 * ```
 */
export interface InformerSourceOptions<K extends KubeObject> {
  toRequests: RequestMapper<K>;
  /** Every predicate must pass for an event to enqueue (a predicate that throws lets it through, logged). */
  predicates?: readonly Predicate<K>[] | undefined;
}

/**
 * Informer events → requests: the events pass the predicates, are mapped by
 * `toRequests` (a mapper that throws drops the event, logged), and each
 * request is enqueued once per event. The builder's `for`, `owns` and
 * `watches` are this over a shared informer with {@link enqueueSelf},
 * {@link enqueueOwner} and the map function.
 *
 * @example
 * ```ts
 * const pods = cache.acquire(Pod, { labelSelector: { app: "memcached" } });
 * runner.addSource(fromInformer(pods.informer, { toRequests: (pod) => [{ namespace: pod.metadata.namespace, name: pod.metadata.labels?.instance ?? "" }] }));
 * ```
 */
export function fromInformer<K extends KubeObject>(informer: { addHandler(handler: InformerHandler<K>): () => void }, options: InformerSourceOptions<K>): RequestSource {
  return {
    start(sink, signal) {
      const preds = options.predicates ?? [];
      const pass = (e: ChangeEvent<K>): boolean => {
        try {
          return preds.every((p) => p(e));
        } catch (err) {
          sink.log.error({ err: (err as Error).message }, "predicate threw; letting the event through");
          return true;
        }
      };
      const enqueue = (objs: Cached<K>[], relist: boolean): void => {
        // Unique requests first: adding one key twice could hand it to a waiting worker and then mark it dirty, reconciling it twice.
        const refs = new Map<string, ObjectRef>();
        for (const obj of objs) {
          try {
            for (const ref of options.toRequests(obj)) if (ref?.name) refs.set(`${ref.namespace ?? ""}/${ref.name}`, ref);
          } catch (err) {
            sink.log.error({ err: (err as Error).message, object: metaOf(obj).name }, "mapping an event to requests threw; event dropped");
          }
        }
        if (refs.size > 0) sink.enqueue(refs.values(), { relist });
      };
      const handler: InformerHandler<K> = {
        added: (object, { relist }) => void (pass({ type: "added", object, relist }) && enqueue([object], relist)),
        updated: (previous, object, { relist }) => void (pass({ type: "updated", previous, object, relist }) && enqueue(previous === object ? [object] : [previous, object], relist)),
        deleted: (object, { relist }) => void (pass({ type: "deleted", object, relist }) && enqueue([object], relist)),
      };
      if (signal.aborted) return;
      const remove = informer.addHandler(handler);
      signal.addEventListener("abort", remove, { once: true });
    },
  };
}

/**
 * A subscribe function: calls `emit` for each request until `signal` aborts.
 *
 * @example
 * ```ts
 * const fromBus: Subscribe = (emit, signal) => bus.on("changed", (name) => emit({ namespace: "default", name }), { signal });
 * ```
 */
export type Subscribe = (emit: (ref: ObjectRef) => void, signal: AbortSignal) => void;

/**
 * Any async source of requests → a {@link RequestSource} (controller-runtime's
 * `WatchesRawSource` with a channel source, kube-runtime's
 * `reconcile_on(stream)`): an `AsyncIterable<ObjectRef>` (iterated until it
 * ends or the controller stops; an iterable that throws is logged and stops)
 * or a {@link Subscribe} function. An iterable can be iterated only once:
 * when the controller's runner is started again (leadership lost and won
 * back), a subscribe function is called again but an iterable delivers
 * nothing more (logged) — use a subscribe function, or a
 * {@link RequestSource} whose `start` opens a fresh iterable, for sources that
 * must survive that.
 *
 * @example
 * ```ts
 * async function* ticks(signal: AbortSignal) { while (!signal.aborted) { yield { namespace: "default", name: "web" }; await sleep("1m", signal).catch(() => {}); } }
 * Controller.for(App).watchesSource(fromRequests(ticks(signal))).reconcile(…);
 * ```
 */
export function fromRequests(source: AsyncIterable<ObjectRef> | Subscribe): RequestSource {
  let iterated = false;
  return {
    start(sink, signal) {
      if (signal.aborted) return;
      if (typeof source === "function") {
        source((ref) => {
          if (!signal.aborted && ref?.name) sink.enqueue([ref]);
        }, signal);
        return;
      }
      if (iterated) {
        sink.log.warn({}, "this AsyncIterable request source was consumed by an earlier run of the controller and delivers nothing now; pass a subscribe function to survive restarts");
        return;
      }
      iterated = true;
      const it = source[Symbol.asyncIterator]();
      signal.addEventListener("abort", () => void it.return?.()?.catch(() => undefined), { once: true });
      void (async () => {
        for (;;) {
          const next = await it.next();
          if (next.done || signal.aborted) return;
          if (next.value?.name) sink.enqueue([next.value]);
        }
      })().catch((err: unknown) => {
        if (!signal.aborted) sink.log.error({ err: (err as Error).message }, "a request source failed; it delivers no more requests");
      });
    },
  };
}
