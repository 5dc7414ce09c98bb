// Finalizers: names in `metadata.finalizers` that keep an object in the API
// (marked with a deletionTimestamp) after someone deleted it, until whoever
// owns each name has cleaned up and removed it. Pure helpers: they return
// copies and never write to the API.
import { OperantError } from "../errors.ts";
import { isQualifiedName } from "../names.ts";
import type { KubeObject } from "../object.ts";

// Finalizer names are qualified names, as the API server checks them.
function checkName(finalizer: string): void {
  if (!isQualifiedName(finalizer)) {
    throw new OperantError(
      "InvalidFinalizer",
      `finalizer ${JSON.stringify(finalizer)} is not a valid name: use a domain-prefixed name such as "cache.example.com/cleanup" (a DNS subdomain you own, '/', then at most 63 letters, digits, '-', '_' or '.').`,
    );
  }
}

/**
 * What {@link isBeingDeleted} and {@link hasFinalizer} look at. Objects read
 * from the cache (frozen, deeply read-only) fit as well as plain ones.
 *
 * @example
 * ```ts
 * const obj: FinalizedObject = ctx.object; // a Cached<Memcached>
 * ```
 */
export interface FinalizedObject {
  readonly metadata?: { readonly deletionTimestamp?: string | undefined; readonly finalizers?: readonly string[] | undefined } | undefined;
}

/**
 * Whether the object has been deleted and is only kept by its finalizers
 * (`metadata.deletionTimestamp` is set).
 *
 * @example
 * ```ts
 * if (isBeingDeleted(mc)) return cleanUpAndRelease(mc);
 * ```
 */
export function isBeingDeleted(obj: FinalizedObject): boolean {
  return Boolean(obj.metadata?.deletionTimestamp);
}

/**
 * Whether `metadata.finalizers` contains `finalizer`.
 *
 * @example
 * ```ts
 * if (!hasFinalizer(mc, "cache.example.com/finalizer")) …
 * ```
 */
export function hasFinalizer(obj: FinalizedObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

/**
 * A copy of `obj` with `finalizer` added to `metadata.finalizers` (after the
 * existing ones; unchanged list when already there). Only `metadata` is
 * copied. Throws `InvalidFinalizer` for a name the API server would refuse,
 * and `ObjectBeingDeleted` when `obj` has a deletionTimestamp: the API server
 * refuses new finalizers on an object being deleted, and adding one then
 * would mean cleanup runs after the fact.
 *
 * ## The finalizer flow, step by step
 *
 * A controller that must clean up something outside the object (an external
 * resource, a cluster-scoped object, an entry in a database) before the object
 * goes away does this on every reconcile:
 *
 * 1. **Not being deleted, finalizer missing**: write the object with
 *    {@link withFinalizer} (an update or patch of `metadata.finalizers`)
 *    *before* creating anything that needs cleanup, and return; the write
 *    triggers the next reconcile. From now on a delete only marks the object.
 * 2. **Not being deleted, finalizer present**: reconcile normally.
 * 3. **Being deleted ({@link isBeingDeleted}), finalizer present**: run the
 *    cleanup. It must be idempotent (it can run again after a crash) and
 *    should succeed when there is nothing left to clean. Only when it
 *    succeeded, write the object with {@link withoutFinalizer}; on failure,
 *    return the error so the reconcile is retried with backoff. Once the
 *    last finalizer is gone, the API server deletes the object.
 * 4. **Being deleted, finalizer absent**: not ours any more; do nothing.
 *
 * Never add a finalizer in step 3 or 4. Remove only your own finalizer names;
 * other controllers own theirs. Owned objects with owner references need no
 * finalizer: the garbage collector deletes them.
 *
 * @example
 * ```ts
 * const FINALIZER = "cache.example.com/finalizer";
 * if (isBeingDeleted(mc)) {
 *   if (hasFinalizer(mc, FINALIZER)) {
 *     await deleteExternalBackup(mc);                                   // idempotent
 *     await client.update(Memcached, withoutFinalizer(mc, FINALIZER));  // the server deletes it now
 *   }
 *   return;
 * }
 * if (!hasFinalizer(mc, FINALIZER)) await client.update(Memcached, withFinalizer(mc, FINALIZER));
 * ```
 */
export function withFinalizer<T extends KubeObject>(obj: T, finalizer: string): T & { metadata: NonNullable<T["metadata"]> } {
  checkName(finalizer);
  if (isBeingDeleted(obj)) {
    const m = obj.metadata ?? {};
    throw new OperantError(
      "ObjectBeingDeleted",
      `cannot add finalizer "${finalizer}" to ${obj.kind ?? "object"} ${m.namespace ? `${m.namespace}/` : ""}${m.name ?? ""}: it is being deleted (deletionTimestamp ${m.deletionTimestamp}), and the API server accepts no new finalizers then. Check isBeingDeleted() first: on deletion run the cleanup and remove the finalizer instead.`,
    );
  }
  const finalizers = obj.metadata?.finalizers ?? [];
  return { ...obj, metadata: { ...obj.metadata, finalizers: finalizers.includes(finalizer) ? [...finalizers] : [...finalizers, finalizer] } };
}

/**
 * A copy of `obj` without `finalizer` in `metadata.finalizers` (the field is
 * removed when the list becomes empty; unchanged when it was absent). Only
 * `metadata` is copied. Allowed on objects being deleted: that is its main
 * use, see the flow on {@link withFinalizer}.
 *
 * @example
 * ```ts
 * await client.update(Memcached, withoutFinalizer(mc, "cache.example.com/finalizer"));
 * ```
 */
export function withoutFinalizer<T extends KubeObject>(obj: T, finalizer: string): T & { metadata: NonNullable<T["metadata"]> } {
  const finalizers = (obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
  const metadata = { ...obj.metadata };
  if (finalizers.length > 0) metadata.finalizers = finalizers;
  else delete metadata.finalizers;
  return { ...obj, metadata };
}
