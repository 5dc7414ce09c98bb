// Owner references: which object owns which, for the garbage collector (a
// dependent goes when its owners are gone) and for controllers (the one owner
// with `controller: true` is the object whose reconciler manages it).
//
// The rules follow controller-runtime's controllerutil:
// - two references point at the same owner when group (not version), kind and
//   name match; setting a reference again replaces it in place (a new uid
//   after the owner was recreated, another version), never duplicates it;
// - an object has at most one controller reference: setting a different one
//   is refused (`AlreadyOwned`), naming the current controller;
// - a namespaced owner can only own objects in its own namespace, and never a
//   cluster-scoped object (`InvalidOwner`); the API server's garbage
//   collector would otherwise treat the reference as dangling and delete the
//   dependent. A cluster-scoped owner can own anything.
// Everything here is pure: functions return copies and never touch the API.
import { OperantError } from "../errors.ts";
import { parseApiVersion, type Kind } from "../kind.ts";
import type { KubeObject, OwnerReference } from "../object.ts";

/** The type of an owner: its `apiVersion` and `kind` (a {@link Kind} fits). */
export type OwnerType = Pick<Kind, "apiVersion" | "kind">;

/** Options of {@link setControllerReference} and {@link setOwnerReference}. */
export interface OwnerReferenceOptions {
  /**
   * `blockOwnerDeletion` of the reference: with foreground deletion, the owner
   * stays until this dependent is gone. Default: `true` for a controller
   * reference, unset for a plain owner reference (as controller-runtime).
   * Setting it to `true` needs permission to update the owner's `finalizers`
   * (RBAC on `<owner-resource>/finalizers`) when the OwnerReferencesPermissionEnforcement admission plugin is on.
   */
  blockOwnerDeletion?: boolean;
}

/**
 * What the read-only helpers ({@link isOwnedBy}, {@link controllerOf}) look
 * at. Objects read from the cache (frozen, deeply read-only) fit as well as
 * plain ones.
 *
 * @example
 * ```ts
 * const pod: OwnedObject = ctx.get(Pod, ref)!; // a Cached<Pod>
 * ```
 */
export interface OwnedObject {
  readonly apiVersion?: string | undefined;
  readonly kind?: string | undefined;
  readonly metadata?: { readonly name?: string | undefined; readonly namespace?: string | undefined; readonly uid?: string | undefined; readonly ownerReferences?: readonly Readonly<OwnerReference>[] | undefined } | undefined;
}

/** An object with a copied `metadata` (the rest is shared with the input). */
type WithMeta<T extends KubeObject> = T & { metadata: NonNullable<T["metadata"]> };

function describeObject(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  const name = m.name ?? m.generateName ?? "(unnamed)";
  return `${obj.kind ?? "object"} ${m.namespace ? `${m.namespace}/` : ""}${name}`;
}

function ownerTypeOf(owner: KubeObject, ownerType: OwnerType | undefined, verb: string): OwnerType {
  const apiVersion = ownerType?.apiVersion ?? owner.apiVersion;
  const kind = ownerType?.kind ?? owner.kind;
  if (!apiVersion || !kind) {
    throw new OperantError(
      "InvalidOwner",
      `${verb}: the owner ${describeObject(owner)} has no apiVersion/kind; pass its Kind as the third argument (e.g. setControllerReference(owner, obj, Memcached)).`,
    );
  }
  return { apiVersion, kind };
}

