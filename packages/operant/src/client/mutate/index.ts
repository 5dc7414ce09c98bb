/**
 * Careful writes: conflict retries, create-or-update and create-or-patch
 * with a mutate function, and JSON merge patches computed from two versions.
 *
 * @example
 * ```ts
 * import { createOrPatch, retryOnConflict } from "operant";
 * const { result } = await createOrPatch(client, ConfigMap, { namespace: "default", name: "settings" }, (cm) => {
 *   cm.data = { ...cm.data, mode: "fast" };
 * });
 * ```
 * @module
 */
export { retryOnConflict, isConflict, type RetryOptions } from "./retry-on-conflict.ts";
export { createOrUpdate, type CreateOrUpdateOptions, type UpdateResult, type CreateOrUpdateResult } from "./create-or-update.ts";
export { createOrPatch, type CreateOrPatchOptions, type PatchResult, type CreateOrPatchResult } from "./create-or-patch.ts";
export { mergePatch, jsonEqual } from "./merge-patch.ts";
export type { Draft, MutateFn } from "./draft.ts";
