import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import type { Logger, SubgraphContext } from "@pokewatch/kit";
import { startProbeSubgraph } from "./probe-subgraph.js";
import { parse } from "graphql";

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query { whoami: Who! }
  type Who { keyId: String, scopes: [String!]!, rateLimitPerMinute: Int, plan: String }
`);

export const WHOAMI_QUERY = "{ whoami { keyId scopes rateLimitPerMinute plan } }";

/** A one-field subgraph (`probe`) answering the identity the gateway signed, and its supergraph. */
export interface IdentityProbe {
  /** The probe's /graphql URL, for `subgraphUrls.probe`. */
  url: string;
  supergraphSdl: string;
  calls: () => number;
  close(): Promise<void>;
}

export async function startIdentityProbe(secret: string, logger: Logger): Promise<IdentityProbe> {
  let calls = 0;
  const resolvers: GraphQLResolverMap<SubgraphContext> = {
    Query: {
      whoami: (_: unknown, __: unknown, ctx: SubgraphContext) => {
        calls += 1;
        return ctx.identity;
      },
    },
  };
  const probe = await startProbeSubgraph(typeDefs, resolvers, secret, logger);
  return { ...probe, calls: () => calls };
}
