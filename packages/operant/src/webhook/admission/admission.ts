// Admission webhooks, typed from a Kind: a validating handler allows or
// denies; a mutating handler changes its copy of the object (or returns a new
// one) and operant answers with the RFC 6902 patch between the two. The
// definition also carries what the generated webhook configuration needs
// (rules, failure policy, side effects, timeout, selectors).
import { OperantError } from "../../core/errors.ts";
import type { Kind, ObjectOf } from "../../core/kind.ts";
import type { LabelSelector } from "../../core/label-selector.ts";
import { jsonPatch, type JsonValue } from "../json-patch/json-patch.ts";
import type { AdmissionRequestWire, AdmissionResponseWire, GroupVersionKind, GroupVersionResource, Operation, UserInfo } from "../review/review.ts";

/**
 * What an admission handler gets: the typed object (absent on DELETE), the
 * old object (on UPDATE and DELETE), the operation, who asked, and whether
 * this is a dry run (then the handler must have no side effects).
 *
 * @example
 * ```ts
 * validate: (req) => req.operation === "UPDATE" && req.object!.spec.size < req.oldObject!.spec.size
 *   ? Admission.deny("size may not shrink") : Admission.allow()
 * ```
 */
export interface AdmissionRequest<T> {
  readonly uid: string;
  readonly operation: Operation;
  /** The object as it would be stored; on mutating webhooks a copy the handler may change. Absent on DELETE. */
  readonly object: T | undefined;
  /** The stored object, on UPDATE and DELETE. */
  readonly oldObject: T | undefined;
  readonly userInfo: UserInfo;
  /** True for `--dry-run=server` requests: nothing the handler does may persist. */
  readonly dryRun: boolean;
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  readonly subResource: string | undefined;
  /** The kind and resource the object was converted to for this webhook. */
  readonly kind: GroupVersionKind;
  readonly resource: GroupVersionResource;
  /** Aborts when the API server gives up on the call (its timeout) or the server shuts down. */
  readonly signal: AbortSignal;
  /** The request as it came. */
  readonly raw: AdmissionRequestWire;
}

/**
 * What a handler answers: see {@link Admission}.
 *
 * @example
 * ```ts
 * const result: AdmissionResult = Admission.deny("size must be even", { code: 422 });
 * ```
 */
export type AdmissionResult =
  | { readonly allowed: true; readonly warnings: readonly string[]; readonly object?: unknown }
  | { readonly allowed: false; readonly warnings: readonly string[]; readonly message: string; readonly code: number; readonly reason: string };

const REASONS: Record<number, string> = { 400: "BadRequest", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 422: "Invalid", 429: "TooManyRequests", 500: "InternalError" };

/**
 * Builds handler answers.
 *
 * @example
 * ```ts
 * Admission.allow();                                      // allowed as is
 * Admission.allow({ warnings: ["spec.size above 10 is slow"] });
 * Admission.deny("quota exceeded: 3 memcacheds per namespace", { code: 403 });
 * Admission.patched(newObject);                           // mutating: allowed, answer the patch to newObject
 * ```
 */
export const Admission = {
  /** Allows the request (on a mutating webhook: with the changes made to `req.object`). */
  allow(options: { warnings?: readonly string[] } = {}): AdmissionResult {
    return { allowed: true, warnings: [...(options.warnings ?? [])] };
  },
  /** Denies the request: the client sees `admission webhook "<name>" denied the request: <message>`; `code` defaults to 403. */
  deny(message: string, options: { code?: number; reason?: string; warnings?: readonly string[] } = {}): AdmissionResult {
    const code = options.code ?? 403;
    return { allowed: false, message, code, reason: options.reason ?? REASONS[code] ?? "Forbidden", warnings: [...(options.warnings ?? [])] };
  },
  /** Mutating webhooks: allows the request, patched to `object` (instead of the changes made to `req.object`). */
  patched(object: unknown, options: { warnings?: readonly string[] } = {}): AdmissionResult {
    return { allowed: true, warnings: [...(options.warnings ?? [])], object };
  },
} as const;

