// The two review formats the API server posts to webhooks, checked on the way
// in: AdmissionReview (admission.k8s.io/v1) and ConversionReview
// (apiextensions.k8s.io/v1). A body that is not one of them is rejected with
// a message naming the first field that is wrong; the server answers 400.
import { OperantError } from "../../core/errors.ts";

/**
 * A GroupVersionKind as reviews carry it.
 *
 * @example
 * ```ts
 * const gvk: GroupVersionKind = { group: "cache.example.com", version: "v1", kind: "Memcached" }; // req.kind of a review
 * ```
 */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/**
 * A GroupVersionResource as reviews carry it.
 *
 * @example
 * ```ts
 * const gvr: GroupVersionResource = { group: "apps", version: "v1", resource: "deployments" }; // req.resource of a review
 * ```
 */
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/**
 * Who made the request (`request.userInfo`).
 *
 * @example
 * ```ts
 * if (req.userInfo.groups?.includes("system:masters")) return Admission.allow();
 * ```
 */
export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/**
 * An admission operation.
 *
 * @example
 * ```ts
 * validate: (req) => (req.operation satisfies Operation) === "DELETE" ? Admission.allow() : check(req.object)
 * ```
 */
export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

/**
 * `request` of an AdmissionReview v1, as the API server sends it.
 *
 * @example
 * ```ts
 * const review = JSON.parse(body) as { request: AdmissionRequestWire };
 * console.log(review.request.uid, review.request.operation, review.request.kind.kind);
 * ```
 */
export interface AdmissionRequestWire {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  requestKind?: GroupVersionKind;
  requestResource?: GroupVersionResource;
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo: UserInfo;
  object?: Record<string, unknown> | null;
  oldObject?: Record<string, unknown> | null;
  dryRun?: boolean;
  options?: Record<string, unknown> | null;
}

/**
 * `response` of an AdmissionReview v1.
 *
 * @example
 * ```ts
 * const response: AdmissionResponseWire = { uid: request.uid, allowed: false, status: { code: 403, message: "quota exceeded" } };
 * ```
 */
