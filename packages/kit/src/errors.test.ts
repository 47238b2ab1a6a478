import type { GraphQLFormattedError } from "graphql";
import { describe, expect, it } from "vitest";
import { createErrorMasker, pokewatchError } from "./errors.js";
import { capturingLogger } from "./testing/loggers.js";

const internals = {
  stacktrace: ["Error: boom", "    at resolver (/srv/pricing/src/resolvers.ts:12:7)"],
  response: { url: "http://pricing.internal:4001/graphql", body: "raw upstream body" },
  exception: { errno: -111, address: "10.0.0.5" },
};

function masker() {
  const { logger, lines } = capturingLogger("gateway");
  return { formatError: createErrorMasker(logger, "pricing"), lines };
}

describe("createErrorMasker", () => {
  it("passes a registered code's message with only public extensions", () => {
    const { formatError, lines } = masker();
    const formatted: GraphQLFormattedError = {
      message: "No card with id sv1-999",
      path: ["card"],
      extensions: { code: "NOT_FOUND", argument: "id", serviceName: "pricing", ...internals },
    };
    expect(formatError(formatted, new Error("ignored"))).toEqual({
      message: "No card with id sv1-999",
      path: ["card"],
      extensions: { code: "NOT_FOUND", argument: "id", serviceName: "pricing" },
    });
    expect(lines()).toEqual([]);
  });

  it("passes the request codes graphql-js and Apollo produce", () => {
    const { formatError } = masker();
    const formatted: GraphQLFormattedError = {
      message: 'Cannot query field "nope" on type "Query".',
      extensions: { code: "GRAPHQL_VALIDATION_FAILED", stacktrace: ["GraphQLError: …"] },
    };
    expect(formatError(formatted, undefined)).toEqual({
      message: formatted.message,
      extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
    });
  });

  it.each([
    ["no code", undefined],
    ["an unknown code", "ECONNREFUSED"],
    ["Apollo's INTERNAL_SERVER_ERROR label", "INTERNAL_SERVER_ERROR"],
  ])("masks an error with %s and logs the original", (_label, code) => {
    const { formatError, lines } = masker();
    const original = new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2");
    const formatted: GraphQLFormattedError = {
      message: original.message,
      path: ["prices", 0, "fairPrice"],
      extensions: { ...(code ? { code } : {}), serviceName: "pricing", ...internals },
    };
    const result = formatError(formatted, original);
    expect(result).toEqual({
      message: "Internal server error",
      path: ["prices", 0, "fairPrice"],
      extensions: { code: "INTERNAL_SERVER_ERROR", serviceName: "pricing" },
    });
    expect(JSON.stringify(result)).not.toContain("hunter2");

    const logged = lines();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain("connect ECONNREFUSED 10.0.0.5:5432");
    expect(logged[0]).toContain("masked an unexpected error");
  });

  it("leaves out path when the error had none", () => {
    const { formatError } = masker();
    expect(formatError({ message: "kaboom" }, new Error("kaboom"))).toEqual({
      message: "Internal server error",
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    });
  });
});

describe("pokewatchError", () => {
  it("sets the HTTP status and headers when it ends the request", () => {
    const error = pokewatchError("RATE_LIMITED", "Slow down", {
      endsRequest: true,
      headers: { "retry-after": "12" },
      extensions: { retryAfter: 12 },
    });
    expect(error.message).toBe("Slow down");
    expect(error.extensions.code).toBe("RATE_LIMITED");
    expect(error.extensions.retryAfter).toBe(12);
    const http = error.extensions.http as { status: number; headers: Map<string, string> };
    expect(http.status).toBe(429);
    expect([...http.headers]).toEqual([["retry-after", "12"]]);
  });

  it("uses the status mapped from its code", () => {
    const error = pokewatchError("UNAUTHENTICATED", "No key", { endsRequest: true });
    expect((error.extensions.http as { status: number }).status).toBe(401);
  });

  it("has no http extension for a field error, and extensions cannot override the code", () => {
    const error = pokewatchError("BAD_USER_INPUT", "Too many ids", {
      extensions: { code: "FORBIDDEN", argument: "ids" },
    });
    expect(error.extensions).toEqual({ code: "BAD_USER_INPUT", argument: "ids" });
  });
});
