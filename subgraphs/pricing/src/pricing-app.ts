import {
  DateScalar,
  buildSchemaFromFile,
  createSubgraphApp,
  redisReadiness,
  type ServiceAppOptions,
} from "@pokewatch/kit";
import { loadBundledCatalog, type Catalog } from "@pokewatch/market";
import type { PricingContext } from "./context.js";
import { cardResolvers } from "./resolvers/card-resolvers.js";
import { queryResolvers } from "./resolvers/query-resolvers.js";

export const PRICING_SDL = new URL("../schema.graphql", import.meta.url);

export interface CreatePricingAppOptions extends ServiceAppOptions {
  /** @default the bundled catalog of recent sets */
  catalog?: Catalog;
}

export function createPricingApp({ catalog = loadBundledCatalog(), redis, ...service }: CreatePricingAppOptions) {
  const schema = buildSchemaFromFile<PricingContext>(PRICING_SDL, {
    Date: DateScalar,
    ...queryResolvers,
    ...cardResolvers,
  });
  return createSubgraphApp<PricingContext>({
    ...service,
    name: "pricing",
    schema,
    readiness: redisReadiness(redis),
    buildContext: (base) => ({ ...base, catalog }),
  });
}