export interface AdmissionResponseWire {
  uid: string;
  allowed: boolean;
  status?: { code?: number; message?: string; reason?: string };
  patchType?: "JSONPatch";
  /** Base64 of the JSON patch. */
  patch?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

/**
 * `request` of a ConversionReview v1.
 *
 * @example
 * ```ts
 * const { request } = JSON.parse(body) as { request: ConversionRequestWire };
 * console.log(request.desiredAPIVersion, request.objects.length);
 * ```
 */
export interface ConversionRequestWire {
  uid: string;
  desiredAPIVersion: string;
  objects: Record<string, unknown>[];
}

/**
 * `response` of a ConversionReview v1.
 *
 * @example
 * ```ts
 * const response: ConversionResponseWire = { uid: request.uid, convertedObjects: [], result: { status: "Failure", message: "unknown version" } };
 * ```
 */
export interface ConversionResponseWire {
  uid: string;
  convertedObjects: Record<string, unknown>[];
  result: { status: "Success" | "Failure"; message?: string };
}

const OPERATIONS = new Set<string>(["CREATE", "UPDATE", "DELETE", "CONNECT"]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function need(ok: boolean, what: string): asserts ok {
  if (!ok) throw new OperantError("MalformedReview", `malformed review: ${what}.`);
}

function parseJson(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw new OperantError("MalformedReview", `malformed review: the body is not JSON (${(err as Error).message}).`);
  }
  need(isRecord(value), "the body is not a JSON object");
  return value;
}

function gvk(v: unknown, field: string): GroupVersionKind {
  need(isRecord(v) && typeof v.group === "string" && typeof v.version === "string" && typeof v.kind === "string", `request.${field} must be an object with string group, version and kind`);
  return { group: v.group, version: v.version, kind: v.kind };
}

function gvr(v: unknown, field: string): GroupVersionResource {
  need(isRecord(v) && typeof v.group === "string" && typeof v.version === "string" && typeof v.resource === "string", `request.${field} must be an object with string group, version and resource`);
  return { group: v.group, version: v.version, resource: v.resource };
}

const optionalString = (v: unknown): boolean => v === undefined || v === null || typeof v === "string";
const optionalObject = (v: unknown): boolean => v === undefined || v === null || isRecord(v);

/**
 * Parses and checks an AdmissionReview v1 body.
 *
 * @throws OperantError `MalformedReview` naming what is wrong (the server answers 400 with it)
 * @example
 * ```ts
 * const request = parseAdmissionReview(body);   // request.uid, request.operation, request.object…
 * ```
 */
export function parseAdmissionReview(body: string): AdmissionRequestWire {
  const review = parseJson(body);
  need(review.apiVersion === "admission.k8s.io/v1", `apiVersion is ${JSON.stringify(review.apiVersion)}, not "admission.k8s.io/v1" (set admissionReviewVersions: ["v1"] in the webhook configuration)`);
  need(review.kind === "AdmissionReview", `kind is ${JSON.stringify(review.kind)}, not "AdmissionReview"`);
  const r = review.request;
  need(isRecord(r), "request is missing or not an object");
  need(typeof r.uid === "string" && r.uid !== "", "request.uid must be a non-empty string");
  need(typeof r.operation === "string" && OPERATIONS.has(r.operation), `request.operation must be one of CREATE, UPDATE, DELETE, CONNECT (got ${JSON.stringify(r.operation)})`);
  const ui = r.userInfo ?? {};
  need(isRecord(ui), "request.userInfo must be an object");
  need(optionalString(ui.username) && (ui.groups === undefined || ui.groups === null || (Array.isArray(ui.groups) && ui.groups.every((g) => typeof g === "string"))), "request.userInfo must have a string username and a string array of groups");
  for (const f of ["name", "namespace", "subResource", "requestSubResource"]) need(optionalString(r[f]), `request.${f} must be a string`);
  for (const f of ["object", "oldObject", "options"]) need(optionalObject(r[f]), `request.${f} must be an object or null`);
  need(r.dryRun === undefined || r.dryRun === null || typeof r.dryRun === "boolean", "request.dryRun must be a boolean");
  const out: AdmissionRequestWire = {
    uid: r.uid,
    kind: gvk(r.kind, "kind"),
    resource: gvr(r.resource, "resource"),
    operation: r.operation as Operation,
    userInfo: ui,
    dryRun: r.dryRun === true,
  };
  if (r.requestKind != null) out.requestKind = gvk(r.requestKind, "requestKind");
  if (r.requestResource != null) out.requestResource = gvr(r.requestResource, "requestResource");
  if (typeof r.subResource === "string") out.subResource = r.subResource;
  if (typeof r.requestSubResource === "string") out.requestSubResource = r.requestSubResource;
  if (typeof r.name === "string") out.name = r.name;
  if (typeof r.namespace === "string") out.namespace = r.namespace;
  if (isRecord(r.object)) out.object = r.object;
  if (isRecord(r.oldObject)) out.oldObject = r.oldObject;
  if (isRecord(r.options)) out.options = r.options;
  return out;
}

/**
 * Parses and checks a ConversionReview v1 body.
 *
 * @throws OperantError `MalformedReview` naming what is wrong (the server answers 400 with it)
 * @example
 * ```ts
 * const { uid, desiredAPIVersion, objects } = parseConversionReview(body);
 * ```
 */
export function parseConversionReview(body: string): ConversionRequestWire {
  const review = parseJson(body);
  need(review.apiVersion === "apiextensions.k8s.io/v1", `apiVersion is ${JSON.stringify(review.apiVersion)}, not "apiextensions.k8s.io/v1" (set conversionReviewVersions: ["v1"] in the CRD)`);
  need(review.kind === "ConversionReview", `kind is ${JSON.stringify(review.kind)}, not "ConversionReview"`);
  const r = review.request;
  need(isRecord(r), "request is missing or not an object");
  need(typeof r.uid === "string" && r.uid !== "", "request.uid must be a non-empty string");
  need(typeof r.desiredAPIVersion === "string" && /^[^/]+\/[^/]+$/.test(r.desiredAPIVersion), `request.desiredAPIVersion must be "<group>/<version>" (got ${JSON.stringify(r.desiredAPIVersion)})`);
  need(Array.isArray(r.objects), "request.objects must be an array");
  r.objects.forEach((o, i) => need(isRecord(o) && typeof o.apiVersion === "string" && typeof o.kind === "string", `request.objects[${i}] must be an object with string apiVersion and kind`));
  return { uid: r.uid, desiredAPIVersion: r.desiredAPIVersion, objects: r.objects as Record<string, unknown>[] };
}

/**
 * Wraps a response in an AdmissionReview v1.
 *
 * @example
 * ```ts
 * res.end(JSON.stringify(admissionReview({ uid: request.uid, allowed: true })));
 * ```
 */
export function admissionReview(response: AdmissionResponseWire): { apiVersion: "admission.k8s.io/v1"; kind: "AdmissionReview"; response: AdmissionResponseWire } {
  return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response };
}

/**
 * Wraps a response in a ConversionReview v1.
 *
 * @example
 * ```ts
 * res.end(JSON.stringify(conversionReview({ uid, convertedObjects, result: { status: "Success" } })));
 * ```
 */
export function conversionReview(response: ConversionResponseWire): { apiVersion: "apiextensions.k8s.io/v1"; kind: "ConversionReview"; response: ConversionResponseWire } {
  return { apiVersion: "apiextensions.k8s.io/v1", kind: "ConversionReview", response };
}
