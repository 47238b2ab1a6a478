import { readFileSync } from "node:fs";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { parse, type GraphQLSchema } from "graphql";
import { applyScopeChecks } from "./scopes/scope-checks.js";

/** Reads a subgraph's `schema.graphql`. */
export function readSdl(file: URL): string {
  return readFileSync(file, "utf8");
}

/**
 * `buildSubgraphSchema` over the SDL file that sits beside a service's `src/`, with every `@scopes`
 * field checked against the signed identity (`applyScopeChecks`).
 */
export function buildSchemaFromFile<TContext>(file: URL, resolvers: GraphQLResolverMap<TContext>): GraphQLSchema {
  const schema = buildSubgraphSchema({
    typeDefs: parse(readSdl(file)),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
  return applyScopeChecks(schema);
}
