const JOIN_GRAPH = /@join__graph\(\s*name:\s*"keys"\s*,\s*url:\s*"([^"]*)"\s*\)/;

/**
 * Where the keys service's internal routes live: the origin of the `keys` subgraph, from the
 * overrides or else the supergraph's routing URL.
 */
export function keysServiceOrigin(supergraphSdl: string, subgraphUrls: Record<string, string>): string | undefined {
  const url = subgraphUrls.keys ?? JOIN_GRAPH.exec(supergraphSdl)?.[1];
  return url && URL.canParse(url) ? new URL(url).origin : undefined;
}
