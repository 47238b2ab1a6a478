import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { GRAPHQL_REQUEST_CODES, httpStatusFor, isErrorCode, type ErrorCode } from "./error-codes.js";

/** Extension keys that may leave a service; everything else (stack traces, URLs, bodies) is dropped. */
const PUBLIC_EXTENSION_KEYS = [
  "code",
  "serviceName",
  "requestId",
  "retryAfter",
  "activeRunId",
  "scope",
  "requiredScopes",
  "field",
  "argument",
  "operationLimit",
  "max",
  "actual",
];

export interface PokewatchErrorOptions {
  /** Extra public extensions, e.g. `{ retryAfter: 12 }` or `{ argument: "ids" }`. */
  extensions?: Record<string, unknown>;
  /** Set when the error ends the whole HTTP request (context functions and plugins). */
  endsRequest?: boolean;
  /** Extra HTTP headers to send when the error ends the request. */
  headers?: Record<string, string>;
}

/** A client-facing GraphQL error with a registered code. */
export function pokewatchError(code: ErrorCode, message: string, options: PokewatchErrorOptions = {}): GraphQLError {
  const extensions: Record<string, unknown> = { ...options.extensions, code };
  if (options.endsRequest) {
    extensions.http = {
      status: httpStatusFor(code),
      headers: new Map(Object.entries(options.headers ?? {})),
    };
  }
  return new GraphQLError(message, { extensions });
}

const PASSING_CODES = new Set<string>(GRAPHQL_REQUEST_CODES);
const MASKED_MESSAGE = "Internal server error";

export interface MaskedErrorLog {
  error(obj: Record<string, unknown>, msg: string): void;
}

/**
 * Apollo `formatError`: errors with a known code pass with only their public extensions; anything
 * else is logged in full and answered as INTERNAL_SERVER_ERROR with no internals.
 */
export function createErrorMasker(logger: MaskedErrorLog, service: string) {
  return function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const code = publicCodeOf(formatted, error);
    // Apollo Server labels any uncoded throw INTERNAL_SERVER_ERROR before this runs, so that code never passes as is.
    const known =
      code !== "INTERNAL_SERVER_ERROR" && (isErrorCode(code) || (typeof code === "string" && PASSING_CODES.has(code)));
    if (known) return { ...formatted, extensions: pickPublicExtensions({ ...formatted.extensions, code }) };
    if (formatted.message !== MASKED_MESSAGE) {
      logger.error({ err: error, service, path: formatted.path, code }, "masked an unexpected error");
    }
    const masked: GraphQLFormattedError = {
      message: MASKED_MESSAGE,
      extensions: pickPublicExtensions({ ...formatted.extensions, code: "INTERNAL_SERVER_ERROR" }),
    };
    return formatted.path ? { ...masked, path: formatted.path } : masked;
  };
}

/**
 * A bad literal for a custom scalar (`Date`) surfaces as a validation failure wrapping the
 * scalar's own BAD_USER_INPUT; clients get that code, as they do for the same bad value in a variable.
 */
function publicCodeOf(formatted: GraphQLFormattedError, error: unknown): unknown {
  const code = formatted.extensions?.code;
  const cause = (error as { originalError?: { extensions?: Record<string, unknown> } } | null)?.originalError;
  return code === "GRAPHQL_VALIDATION_FAILED" && cause?.extensions?.code === "BAD_USER_INPUT" ? "BAD_USER_INPUT" : code;
}

function pickPublicExtensions(extensions: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of PUBLIC_EXTENSION_KEYS) {
    if (extensions?.[key] !== undefined) out[key] = extensions[key];
  }
  return out;
}
