import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isOperantError, OperantError } from "../../core/errors.ts";
import { ApiError, type ApiErrorCode, type Status } from "./api-error.ts";

const failure = (code: number, reason: string | undefined, message = "boom", details?: Status["details"]): Status => ({
  kind: "Status",
  apiVersion: "v1",
  status: "Failure",
  message,
  ...(reason !== undefined && { reason }),
  code,
  ...(details && { details }),
});

const err = (status: number, body?: Status, extra: { text?: string; retryAfterSeconds?: number } = {}) =>
  new ApiError({ method: "GET", path: "/api/v1/namespaces/a/configmaps/b", status, body, ...extra });

describe("ApiError: Status reason → code", () => {
  const byReason: [number, string, ApiErrorCode][] = [
    [400, "BadRequest", "BadRequest"],
    [401, "Unauthorized", "Unauthorized"],
    [403, "Forbidden", "Forbidden"],
    [404, "NotFound", "NotFound"],
    [409, "AlreadyExists", "AlreadyExists"],
    [409, "Conflict", "Conflict"],
    [410, "Gone", "Gone"],
    [410, "Expired", "Gone"],
    [422, "Invalid", "Invalid"],
    [429, "TooManyRequests", "TooManyRequests"],
    [500, "ServerTimeout", "Timeout"],
    [504, "Timeout", "Timeout"],
    [405, "MethodNotAllowed", "MethodNotAllowed"],
    [406, "NotAcceptable", "NotAcceptable"],
    [413, "RequestEntityTooLarge", "RequestEntityTooLarge"],
    [415, "UnsupportedMediaType", "UnsupportedMediaType"],
    [500, "InternalError", "InternalError"],
    [503, "ServiceUnavailable", "ServiceUnavailable"],
  ];
  for (const [status, reason, code] of byReason) {
    test(`${status} ${reason} → ${code}`, () => {
      const e = err(status, failure(status, reason));
      assert.equal(e.code, code);
      assert.equal(e.status, status);
    });
  }

  test("the reason wins over the HTTP status (AlreadyExists and Conflict share 409; ServerTimeout comes as 500)", () => {
    assert.equal(err(409, failure(409, "AlreadyExists")).code, "AlreadyExists");
    assert.equal(err(409, failure(409, "Conflict")).code, "Conflict");
    assert.equal(err(500, failure(500, "ServerTimeout")).code, "Timeout");
    assert.equal(err(500, failure(500, "InternalError")).code, "InternalError");
  });
});

describe("ApiError: HTTP status fallback (no Status, empty or unknown reason)", () => {
  const byStatus: [number, ApiErrorCode][] = [
    [400, "BadRequest"],
    [401, "Unauthorized"],
    [403, "Forbidden"],
    [404, "NotFound"],
    [405, "MethodNotAllowed"],
    [406, "NotAcceptable"],
    [409, "Conflict"],
    [410, "Gone"],
    [413, "RequestEntityTooLarge"],
    [415, "UnsupportedMediaType"],
    [422, "Invalid"],
    [429, "TooManyRequests"],
    [500, "InternalError"],
    [503, "ServiceUnavailable"],
    [504, "Timeout"],
  ];
  for (const [status, code] of byStatus) {
    test(`HTTP ${status} without a Status → ${code}`, () => {
      assert.equal(err(status, undefined, { text: "plain text" }).code, code);
    });
  }

  test("an empty or unknown reason falls back to the HTTP status", () => {
    assert.equal(err(404, failure(404, "")).code, "NotFound");
    assert.equal(err(422, failure(422, "SomethingNew")).code, "Invalid");
    assert.equal(err(403, failure(403, undefined)).code, "Forbidden");
  });

  test("an HTTP status with no mapping and no known reason → Unknown", () => {
    assert.equal(err(418, undefined, { text: "teapot" }).code, "Unknown");
    assert.equal(err(502, failure(502, "BadGateway")).code, "Unknown");
  });
});

