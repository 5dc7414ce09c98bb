// createOrUpdate: read the object, let the caller bring it to the desired
// state, and write it back (create, or a full update) only when something
// changed. The read-mutate-write runs again when a concurrent writer wins.
import { isOperantError } from "../../core/errors.ts";
import type { Kind } from "../../core/kind.ts";
import type { KubeObject, ObjectRef, Stored } from "../../core/object.ts";
import type { Client } from "../client.ts";
import { newDraft, objectRef, runMutate, type Draft, type MutateFn } from "./draft.ts";
import { jsonEqual } from "./merge-patch.ts";
import { isConflict, retryOnConflict, type RetryOptions } from "./retry-on-conflict.ts";

/**
 * Options of {@link createOrUpdate} and `createOrPatch`.
 *
 * @example
 * ```ts
 * await createOrUpdate(client, ConfigMap, ref, mutate, { retry: { attempts: 10 } } satisfies CreateOrUpdateOptions);
 * ```
 */
export interface CreateOrUpdateOptions {
  signal?: AbortSignal | undefined;
  /** Field manager of the writes (default: the client's). */
  fieldManager?: string;
  /** Conflict retries (default: 5 attempts, 10 ms apart, like client-go's `retry.DefaultRetry`). */
  retry?: Omit<RetryOptions, "signal" | "retryOn">;
}

/**
 * What {@link createOrUpdate} did: `created`, `updated`, or `unchanged` (no
 * write). The strings are controller-runtime's OperationResult values; they
 * complete the sentence "ConfigMap default/settings has been …".
 *
 * @example
 * ```ts
 * const { result } = await createOrUpdate(client, ConfigMap, ref, (cm) => { cm.data = { a: "1" }; });
 * const said: UpdateResult = result; // "created" | "updated" | "unchanged"
 * ```
 */
export type UpdateResult = "created" | "updated" | "unchanged";

/**
 * What {@link createOrUpdate} returns: what it did, and the object as the API
 * server now has it (as read, when `unchanged`).
 *
 * @example
 * ```ts
 * const { result, object }: CreateOrUpdateResult<ConfigMap> = await createOrUpdate(client, ConfigMap, ref, mutate);
 * ```
 */
export interface CreateOrUpdateResult<T extends KubeObject> {
  result: UpdateResult;
  object: Stored<T>;
}

/** Retried: someone changed the object since we read it, or created it since we found it missing. */
export function isRaceLost(err: unknown): boolean {
  return isConflict(err) || isOperantError(err, "AlreadyExists");
}

/**
 * Creates or updates one object so that `mutate` has brought it to the
 * desired state (controller-runtime's `CreateOrUpdate`):
 *
 * 1. get `ref`; when it does not exist, start from `{ apiVersion, kind,
 *    metadata: { name, namespace } }`;
 * 2. call `mutate` on a private deep copy (edit it, or return the desired
 *    object); it must not change name or namespace (`MutateChangedKey`);
 * 3. create it, or, if the result differs from what was read (JSON deep
 *    equality over the whole object), replace it with an update carrying the
 *    resourceVersion read; when equal, write nothing (`unchanged`);
 * 4. on `Conflict` (someone wrote in between) or `AlreadyExists` (someone
 *    created it in between), start again at 1, up to `retry.attempts` times.
 *
 * An update replaces the whole object: fields another manager set since the
 * read are safe (the resourceVersion check catches them), but fields the
 * mutate function drops are removed. To leave other managers' fields alone
 * by construction, use `createOrPatch` or server-side apply. Changes to
 * `status` are ignored by the API server for kinds with a status subresource.
 *
 * @example
 * ```ts
 * const { result, object } = await createOrUpdate(client, ConfigMap, { namespace: "default", name: "settings" }, (cm) => {
 *   cm.data = { ...cm.data, mode: "fast" };
 *   return setControllerReference(owner, cm, Memcached);
 * });
 * log.info({ result }, "settings reconciled"); // "created" | "updated" | "unchanged"
 * ```
 */
export async function createOrUpdate<T extends KubeObject>(
  client: Client,
  kind: Kind<T>,
  ref: ObjectRef,
  mutate: MutateFn<T>,
  options: CreateOrUpdateOptions = {},
): Promise<CreateOrUpdateResult<T>> {
  const key = objectRef(kind, ref, "createOrUpdate");
  const write = { signal: options.signal, ...(options.fieldManager !== undefined && { fieldManager: options.fieldManager }) };
  return retryOnConflict(
    async () => {
      const current = await client.tryGet(kind, key, { signal: options.signal });
      if (!current) {
        const desired = await runMutate(mutate, newDraft(kind, key), kind, key, "createOrUpdate");
        return { result: "created" as const, object: await client.create(kind, desired, write) };
      }
      const desired = await runMutate(mutate, structuredClone(current) as unknown as Draft<T>, kind, key, "createOrUpdate");
      if (jsonEqual(current, desired)) return { result: "unchanged" as const, object: current };
      return { result: "updated" as const, object: await client.update(kind, desired, write) };
    },
    { ...options.retry, signal: options.signal, retryOn: isRaceLost },
  );
}
