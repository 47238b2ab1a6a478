import { readFileSync } from "node:fs";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { parse, type GraphQLSchema } from "graphql";
import { applyFieldLimits } from "./rate-limits/subgraph-field-limits.js";
import type { Redis } from "./redis.js";
import { applyScopeChecks } from "./scopes/scope-checks.js";

/** Reads a subgraph's `schema.graphql`. */
export function readSdl(file: URL): string {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a subgraph's own schema.graphql, named in its code
  return readFileSync(file, "utf8");
}

export interface BuildSchemaOptions {
  /**
   * A subgraph that must protect itself also enforces its `@rateLimit` fields (the library's
   * transformer, the gateway's counters: a call the gateway counted is not counted again).
   */
  fieldLimits?: { redis?: Redis | undefined };
}

/**
 * `buildSubgraphSchema` over the SDL file that sits beside a service's `src/`, with every `@scopes`
 * field checked against the signed identity (`applyScopeChecks`), and, when asked, its
 * `@rateLimit` fields limited (`applyFieldLimits`).
 */
export function buildSchemaFromFile<TContext>(
  file: URL,
  resolvers: GraphQLResolverMap<TContext>,
  options: BuildSchemaOptions = {},
): GraphQLSchema {
  const schema = buildSubgraphSchema({
    typeDefs: parse(readSdl(file)),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
  // Scopes wrap outermost: a caller without the scope is refused before it uses up a limit.
  return applyScopeChecks(options.fieldLimits ? applyFieldLimits(schema, options.fieldLimits) : schema);
}