describe("ApiError: retryable", () => {
  const retryable: ApiErrorCode[] = ["Conflict", "Gone", "TooManyRequests", "Timeout", "InternalError", "ServiceUnavailable"];
  const cases: [number, string][] = [
    [400, "BadRequest"],
    [401, "Unauthorized"],
    [403, "Forbidden"],
    [404, "NotFound"],
    [409, "AlreadyExists"],
    [409, "Conflict"],
    [410, "Expired"],
    [422, "Invalid"],
    [429, "TooManyRequests"],
    [500, "ServerTimeout"],
    [504, "Timeout"],
    [500, "InternalError"],
    [503, "ServiceUnavailable"],
    [405, "MethodNotAllowed"],
    [415, "UnsupportedMediaType"],
  ];
  for (const [status, reason] of cases) {
    test(`${reason}`, () => {
      const e = err(status, failure(status, reason));
      assert.equal(e.retryable, retryable.includes(e.code), `${reason} → ${e.code} retryable=${e.retryable}`);
    });
  }
  test("a server-side apply conflict is a Conflict that is not retryable, advising force", () => {
    const e = err(
      409,
      failure(409, "Conflict", 'Apply failed with 1 conflict: conflict with "mgr-a": .data.k', { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "mgr-a"', field: ".data.k" }] }),
    );
    assert.equal(e.code, "Conflict");
    assert.equal(e.retryable, false);
    assert.match(e.message, /conflict with "mgr-a": \.data\.k\. Another field manager owns these fields: apply with `force: true`/);
    assert.doesNotMatch(e.message, /read it again/);
    const stale = err(409, failure(409, "Conflict", "the object has been modified", { name: "b", kind: "configmaps" }));
    assert.equal(stale.retryable, true);
    assert.match(stale.message, /read it again/);
  });

  test("unknown failures are not retryable", () => {
    assert.equal(err(418).retryable, false);
  });
});

describe("ApiError: fields and message", () => {
  test("is an OperantError named ApiError, usable with isOperantError", () => {
    const e = err(404, failure(404, "NotFound", 'configmaps "b" not found'));
    assert.ok(e instanceof OperantError);
    assert.equal(e.name, "ApiError");
    assert.ok(isOperantError(e, "NotFound"));
  });

  test("the message names the method and path, the server's message, and the advice for the code", () => {
    const e = err(403, failure(403, "Forbidden", 'configmaps "b" is forbidden: User "alice" cannot get resource "configmaps"'));
    assert.match(e.message, /^GET \/api\/v1\/namespaces\/a\/configmaps\/b: configmaps "b" is forbidden: User "alice"/);
    assert.match(e.message, /RBAC/);
    const c = err(409, failure(409, "Conflict", "the object has been modified"));
    assert.match(c.message, /read it again/);
  });

  test("a hint goes after the server's message and before the advice", () => {
    const e = new ApiError({ method: "PATCH", path: "/x", status: 409, body: failure(409, "Conflict", "terse"), hint: "more detail" });
    assert.match(e.message, /^PATCH \/x: terse: more detail\. The object changed since it was read/);
  });

  test("codes without advice get just the server's message", () => {
    const e = err(404, failure(404, "NotFound", 'configmaps "b" not found'));
    assert.equal(e.message, 'GET /api/v1/namespaces/a/configmaps/b: configmaps "b" not found');
  });

  test("without a Status the body text (cut to 300 characters) or the HTTP status is the message", () => {
    assert.match(err(429, undefined, { text: "Too many requests, please try again later.\n" }).message, /Too many requests, please try again later/);
    const long = err(500, undefined, { text: "x".repeat(1000) });
    assert.ok(long.message.includes("x".repeat(300)) && !long.message.includes("x".repeat(301)));
    assert.match(err(502, undefined, { text: "" }).message, /HTTP 502/);
  });

  test("causes come from details.causes (field-level reasons of Invalid)", () => {
    const causes = [{ reason: "FieldValueInvalid", message: "Invalid value: \"Bad_Name\"", field: "metadata.name" }];
    const e = err(422, failure(422, "Invalid", "ConfigMap \"Bad_Name\" is invalid", { name: "Bad_Name", kind: "ConfigMap", causes }));
    assert.deepEqual(e.causes, causes);
    assert.deepEqual(err(404, failure(404, "NotFound")).causes, []);
  });

  test("retryAfterSeconds: from the Retry-After header, else from details.retryAfterSeconds", () => {
    assert.equal(err(429, failure(429, "TooManyRequests", "slow down", { retryAfterSeconds: 7 })).retryAfterSeconds, 7);
    assert.equal(err(429, failure(429, "TooManyRequests", "slow down", { retryAfterSeconds: 7 }), { retryAfterSeconds: 2 }).retryAfterSeconds, 2);
    assert.equal(err(429, undefined, { text: "Too many requests", retryAfterSeconds: 1 }).retryAfterSeconds, 1);
    assert.equal(err(500, failure(500, "ServerTimeout", "timed out", { retryAfterSeconds: 3 })).retryAfterSeconds, 3);
    assert.equal(err(404, failure(404, "NotFound")).retryAfterSeconds, undefined);
  });

  test("body keeps the server's Status", () => {
    const s = failure(410, "Expired", "too old resource version: 1 (253)");
    assert.equal(err(410, s).body, s);
    assert.equal(err(410).body, undefined);
  });
});
