import { composeServices } from "@apollo/composition";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { createSubgraphApp, listen, type Logger, type RunningServer } from "@pokewatch/kit";
import { parse } from "graphql";

/** A real subgraph server on a free port that counts the `/health` probes it answers. */
export interface CountedSubgraph {
  name: string;
  server: RunningServer;
  healthProbes(): number;
}

export interface CountedSystem {
  subgraphs: Record<string, CountedSubgraph>;
  /** Routing URLs for `createGatewayApp({ subgraphUrls })`. */
  subgraphUrls: Record<string, string>;
  supergraphSdl: string;
  close(): Promise<void>;
}

/** Signed subgraphs named `names`, each serving one field of its own, and their supergraph. */
export async function startCountedSubgraphs(names: string[], secret: string, logger: Logger): Promise<CountedSystem> {
  const subgraphs: Record<string, CountedSubgraph> = {};
  const typeDefsOf = (name: string) => parse(`type Query { ${name}: String }`);
  for (const name of names) {
    const typeDefs = typeDefsOf(name);
    const app = await createSubgraphApp({
      name,
      schema: buildSubgraphSchema({ typeDefs, resolvers: { Query: { [name]: () => name } } }),
      secret,
      logger,
      buildContext: (base) => base,
    });
    let probes = 0;
    app.addHook("onRequest", (request, _reply, done) => {
      if (request.url === "/health") probes += 1;
      done();
    });
    subgraphs[name] = { name, server: await listen(app, { host: "127.0.0.1", port: 0 }), healthProbes: () => probes };
  }
  const composed = composeServices(
    names.map((name) => ({ name, url: "http://unused.invalid/graphql", typeDefs: typeDefsOf(name) })),
  );
  if (composed.errors) throw composed.errors[0];
  return {
    subgraphs,
    subgraphUrls: Object.fromEntries(names.map((name) => [name, `${subgraphs[name]!.server.url}/graphql`])),
    supergraphSdl: composed.supergraphSdl,
    close: async () => {
      for (const { server } of Object.values(subgraphs)) await server.close().catch(() => undefined);
    },
  };
}
