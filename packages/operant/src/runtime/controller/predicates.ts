// Predicates filter the events that reach a controller's queue. They see what
// changed; the reconciler never does (it reads the current state).
import { metaOf, type Cached, type KubeObject } from "../../core/object.ts";

/**
 * An event about to be enqueued.
 *
 * @example
 * ```ts
 * const onlyAdds: Predicate<Pod> = (e: ChangeEvent<Pod>) => e.type === "added";
 * ```
 */
export type ChangeEvent<T extends KubeObject = KubeObject> =
  | { type: "added"; object: Cached<T>; relist: boolean }
  | { type: "updated"; previous: Cached<T>; object: Cached<T>; relist: boolean }
  | { type: "deleted"; object: Cached<T>; relist: boolean };

/**
 * Decides whether an event should enqueue a reconcile.
 *
 * @example
 * ```ts
 * const notRelists: Predicate = (e) => !e.relist;
 * ```
 */
export type Predicate<T extends KubeObject = KubeObject> = (event: ChangeEvent<T>) => boolean;

function stable(v: unknown): string {
  return JSON.stringify(v ?? {}, (_k, x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));
}

/**
 * Ready-made predicates. Each lets adds and deletes through and filters
 * updates (as controller-runtime's do).
 *
 * @example
 * ```ts
 * Controller.for(Memcached, { predicates: [predicates.or(predicates.generationChanged(), predicates.labelsChanged())] })
 * ```
 */
export const predicates = {
  /** Updates where `metadata.generation` changed: spec changes, not status or metadata-only ones. Objects without a generation always pass. */
  generationChanged:
    <T extends KubeObject>(): Predicate<T> =>
    (e) =>
      e.type !== "updated" || metaOf(e.object).generation === undefined || metaOf(e.object).generation !== metaOf(e.previous).generation,
  /** Updates where labels changed. */
  labelsChanged:
    <T extends KubeObject>(): Predicate<T> =>
    (e) =>
      e.type !== "updated" || stable(metaOf(e.object).labels) !== stable(metaOf(e.previous).labels),
  /** Updates where annotations changed. */
  annotationsChanged:
    <T extends KubeObject>(): Predicate<T> =>
    (e) =>
      e.type !== "updated" || stable(metaOf(e.object).annotations) !== stable(metaOf(e.previous).annotations),
  /** Updates where the resourceVersion changed (drops resync-style no-op updates). */
  resourceVersionChanged:
    <T extends KubeObject>(): Predicate<T> =>
    (e) =>
      e.type !== "updated" || metaOf(e.object).resourceVersion !== metaOf(e.previous).resourceVersion,
  /** All of the predicates pass. */
  and:
    <T extends KubeObject>(...ps: Predicate<T>[]): Predicate<T> =>
    (e) =>
      ps.every((p) => p(e)),
  /** Any of the predicates passes. */
  or:
    <T extends KubeObject>(...ps: Predicate<T>[]): Predicate<T> =>
    (e) =>
      ps.some((p) => p(e)),
  /** The predicate fails. */
  not:
    <T extends KubeObject>(p: Predicate<T>): Predicate<T> =>
    (e) =>
      !p(e),
} as const;
