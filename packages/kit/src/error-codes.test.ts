import { describe, expect, it } from "vitest";
import { ERROR_CODES, httpStatusFor, isErrorCode, type ErrorCode } from "./error-codes.js";

const EXPECTED_STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  BAD_USER_INPUT: 400,
  OPERATION_LIMIT_EXCEEDED: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  MODEL_UNAVAILABLE: 503,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

describe("httpStatusFor", () => {
  it("covers exactly the registered codes", () => {
    expect(Object.keys(EXPECTED_STATUS).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it.each(Object.entries(EXPECTED_STATUS))("maps %s to %i", (code, status) => {
    expect(httpStatusFor(code as ErrorCode)).toBe(status);
  });

  it("throws on a code outside the registry", () => {
    expect(() => httpStatusFor("TEAPOT" as ErrorCode)).toThrow(/unmapped error code TEAPOT/);
  });
});

describe("isErrorCode", () => {
  it.each(Object.keys(ERROR_CODES))("accepts %s", (code) => {
    expect(isErrorCode(code)).toBe(true);
  });

  it.each([
    ["GRAPHQL_VALIDATION_FAILED"],
    ["not_found"],
    ["toString"],
    ["constructor"],
    [""],
    [401],
    [null],
    [undefined],
  ])("rejects %j", (value) => {
    expect(isErrorCode(value)).toBe(false);
  });

  it("every code has a description", () => {
    for (const entry of Object.values(ERROR_CODES)) expect(entry.description.length).toBeGreaterThan(10);
  });
});