/**
 * Settings of the generated webhook entry, common to validating and mutating webhooks.
 *
 * @example
 * ```ts
 * const settings: AdmissionWebhookSettings<typeof Memcached> = { kind: Memcached, name: "vmemcached.cache.example.com", operations: ["CREATE", "UPDATE"] };
 * defineValidatingWebhook({ ...settings, validate: () => Admission.allow() });
 * ```
 */
export interface AdmissionWebhookSettings<K extends Kind> {
  /** The kind whose requests this webhook admits (a `defineResource` result or a built-in kind from `operant/kinds`). */
  kind: K;
  /**
   * The webhook's name in its configuration: a fully qualified name of at
   * least three segments. Default `<v|m><kind>-<version>.<group>` (group
   * `core.k8s.io` for the core group), e.g. `vmemcached-v1.cache.example.com`.
   */
  name?: string;
  /** Operations to admit (default CREATE and UPDATE). */
  operations?: readonly Operation[];
  /** URL path on the webhook server (default `/validate-<group-dashed>-<version>-<kind>` or `/mutate-…`, as kubebuilder names them). */
  path?: string;
  /** What the API server does when the webhook cannot be reached or errs: `Fail` (default, the request fails) or `Ignore`. */
  failurePolicy?: "Fail" | "Ignore";
  /** `None` (default) or `NoneOnDryRun`: whether the handler has side effects outside the object. */
  sideEffects?: "None" | "NoneOnDryRun";
  /** How long the API server waits for an answer, 1–30 s (default 10). */
  timeoutSeconds?: number;
  /** `Equivalent` (default: requests through other versions are converted and sent too) or `Exact`. */
  matchPolicy?: "Exact" | "Equivalent";
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

/**
 * Options of {@link defineValidatingWebhook}.
 *
 * @example
 * ```ts
 * export const memcachedValidator = defineValidatingWebhook({
 *   kind: Memcached,
 *   validate: (req) => (req.object.spec.size > 10 ? Admission.deny("at most 10 replicas") : Admission.allow()),
 * } satisfies ValidatingWebhookOptions<typeof Memcached>);
 * ```
 */
export interface ValidatingWebhookOptions<K extends Kind> extends AdmissionWebhookSettings<K> {
  /** Allows or denies; a thrown error denies with code 500 and the error's message. */
  validate(req: AdmissionRequest<ObjectOf<K>>): AdmissionResult | Promise<AdmissionResult>;
}

/**
 * Options of {@link defineMutatingWebhook}.
 *
 * @example
 * ```ts
 * export const memcachedDefaulter = defineMutatingWebhook({
 *   kind: Memcached,
 *   mutate: (req) => { req.object.metadata ??= {}; req.object.metadata.labels = { ...req.object.metadata.labels, tier: "cache" }; return Admission.allow(); },
 * } satisfies MutatingWebhookOptions<typeof Memcached>);
 * ```
 */
export interface MutatingWebhookOptions<K extends Kind> extends AdmissionWebhookSettings<K> {
  /** `Never` (default) or `IfNeeded`: call this webhook again when a later one changed the object. */
  reinvocationPolicy?: "Never" | "IfNeeded";
  /** Changes `req.object` (a copy) and allows, returns {@link Admission.patched}, or denies; a thrown error denies with code 500. */
  mutate(req: AdmissionRequest<ObjectOf<K>>): AdmissionResult | Promise<AdmissionResult>;
}

/**
 * An admission webhook, ready for a {@link WebhookServer} and for manifest
 * generation: see {@link defineValidatingWebhook} and {@link defineMutatingWebhook}.
 *
 * @example
 * ```ts
 * const hooks: AdmissionWebhook[] = [validateMemcached, defaultMemcached];
 * ```
 */
export interface AdmissionWebhook {
  readonly type: "validating" | "mutating";
  readonly name: string;
  readonly kind: Kind;
  readonly path: string;
  readonly operations: readonly Operation[];
  readonly failurePolicy: "Fail" | "Ignore";
  readonly sideEffects: "None" | "NoneOnDryRun";
  readonly timeoutSeconds: number;
  readonly matchPolicy: "Exact" | "Equivalent";
  readonly namespaceSelector: LabelSelector | undefined;
  readonly objectSelector: LabelSelector | undefined;
  readonly reinvocationPolicy: "Never" | "IfNeeded" | undefined;
  /** Answers one request (never throws: a handler's error becomes a denial with code 500). */
  review(request: AdmissionRequestWire, signal: AbortSignal): Promise<AdmissionResponseWire>;
}

const QUALIFIED = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?){2,}$/;

