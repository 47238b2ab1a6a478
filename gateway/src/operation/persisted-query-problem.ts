import { createHash } from "node:crypto";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Why a request's automatic-persisted-query extension cannot be used, as a code and a message. */
export interface RequestProblem {
  code: "BAD_REQUEST" | "PERSISTED_QUERY_NOT_SUPPORTED";
  message: string;
}

/**
 * Checks an automatic-persisted-query extension the way Apollo Server reads it, so that every
 * malformed one is a 400 with a code (Apollo answers several with an uncoded error, which the
 * error masker would turn into INTERNAL_SERVER_ERROR): it must be an object of `version: 1` and a
 * `sha256Hash` of 64 hex digits that, when the query comes along, is the query's. A well-formed
 * hash that is not registered stays Apollo's own PERSISTED_QUERY_NOT_FOUND, which clients answer
 * by sending the query.
 */
export function persistedQueryProblem(persisted: unknown, query: unknown): RequestProblem | undefined {
  if (persisted === undefined || persisted === null) return undefined;
  if (typeof persisted !== "object" || Array.isArray(persisted)) {
    return { code: "BAD_REQUEST", message: "`extensions.persistedQuery` must be an object { version: 1, sha256Hash }" };
  }
  const { version, sha256Hash } = persisted as Record<string, unknown>;
  if (version !== 1) {
    return { code: "PERSISTED_QUERY_NOT_SUPPORTED", message: "Unsupported persisted query version: only 1 is" };
  }
  if (typeof sha256Hash !== "string" || !SHA256_HEX.test(sha256Hash)) {
    return {
      code: "BAD_REQUEST",
      message: "`extensions.persistedQuery.sha256Hash` must be 64 lowercase hexadecimal digits",
    };
  }
  if (typeof query === "string" && createHash("sha256").update(query).digest("hex") !== sha256Hash) {
    return { code: "BAD_REQUEST", message: "provided sha does not match query" };
  }
  return undefined;
}
