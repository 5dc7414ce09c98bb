// createOrPatch: like createOrUpdate, but the write is a JSON merge patch of
// only what the mutate function changed, so fields set by others since (or
// that this code never knew about) are left alone; status goes separately
// through the status subresource.
import { isOperantError, OperantError } from "../../core/errors.ts";
import type { Kind } from "../../core/kind.ts";
import type { KubeObject, ObjectRef, Stored } from "../../core/object.ts";
import type { Client } from "../client.ts";
import { isRaceLost, type CreateOrUpdateOptions } from "./create-or-update.ts";
import { newDraft, objectRef, runMutate, type Draft, type MutateFn } from "./draft.ts";
import { jsonEqual, mergePatch } from "./merge-patch.ts";
import { retryOnConflict } from "./retry-on-conflict.ts";

/**
 * Options of {@link createOrPatch}.
 *
 * @example
 * ```ts
 * await createOrPatch(client, Deployment, ref, mutate, { optimisticLock: true, fieldManager: "my-operator" } satisfies CreateOrPatchOptions);
 * ```
 */
export interface CreateOrPatchOptions extends CreateOrUpdateOptions {
  /**
   * Put the resourceVersion read into the patch, so the patch fails with
   * `Conflict` (and is retried from a fresh read) when the object changed in
   * between (controller-runtime's `MergeFromWithOptimisticLock`). Default
   * false: a merge patch only touches the fields it names, but a list it
   * names (finalizers, ownerReferences, containers…) is sent whole and
   * overwrites concurrent changes to that list.
   */
  optimisticLock?: boolean;
  /**
   * Whether the kind has a status subresource (default true, as built-in kinds
   * with a status and CRDs declaring `subresources.status`). When true, status
   * changes are written with a second patch to `/status`; when false, they go
   * into the main patch. A status change on a kind without the subresource
   * fails with `StatusSubresourceMissing` unless this is false.
   */
  statusSubresource?: boolean;
}

/**
 * What {@link createOrPatch} did, named after controller-runtime's
 * OperationResult: `created`; `updated` (the object, not its status);
 * `updatedStatus` (the object and its status); `updatedStatusOnly`;
 * `unchanged` (no write).
 *
 * @example
 * ```ts
 * const { result }: { result: PatchResult } = await createOrPatch(client, ConfigMap, ref, (cm) => { cm.data = { a: "1" }; });
 * if (result !== "unchanged") log.info({ result }, "ConfigMap written");
 * ```
 */
export type PatchResult = "created" | "updated" | "updatedStatus" | "updatedStatusOnly" | "unchanged";

/**
 * What {@link createOrPatch} returns: what it did, and the object as the API
 * server now has it (as read, when `unchanged`).
 *
 * @example
 * ```ts
 * const { result }: CreateOrPatchResult<Memcached> = await createOrPatch(client, Memcached, ref, mutate);
 * ```
 */
export interface CreateOrPatchResult<T extends KubeObject> {
  result: PatchResult;
  object: Stored<T>;
}

type Split = { rest: Record<string, unknown>; status: unknown };