/** Checks what the API server and its garbage collector need of an owner. */
function validateOwner(owner: KubeObject, object: KubeObject, type: OwnerType, verb: string): void {
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  const ownerNs = owner.metadata?.namespace;
  const objectNs = object.metadata?.namespace;
  const what = `${type.kind} ${ownerNs ? `${ownerNs}/` : ""}${name ?? "(unnamed)"}`;
  if (!name) throw new OperantError("InvalidOwner", `${verb}: the owner ${what} has no metadata.name; pass the owner as read from the API server.`);
  if (!uid) {
    throw new OperantError(
      "InvalidOwner",
      `${verb}: the owner ${what} has no metadata.uid, so it has not been created yet; create it first and use the object the API server returned (or read it back).`,
    );
  }
  if (ownerNs) {
    if (!objectNs) {
      throw new OperantError(
        "InvalidOwner",
        `${verb}: ${describeObject(object)} has no namespace, and a cluster-scoped object must not have a namespaced owner (${what}). If ${describeObject(object)} is namespaced, set its metadata.namespace first; otherwise choose a cluster-scoped owner.`,
      );
    }
    if (objectNs !== ownerNs) {
      throw new OperantError(
        "InvalidOwner",
        `${verb}: cross-namespace owner references are not allowed: the owner ${what} is in namespace "${ownerNs}" but ${describeObject(object)} is in "${objectNs}". Create the object in "${ownerNs}", or track the relation with a label instead of an owner reference.`,
      );
    }
  }
}

/** Whether two references point at the same owner: same group (any version), kind and name. */
function sameOwner(a: Pick<OwnerReference, "apiVersion" | "kind" | "name">, b: Pick<OwnerReference, "apiVersion" | "kind" | "name">): boolean {
  return typeof a.apiVersion === "string" && parseApiVersion(a.apiVersion).group === parseApiVersion(b.apiVersion).group && a.kind === b.kind && a.name === b.name;
}

/**
 * The object's owner references as a list of objects. The API server only ever sends an array of
 * references, but an object built by hand or read from elsewhere may hold anything there: that is read as
 * no references (entries that are not objects are skipped) rather than failing with a TypeError.
 */
function refsOf(object: OwnedObject): readonly Readonly<OwnerReference>[] {
  const refs: unknown = object.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return [];
  return (refs as unknown[]).filter((r): r is Readonly<OwnerReference> => typeof r === "object" && r !== null && !Array.isArray(r));
}

function upsert<T extends KubeObject>(object: T, ref: OwnerReference): WithMeta<T> {
  const refs = [...refsOf(object)];
  const i = refs.findIndex((r) => sameOwner(r, ref));
  if (i < 0) refs.push(ref);
  else refs[i] = ref;
  return { ...object, metadata: { ...object.metadata, ownerReferences: refs } };
}

/**
 * Returns a copy of `object` whose `metadata.ownerReferences` include a
 * controller reference to `owner` (`controller: true`, `blockOwnerDeletion:
 * true` unless told otherwise). When deleting the owner, the garbage collector
 * deletes `object`; a controller that `owns()` this kind reconciles the owner
 * when `object` changes.
 *
 * Idempotent: a reference to the same owner (same group, kind and name) is
 * replaced in place, never duplicated. Throws:
 * - `AlreadyOwned` when another object is already `object`'s controller (the
 *   message names it): an object has at most one controller;
 * - `InvalidOwner` when `owner` has no name or no uid (not created yet), has no
 *   apiVersion/kind and none was passed, lives in another namespace than
 *   `object`, or is namespaced while `object` has no namespace.
 *
 * Only `metadata` is copied; the rest of the object is shared with the input.
 *
 * @example
 * ```ts
 * const deployment = setControllerReference(memcached, { metadata: { name: "web", namespace: "default" }, spec }, Memcached);
 * await client.apply(Deployment, deployment, { fieldManager: "memcached-operator" });
 * ```
 */
export function setControllerReference<T extends KubeObject>(owner: KubeObject, object: T, ownerType?: OwnerType, options: OwnerReferenceOptions = {}): WithMeta<T> {
  const verb = "setControllerReference";
  const type = ownerTypeOf(owner, ownerType, verb);
  validateOwner(owner, object, type, verb);
  const ref: OwnerReference = {
    apiVersion: type.apiVersion,
    kind: type.kind,
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: options.blockOwnerDeletion ?? true,
  };
  const existing = controllerOf(object);
  if (existing && !sameOwner(existing, ref)) {
    throw new OperantError(
      "AlreadyOwned",
      `setControllerReference: ${describeObject(object)} is already controlled by ${existing.kind} ${existing.name} (${existing.apiVersion}, uid ${existing.uid}), so ${type.kind} ${ref.name} cannot become its controller: an object has at most one controller. ` +
        `Use setOwnerReference() for a non-controller reference, or remove the existing controller reference first if ownership really moves.`,
    );
  }
  return upsert(object, ref);
}