/**
 * kubebuilder's path convention: `/validate-cache-example-com-v1-memcached`, `/mutate--v1-pod`.
 *
 * @example
 * ```ts
 * webhookPath("validating", Memcached) // "/validate-cache-example-com-v1-memcached"
 * webhookPath("mutating", Pod)        // "/mutate--v1-pod"
 * ```
 */
export function webhookPath(type: "validating" | "mutating", kind: Pick<Kind, "group" | "version" | "kind">): string {
  return `/${type === "validating" ? "validate" : "mutate"}-${kind.group.replace(/\./g, "-")}-${kind.version}-${kind.kind.toLowerCase()}`;
}

function settings<K extends Kind>(type: "validating" | "mutating", o: AdmissionWebhookSettings<K>): Omit<AdmissionWebhook, "review" | "reinvocationPolicy"> {
  const k = o.kind;
  // Built-in groups without a dot (apps, batch, policy) would give a two-segment name the API server refuses: qualify them as k8s.io's.
  const group = k.group === "" ? "core.k8s.io" : k.group.includes(".") ? k.group : `${k.group}.k8s.io`;
  const name = o.name ?? `${type === "validating" ? "v" : "m"}${k.kind.toLowerCase()}-${k.version}.${group}`;
  if (!QUALIFIED.test(name) || name.length > 253) {
    throw new OperantError("InvalidWebhook", `webhook name "${name}" is not valid: use a fully qualified lower-case name of at least three segments, e.g. "vmemcached.cache.example.com".`);
  }
  const timeoutSeconds = o.timeoutSeconds ?? 10;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 30) {
    throw new OperantError("InvalidWebhook", `webhook ${name}: timeoutSeconds ${timeoutSeconds} is not valid: use a whole number of seconds from 1 to 30.`);
  }
  const path = o.path ?? webhookPath(type, k);
  if (!path.startsWith("/") || path === "/convert" || path.startsWith("/healthz")) {
    throw new OperantError("InvalidWebhook", `webhook ${name}: path "${path}" is not valid: use an absolute path other than /convert and /healthz.`);
  }
  const operations = [...(o.operations ?? ["CREATE", "UPDATE"])];
  if (operations.length === 0) throw new OperantError("InvalidWebhook", `webhook ${name} has no operations: list at least one of CREATE, UPDATE, DELETE, CONNECT.`);
  return {
    type,
    name,
    kind: k,
    path,
    operations,
    failurePolicy: o.failurePolicy ?? "Fail",
    sideEffects: o.sideEffects ?? "None",
    timeoutSeconds,
    matchPolicy: o.matchPolicy ?? "Equivalent",
    namespaceSelector: o.namespaceSelector,
    objectSelector: o.objectSelector,
  };
}

function typedRequest<T>(wire: AdmissionRequestWire, signal: AbortSignal, copy: boolean): AdmissionRequest<T> {
  const object = wire.object == null ? undefined : ((copy ? structuredClone(wire.object) : wire.object) as T);
  return {
    uid: wire.uid,
    operation: wire.operation,
    object,
    oldObject: wire.oldObject == null ? undefined : (wire.oldObject as T),
    userInfo: wire.userInfo,
    dryRun: wire.dryRun === true,
    name: wire.name,
    namespace: wire.namespace,
    subResource: wire.subResource,
    kind: wire.kind,
    resource: wire.resource,
    signal,
    raw: wire,
  };
}

