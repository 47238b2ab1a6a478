import { composeServices } from "@apollo/composition";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { createSubgraphApp, listen, type Logger, type SubgraphContext } from "@pokewatch/kit";
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
  const server = await listen(
    await createSubgraphApp({
      name: "probe",
      schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }),
      secret,
      logger,
      buildContext: (base) => base,
    }),
    { host: "127.0.0.1", port: 0 },
  );
  const composed = composeServices([{ name: "probe", url: "http://unused.invalid/graphql", typeDefs }]);
  if (composed.errors) throw composed.errors[0];
  return {
    url: `${server.url}/graphql`,
    supergraphSdl: composed.supergraphSdl,
    calls: () => calls,
    close: () => server.close(),
  };
}
