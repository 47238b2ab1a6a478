/**
 * The one registry of error codes PokeWatch answers with. Every `extensions.code` a client can
 * see is listed here with what it means and the HTTP status it maps to when it ends a request.
 * `docs/errors.md` is generated from this table (`pnpm docs:errors`).
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: {
    description: "No API key, or a key that is malformed, unknown, expired or revoked.",
  },
  FORBIDDEN: {
    description: "The key is valid but lacks a scope the operation needs; the message names it.",
  },
  RATE_LIMITED: {
    description:
      "A quota or field limit is exhausted, or the client's address failed to authenticate too often; `extensions.retryAfter` gives the seconds to wait (HTTP `Retry-After` too).",
  },
  BAD_USER_INPUT: {
    description: "An argument is invalid: a malformed `Date`, too many ids, a bad cursor, …",
  },
  OPERATION_LIMIT_EXCEEDED: {
    description:
      "The operation is larger than the gateway accepts (tokens, depth, fields, aliases or directives); `extensions.operationLimit` names the limit, `max` and `actual` give the numbers.",
  },
  NOT_FOUND: {
    description: "The thing asked for does not exist (an unknown card id, key id, run id, …).",
  },
  CONFLICT: {
    description:
      "The request conflicts with the current state, e.g. a pipeline run is already active; `extensions` say which.",
  },
  MODEL_UNAVAILABLE: {
    description: "No production model is loaded, so fair prices cannot be computed right now.",
  },
  SERVICE_UNAVAILABLE: {
    description: "A service PokeWatch depends on did not answer; retrying later is safe.",
  },
  INTERNAL_SERVER_ERROR: {
    description: "Something failed inside PokeWatch. The details are logged under the request id, never sent.",
  },
} as const satisfies Record<string, { description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes Apollo Server and graphql-js produce themselves; they describe the request, so they pass. */
export const GRAPHQL_REQUEST_CODES = [
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
] as const;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERROR_CODES, code);
}

/** HTTP status for an error that ends a whole request (context and plugin errors). */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case "UNAUTHENTICATED":
      return 401;
    case "FORBIDDEN":
      return 403;
    case "RATE_LIMITED":
      return 429;
    case "BAD_USER_INPUT":
    case "OPERATION_LIMIT_EXCEEDED":
      return 400;
    case "NOT_FOUND":
      return 404;
    case "CONFLICT":
      return 409;
    case "MODEL_UNAVAILABLE":
    case "SERVICE_UNAVAILABLE":
      return 503;
    case "INTERNAL_SERVER_ERROR":
      return 500;
    default: {
      const unreachable: never = code;
      throw new Error(`unmapped error code ${String(unreachable)}`);
    }
  }
}