/**
 * Returns a copy of `object` whose `metadata.ownerReferences` include a plain
 * (non-controller) reference to `owner`: the garbage collector deletes
 * `object` once all its owners are gone, but no controller claims it.
 * Replaces a reference to the same owner in place (also a controller one,
 * which thereby stops being the controller reference, as in
 * controller-runtime). Throws `InvalidOwner` like {@link setControllerReference}.
 *
 * @example
 * ```ts
 * const shared = setOwnerReference(tenant, configMap, Tenant);
 * ```
 */
export function setOwnerReference<T extends KubeObject>(owner: KubeObject, object: T, ownerType?: OwnerType, options: OwnerReferenceOptions = {}): WithMeta<T> {
  const verb = "setOwnerReference";
  const type = ownerTypeOf(owner, ownerType, verb);
  validateOwner(owner, object, type, verb);
  const ref: OwnerReference = { apiVersion: type.apiVersion, kind: type.kind, name: owner.metadata!.name!, uid: owner.metadata!.uid! };
  if (options.blockOwnerDeletion !== undefined) ref.blockOwnerDeletion = options.blockOwnerDeletion;
  return upsert(object, ref);
}

/**
 * Returns a copy of `object` without its reference(s) to `owner` (matched by
 * group, kind and name, whatever the uid). Unlike controller-runtime, a
 * missing reference is not an error: the result then equals the input, so a
 * reconciler can call it every time. When the last reference goes, the
 * `ownerReferences` field is removed.
 *
 * @example
 * ```ts
 * const released = removeOwnerReference(oldOwner, configMap, Tenant);
 * ```
 */
export function removeOwnerReference<T extends KubeObject>(owner: KubeObject, object: T, ownerType?: OwnerType): WithMeta<T> {
  const type = ownerTypeOf(owner, ownerType, "removeOwnerReference");
  const name = owner.metadata?.name ?? "";
  const refs = refsOf(object).filter((r) => !sameOwner(r, { apiVersion: type.apiVersion, kind: type.kind, name }));
  const metadata = { ...object.metadata };
  if (refs.length > 0) metadata.ownerReferences = refs;
  else delete metadata.ownerReferences;
  return { ...object, metadata };
}

/**
 * Whether `object` has an owner reference to `owner`. When `owner` has a uid,
 * the reference must carry that uid (a reference to a deleted namesake does
 * not count: the garbage collector treats it as dangling); otherwise group,
 * kind and name are compared, which needs the owner's apiVersion/kind (from the
 * object or `ownerType`).
 *
 * @example
 * ```ts
 * if (!isOwnedBy(deployment, memcached)) log.warn("not ours: leaving it alone");
 * ```
 */
export function isOwnedBy(object: OwnedObject, owner: OwnedObject, ownerType?: OwnerType): boolean {
  const refs = refsOf(object);
  const uid = owner.metadata?.uid;
  if (uid) return refs.some((r) => r.uid === uid);
  // Read-only use: ownerTypeOf only reads the owner.
  const type = ownerTypeOf(owner as KubeObject, ownerType, "isOwnedBy");
  const name = owner.metadata?.name ?? "";
  return refs.some((r) => sameOwner(r, { apiVersion: type.apiVersion, kind: type.kind, name }));
}

/**
 * The controller reference of `object` (the owner reference with
 * `controller: true`), or `undefined` when nothing controls it.
 *
 * @example
 * ```ts
 * const ref = controllerOf(pod); // { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d4f9", uid: "…", controller: true, … }
 * ```
 */
export function controllerOf(object: OwnedObject): Readonly<OwnerReference> | undefined {
  return refsOf(object).find((r) => r.controller === true);
}
