import {
  DateScalar,
  buildSchemaFromFile,
  createSubgraphApp,
  redisReadiness,
  type Logger,
  type Redis,
} from "@pokewatch/kit";
import { loadBundledCatalog, type Catalog } from "@pokewatch/market";
import type { PricingContext } from "./context.js";
import { cardResolvers } from "./resolvers/card-resolvers.js";
import { queryResolvers } from "./resolvers/query-resolvers.js";

export const PRICING_SDL = new URL("../schema.graphql", import.meta.url);

export interface CreatePricingAppOptions {
  secret: string;
  logger: Logger;
  /** @default the bundled catalog of recent sets */
  catalog?: Catalog;
  maxBodyBytes?: number;
  /** Shared Redis when REDIS_URL is set; reported by `/ready`. */
  redis?: Redis;
}

export function createPricingApp({
  secret,
  logger,
  catalog = loadBundledCatalog(),
  maxBodyBytes,
  redis,
}: CreatePricingAppOptions) {
  const schema = buildSchemaFromFile<PricingContext>(PRICING_SDL, {
    Date: DateScalar,
    ...queryResolvers,
    ...cardResolvers,
  });
  return createSubgraphApp<PricingContext>({
    name: "pricing",
    schema,
    secret,
    logger,
    ...(maxBodyBytes ? { maxBodyBytes } : {}),
    readiness: redisReadiness(redis),
    buildContext: (base) => ({ ...base, catalog }),
  });
}
