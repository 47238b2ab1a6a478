import { pokewatchError } from "@pokewatch/kit";
import type { FastifyReply, FastifyRequest } from "fastify";
import { parse, type DocumentNode } from "graphql";
import {
  checkDocument,
  checkSource,
  limitMessage,
  type LimitViolation,
  type OperationLimits,
} from "../operation/operation-limits.js";
import { persistedQueryProblem } from "../operation/persisted-query-problem.js";

/** What a GraphQL-over-HTTP request asks, wherever it put it (a POST body, or a GET query string). */
function operationRequestOf(request: FastifyRequest): { query: unknown; extensions: unknown } | undefined {
  if (request.method === "POST") {
    const body = request.body;
    // Batches, non-JSON bodies and the like: Apollo Server answers those with its own 400s.
    if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
    const { query, extensions } = body as Record<string, unknown>;
    return { query, extensions };
  }
  const { query, extensions } = (request.query ?? {}) as Record<string, unknown>;
  if (typeof extensions !== "string") return { query, extensions: undefined };
  try {
    return { query, extensions: JSON.parse(extensions) as unknown };
  } catch {
    return { query, extensions: undefined };
  }
}

/**
 * A Fastify preHandler in front of Apollo Server on the GraphQL routes: refuses a malformed
 * persisted-query extension (400 with a code) and an oversized operation — token count and bracket
 * nesting before parsing, then depth, fields, aliases and directives with fragments expanded —
 * with 400 OPERATION_LIMIT_EXCEEDED naming the limit, the value and the maximum. It runs before
 * Apollo parses and validates (an alias flood never reaches validation's field-merging check, the
 * query planner, or the scope and limit walks), and answers itself: Apollo Server turns a throw
 * from its own early hooks into a 500. A query that does not parse is left to Apollo's own
 * GRAPHQL_PARSE_FAILED.
 */
export function operationGuard(limits: OperationLimits) {
  return async function guardOperation(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!hasUsableTarget(request)) {
      const message = "The request needs a Host header and a request target that form a URL";
      await reply.status(400).send({ errors: [{ message, extensions: { code: "BAD_REQUEST" } }] });
      return;
    }
    const asked = operationRequestOf(request);
    if (!asked) return;
    const persisted = (asked.extensions as Record<string, unknown> | null | undefined)?.persistedQuery;
    const problem = persistedQueryProblem(persisted, asked.query);
    if (problem) {
      await reply.status(400).send({ errors: [{ message: problem.message, extensions: { code: problem.code } }] });
      return;
    }
    if (typeof asked.query !== "string") return;
    const violation = checkSource(asked.query, limits) ?? checkParsed(asked.query, limits);
    if (violation) {
      request.log.info({ operationLimit: violation.limit, actual: violation.actual }, "refused an oversized operation");
      const error = pokewatchError("OPERATION_LIMIT_EXCEEDED", limitMessage(violation), {
        extensions: {
          operationLimit: violation.limit,
          max: violation.max,
          actual: Math.min(violation.actual, Number.MAX_SAFE_INTEGER),
          requestId: request.id,
        },
      });
      await reply.status(400).send({ errors: [{ message: error.message, extensions: error.extensions }] });
    }
  };
}

/**
 * Apollo's Fastify integration builds a URL from the Host header and the request target, and an
 * HTTP/1.0 or HTTP/0.9-style request without Host (or with a malformed one) makes that throw: a 500
 * unless refused here.
 */
function hasUsableTarget(request: FastifyRequest): boolean {
  if (!request.headers.host) return false;
  try {
    new URL(request.url, `${request.protocol}://${request.hostname}/`);
    return true;
  } catch {
    return false;
  }
}

function checkParsed(query: string, limits: OperationLimits): LimitViolation | undefined {
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true });
  } catch {
    return undefined;
  }
  return checkDocument(document, limits);
}
