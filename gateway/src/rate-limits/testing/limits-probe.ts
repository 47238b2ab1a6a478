import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import type { Logger, SubgraphContext } from "@pokewatch/kit";
import { startProbeSubgraph } from "../../auth/testing/probe-subgraph.js";
import { parse } from "graphql";

/**
 * A subgraph (`probe`) declaring limits as the real ones do: `limited` allows 2 calls a minute,
 * `roomy` a million, `items(ids)` costs one point per id, `pages(first)` one per page (and its
 * pages' `items` one per id per page), `whoami` answers the signed identity.
 */
const typeDefs = parse(`
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@composeDirective"])
    @link(url: "https://github.com/ravangen/graphql-rate-limit/v1.0", import: ["@rateLimit"])
    @composeDirective(name: "@rateLimit")
    @link(url: "https://pokewatch.dev/cost/v1.0", import: ["@listCost"])
    @composeDirective(name: "@listCost")
  directive @rateLimit(limit: Int! = 60, duration: Int! = 60) on OBJECT | FIELD_DEFINITION
  directive @listCost(argument: String!) on FIELD_DEFINITION
  type Query {
    whoami: Who!
    limited: Int! @rateLimit(limit: 2, duration: 60)
    roomy: Int! @rateLimit(limit: 1000000, duration: 60)
    items(ids: [Int!]!): [Int!]! @listCost(argument: "ids")
    pages(first: Int = 10): [Page!]! @listCost(argument: "first")
  }
  type Page {
    number: Int!
    items(ids: [Int!]!): [Int!]! @listCost(argument: "ids")
  }
  type Who { keyId: String, fieldLimitsCounted: Boolean!, quotaRemaining: Int }
`);

export interface LimitsProbe {
  /** The probe's /graphql URL, for `subgraphUrls.probe`. */
  url: string;
  supergraphSdl: string;
  /** Operations the probe has executed. */
  calls: () => number;
  close(): Promise<void>;
}

export async function startLimitsProbe(secret: string, logger: Logger): Promise<LimitsProbe> {
  let calls = 0;
  const counted =
    <T>(answer: (ctx: SubgraphContext, args: Record<string, unknown>) => T) =>
    (_: unknown, args: Record<string, unknown>, ctx: SubgraphContext) => {
      calls += 1;
      return answer(ctx, args);
    };
  const resolvers: GraphQLResolverMap<SubgraphContext> = {
    Query: {
      whoami: counted(({ identity }) => ({
        keyId: identity.keyId,
        fieldLimitsCounted: identity.fieldLimitsCounted,
        quotaRemaining: identity.quota?.remaining ?? null,
      })),
      limited: counted(() => 1),
      roomy: counted(() => 1),
      items: counted((_ctx, args) => args.ids as number[]),
      pages: counted((_ctx, args) => Array.from({ length: args.first as number }, (_, i) => ({ number: i }))),
    },
    Page: {
      items: (_page: unknown, args: Record<string, unknown>) => args.ids,
    },
  };
  const probe = await startProbeSubgraph(typeDefs, resolvers, secret, logger);
  return { ...probe, calls: () => calls };
}
