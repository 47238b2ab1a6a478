import { composeServices } from "@apollo/composition";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { createSubgraphApp, listen, type Logger, type SubgraphContext } from "@pokewatch/kit";
import type { DocumentNode } from "graphql";

/** A one-subgraph (`probe`) system for gateway tests: the running subgraph and its supergraph. */
export interface ProbeSubgraph {
  /** The probe's /graphql URL, for `subgraphUrls.probe`. */
  url: string;
  supergraphSdl: string;
  close(): Promise<void>;
}

/** Serves `typeDefs` with `resolvers` as the signed subgraph `probe`, on a free loopback port. */
export async function startProbeSubgraph(
  typeDefs: DocumentNode,
  resolvers: GraphQLResolverMap<SubgraphContext>,
  secret: string,
  logger: Logger,
): Promise<ProbeSubgraph> {
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
  return { url: `${server.url}/graphql`, supergraphSdl: composed.supergraphSdl, close: () => server.close() };
}
