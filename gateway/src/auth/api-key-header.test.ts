import { describe, expect, it } from "vitest";
import { readApiKeyHeader } from "./api-key-header.js";

describe("readApiKeyHeader", () => {
  it("reads x-api-key, or a bearer token", () => {
    expect(readApiKeyHeader({ "x-api-key": "pw_a" })).toEqual({ kind: "present", secret: "pw_a" });
    expect(readApiKeyHeader({ authorization: "Bearer pw_b" })).toEqual({ kind: "present", secret: "pw_b" });
    expect(readApiKeyHeader({ authorization: "bearer  pw_b " })).toEqual({ kind: "present", secret: "pw_b" });
  });

  it("accepts both when they agree", () => {
    expect(readApiKeyHeader({ "x-api-key": "pw_a", authorization: "Bearer pw_a" })).toEqual({
      kind: "present",
      secret: "pw_a",
    });
  });

  it("is missing with neither header, or empty ones", () => {
    expect(readApiKeyHeader({})).toEqual({ kind: "missing" });
    expect(readApiKeyHeader({ "x-api-key": " ", authorization: "" })).toEqual({ kind: "missing" });
  });

  it("is malformed when they disagree, when Authorization is not a bearer token, or a header repeats", () => {
    expect(readApiKeyHeader({ "x-api-key": "pw_a", authorization: "Bearer pw_b" })).toEqual({ kind: "malformed" });
    expect(readApiKeyHeader({ authorization: "Basic dXNlcjpwYXNz" })).toEqual({ kind: "malformed" });
    expect(readApiKeyHeader({ authorization: "Bearer" })).toEqual({ kind: "malformed" });
    expect(readApiKeyHeader({ "x-api-key": ["pw_a", "pw_b"] })).toEqual({ kind: "malformed" });
  });
});