function respond(uid: string, result: AdmissionResult): AdmissionResponseWire {
  const out: AdmissionResponseWire = { uid, allowed: result.allowed };
  if (!result.allowed) out.status = { code: result.code, message: result.message, reason: result.reason };
  if (result.warnings.length > 0) out.warnings = [...result.warnings];
  return out;
}

function failed(uid: string, err: unknown): AdmissionResponseWire {
  return { uid, allowed: false, status: { code: 500, reason: "InternalError", message: `webhook handler failed: ${err instanceof Error ? err.message : String(err)}` } };
}

function isResult(v: unknown): v is AdmissionResult {
  return typeof v === "object" && v !== null && typeof (v as { allowed?: unknown }).allowed === "boolean" && Array.isArray((v as { warnings?: unknown }).warnings);
}

/**
 * A validating admission webhook for a kind.
 *
 * @throws OperantError `InvalidWebhook` for a bad name, path, timeout or empty operations
 * @example
 * ```ts
 * export const validateMemcached = defineValidatingWebhook({
 *   kind: Memcached,
 *   validate: (req) => (req.object!.spec.size % 2 === 0 ? Admission.allow() : Admission.deny("spec.size must be even")),
 * });
 * ```
 */
export function defineValidatingWebhook<K extends Kind>(options: ValidatingWebhookOptions<K>): AdmissionWebhook {
  const base = settings("validating", options);
  return Object.freeze({
    ...base,
    reinvocationPolicy: undefined,
    async review(wire: AdmissionRequestWire, signal: AbortSignal): Promise<AdmissionResponseWire> {
      try {
        const result: unknown = await options.validate(typedRequest<ObjectOf<K>>(wire, signal, false));
        if (!isResult(result)) throw new OperantError("InvalidWebhook", `webhook ${base.name} returned ${JSON.stringify(result)}: return Admission.allow() or Admission.deny(…)`);
        return respond(wire.uid, result);
      } catch (err) {
        return failed(wire.uid, err);
      }
    },
  });
}

/**
 * A mutating (defaulting) admission webhook for a kind. The handler changes
 * `req.object` (its own copy) and returns `Admission.allow()`; operant answers
 * with the JSON patch from the object as sent to the object as left (no patch
 * when nothing changed).
 *
 * @throws OperantError `InvalidWebhook` for a bad name, path, timeout or empty operations
 * @example
 * ```ts
 * export const defaultMemcached = defineMutatingWebhook({
 *   kind: Memcached,
 *   mutate: (req) => {
 *     req.object!.spec.image ??= "memcached:1.6";
 *     return Admission.allow();
 *   },
 * });
 * ```
 */
export function defineMutatingWebhook<K extends Kind>(options: MutatingWebhookOptions<K>): AdmissionWebhook {
  const base = settings("mutating", options);
  return Object.freeze({
    ...base,
    reinvocationPolicy: options.reinvocationPolicy ?? "Never",
    async review(wire: AdmissionRequestWire, signal: AbortSignal): Promise<AdmissionResponseWire> {
      try {
        const req = typedRequest<ObjectOf<K>>(wire, signal, true);
        const result: unknown = await options.mutate(req);
        if (!isResult(result)) throw new OperantError("InvalidWebhook", `webhook ${base.name} returned ${JSON.stringify(result)}: return Admission.allow(), Admission.patched(…) or Admission.deny(…)`);
        const out = respond(wire.uid, result);
        if (!result.allowed || wire.object == null) return out;
        const after = "object" in result && result.object !== undefined ? result.object : req.object;
        const patch = jsonPatch(wire.object as JsonValue, JSON.parse(JSON.stringify(after ?? null)) as JsonValue);
        if (patch.length > 0) {
          out.patchType = "JSONPatch";
          out.patch = Buffer.from(JSON.stringify(patch)).toString("base64");
        }
        return out;
      } catch (err) {
        return failed(wire.uid, err);
      }
    },
  });
}
