// The mutate step shared by createOrUpdate and createOrPatch: the caller's
// function edits a private deep copy (or a fresh skeleton when the object does
// not exist yet) into the desired state; it may not move the object.
import { OperantError } from "../../core/errors.ts";
import type { Kind } from "../../core/kind.ts";
import type { KubeObject, ObjectMeta, ObjectRef } from "../../core/object.ts";

/**
 * What a mutate function receives: the object as read (a private deep copy),
 * or, when it does not exist yet, a skeleton holding only apiVersion, kind and
 * metadata name/namespace. It is typed as the object for convenience, but on
 * creation required fields such as `spec` are still missing: assign them
 * whole (`d.spec = { … }`) rather than editing them in place.
 *
 * @example
 * ```ts
 * const setReplicas = (d: Draft<Deployment>) => { d.spec = { ...d.spec, replicas: 3, selector, template }; };
 * ```
 */
export type Draft<T extends KubeObject> = T & { metadata: NonNullable<T["metadata"]> & ObjectMeta & { name: string } };

/**
 * Brings a draft to the desired state: edit it in place, or return the
 * desired object (e.g. the result of `setControllerReference(owner, draft)`).
 * May be async. Must not change `metadata.name` or `metadata.namespace`.
 *
 * @example
 * ```ts
 * const mutate: MutateFn<ConfigMap> = (cm) => { cm.data = { ...cm.data, mode: "fast" }; };
 * ```
 */
export type MutateFn<T extends KubeObject> = (draft: Draft<T>) => void | Draft<T> | T | Promise<void | Draft<T> | T>;

/** The key of the object on the server: name, and namespace for namespaced kinds. */
export function objectRef(kind: Kind, ref: ObjectRef, verb: string): ObjectRef {
  if (!ref.name) throw new OperantError("InvalidArgument", `${verb} ${kind.kind}: a name is required.`);
  if (kind.namespaced && !ref.namespace) throw new OperantError("NamespaceRequired", `${verb} ${kind.kind} "${ref.name}": ${kind.kind} is namespaced, so pass { namespace, name }.`);
  return kind.namespaced ? { name: ref.name, namespace: ref.namespace } : { name: ref.name };
}

/** A skeleton for an object that does not exist yet. */
export function newDraft<T extends KubeObject>(kind: Kind<T>, ref: ObjectRef): Draft<T> {
  const metadata = ref.namespace ? { name: ref.name, namespace: ref.namespace } : { name: ref.name };
  return { apiVersion: kind.apiVersion, kind: kind.kind, metadata } as Draft<T>;
}

/** Runs `mutate` on `draft` and checks that it left the object's name and namespace alone. */
export async function runMutate<T extends KubeObject>(mutate: MutateFn<T>, draft: Draft<T>, kind: Kind<T>, ref: ObjectRef, verb: string): Promise<T> {
  const returned = await mutate(draft);
  const desired = returned ?? draft;
  const name = desired.metadata?.name;
  const namespace = desired.metadata?.namespace || undefined;
  if (name !== ref.name || namespace !== ref.namespace) {
    const was = ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
    const now = namespace ? `${namespace}/${name}` : String(name);
    throw new OperantError(
      "MutateChangedKey",
      `${verb} ${kind.kind} ${was}: the mutate function changed the object's name/namespace to ${now}; it may change anything but those. To write another object, call ${verb} with that object's name.`,
    );
  }
  return desired;
}