function splitStatus(obj: KubeObject): Split {
  const { status, ...rest } = obj as Record<string, unknown>;
  return { rest, status };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Patches `/status`; a NotFound while the object exists means the kind has no status subresource. */
async function patchStatus<T extends KubeObject>(client: Client, kind: Kind<T>, ref: ObjectRef, body: Record<string, unknown>, write: { signal?: AbortSignal | undefined; fieldManager?: string }): Promise<Stored<T>> {
  try {
    return await client.patch(kind, ref, body, { ...write, type: "merge", subresource: "status" });
  } catch (err) {
    if (!isOperantError(err, "NotFound") || !(await client.tryGet(kind, ref, { signal: write.signal }))) throw err;
    throw new OperantError(
      "StatusSubresourceMissing",
      `createOrPatch ${kind.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}: the mutate function changed status, but ${kind.kind} has no status subresource, so /status does not exist. ` +
        `Pass { statusSubresource: false } to write status with the object, declare the status subresource in the CRD, or leave status alone.`,
      { cause: err },
    );
  }
}

function statusPatch(before: unknown, after: unknown): Record<string, unknown> {
  if (after === undefined) return { status: null };
  return { status: isPlainObject(before) && isPlainObject(after) ? mergePatch(before, after) : after };
}

/**
 * Creates or patches one object so that `mutate` has brought it to the
 * desired state (controller-runtime's `CreateOrPatch`):
 *
 * 1. get `ref`; when it does not exist, start from `{ apiVersion, kind,
 *    metadata: { name, namespace } }`, run `mutate`, create it (`created`);
 *    if `mutate` set a status the server did not keep (status subresource),
 *    it is then written through `/status` too;
 * 2. otherwise run `mutate` on a private deep copy (it must not change name or
 *    namespace: `MutateChangedKey`), and compare with what was read, status
 *    apart:
 *    - everything but status differs → one JSON merge patch (RFC 7386) of the
 *      difference (`updated`);
 *    - status differs → a merge patch of the status difference to the status
 *      subresource (`updatedStatus` after an object patch, else
 *      `updatedStatusOnly`);
 *    - nothing differs → no write (`unchanged`).
 * 3. on `Conflict` (with `optimisticLock`) or `AlreadyExists` (someone created
 *    it in between), start again at 1, up to `retry.attempts` times.
 *
 * Unlike createOrUpdate, fields the mutate function did not touch are not
 * sent, so values another manager sets in the meantime survive.
 *
 * @example
 * ```ts
 * const { result } = await createOrPatch(client, Memcached, { namespace: "default", name: "cache" }, (mc) => {
 *   mc.metadata.labels = { ...mc.metadata.labels, tier: "cache" };
 *   mc.status = { ...mc.status, nodes: podNames };
 * });
 * // "updatedStatus": the labels were patched, then the status through /status
 * ```
 */
export async function createOrPatch<T extends KubeObject>(
  client: Client,
  kind: Kind<T>,
  ref: ObjectRef,
  mutate: MutateFn<T>,
  options: CreateOrPatchOptions = {},
): Promise<CreateOrPatchResult<T>> {
  const key = objectRef(kind, ref, "createOrPatch");
  const write = { signal: options.signal, ...(options.fieldManager !== undefined && { fieldManager: options.fieldManager }) };
  const subresource = options.statusSubresource ?? true;
  let patchedBefore = false; // an earlier attempt's object patch went through before its status patch lost a race
  return retryOnConflict(
    async () => {
      const current = await client.tryGet(kind, key, { signal: options.signal });
      if (!current) {
        const desired = await runMutate(mutate, newDraft(kind, key), kind, key, "createOrPatch");
        let object = await client.create(kind, desired, write);
        const wanted = splitStatus(desired).status;
        if (subresource && wanted !== undefined && !jsonEqual(splitStatus(object).status, wanted)) {
          object = await patchStatus(client, kind, key, statusPatch(splitStatus(object).status, wanted), write);
        }
        return { result: "created" as const, object };
      }
      const desired = await runMutate(mutate, structuredClone(current) as unknown as Draft<T>, kind, key, "createOrPatch");
      const before: Split = subresource ? splitStatus(current) : { rest: current, status: undefined };
      const after: Split = subresource ? splitStatus(desired) : { rest: desired as Record<string, unknown>, status: undefined };
      let object = current;
      let patched = false;
      const patch = mergePatch(before.rest, after.rest);
      if (Object.keys(patch).length > 0) {
        if (options.optimisticLock) patch.metadata = { ...(patch.metadata as object | undefined), resourceVersion: current.metadata.resourceVersion };
        object = await client.patch(kind, key, patch, { ...write, type: "merge" });
        patched = patchedBefore = true;
      }
      let statusPatched = false;
      if (!jsonEqual(before.status, after.status)) {
        const body = statusPatch(before.status, after.status);
        if (options.optimisticLock) body.metadata = { resourceVersion: object.metadata.resourceVersion };
        object = await patchStatus(client, kind, key, body, write);
        statusPatched = true;
      }
      const updated = patched || patchedBefore;
      const result: PatchResult = statusPatched ? (updated ? "updatedStatus" : "updatedStatusOnly") : updated ? "updated" : "unchanged";
      return { result, object };
    },
    { ...options.retry, signal: options.signal, retryOn: isRaceLost },
  );
}
