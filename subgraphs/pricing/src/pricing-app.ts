import type { ApolloServerPlugin } from "@apollo/server";
import {
  DateScalar,
  addMetricsRegistry,
  buildSchemaFromFile,
  createSubgraphApp,
  redisReadiness,
  type Database,
  type ServiceAppOptions,
} from "@pokewatch/kit";
import { createPriceStore, loadBundledCatalog, type Catalog, type PriceStore } from "@pokewatch/market";
import { catalogAttributes, createModelRegistry } from "@pokewatch/model";
import { createFairPriceCache, type FairPriceCache } from "./cache/fair-price-cache.js";
import type { PricingContext } from "./context.js";
import { computeRankedPrices } from "./deals/compute-ranked-prices.js";
import { createDealsRanker, type CreateDealsRankerOptions } from "./deals/deals-ranker.js";
import { createMemoryDealsRankingStore } from "./deals/deals-ranking-store.js";
import { createPricedCardIds } from "./deals/priced-card-ids.js";
import { createPricesVersionReader } from "./deals/prices-version.js";
import { createRedisDealsRankingStore } from "./deals/redis-deals-ranking-store.js";
import { createFairPriceLoader } from "./fair-prices/fair-price-loader.js";
import { createPriceHistoryLoader } from "./fair-prices/price-history-loader.js";
import { createPricingMetrics, type PricingMetrics } from "./metrics/pricing-metrics.js";
import { DEFAULT_PRICING_SETTINGS, type PricingSettings } from "./pricing-settings.js";
import { cardResolvers } from "./resolvers/card-resolvers.js";
import { fairPriceResolvers } from "./resolvers/fair-price-resolvers.js";
import { queryResolvers } from "./resolvers/query-resolvers.js";
import { createProductionModel, type ModelLease, type ProductionModel } from "./serving/production-model.js";

export const PRICING_SDL = new URL("../schema.graphql", import.meta.url);

export interface CreatePricingAppOptions extends ServiceAppOptions {
  /** Holds the price store and the model registry (migrated: market, model). */
  db: Database;
  /** REDIS_URL for the fair-price cache (keyv); without it, an in-process LRU. */
  redisUrl?: string | undefined;
  /** @default the bundled catalog (every English set) */
  catalog?: Catalog;
  settings?: Partial<PricingSettings>;
  /** Stand-ins for tests and benchmarks; the app closes only what it opened itself. */
  prices?: PriceStore;
  cache?: FairPriceCache;
  productionModel?: ProductionModel;
  metrics?: PricingMetrics;
  /** Today, `YYYY-MM-DD` UTC. */
  today?: () => string;
  /** How `deals` waits for its ranking and how often it reads the latest price day (tests). */
  deals?: Partial<Pick<CreateDealsRankerOptions, "waitMs" | "pricesVersionCheckMs" | "readPricesVersion">> & {
    /** Redis key namespace of the shared rankings. @default "pokewatch:deals" */
    namespace?: string;
  };
}

const utcToday = () => new Date().toISOString().slice(0, 10);

/** Releases the model a request pinned once its response is on its way. */
const releaseModelPlugin: ApolloServerPlugin<PricingContext> = {
  requestDidStart: () =>
    Promise.resolve({
      willSendResponse: ({ contextValue }) => {
        contextValue.releaseModel();
        return Promise.resolve();
      },
    }),
};

export async function createPricingApp(options: CreatePricingAppOptions) {
  const { db, redis, catalog = loadBundledCatalog(), today = utcToday, ...service } = options;
  const settings = { ...DEFAULT_PRICING_SETTINGS, ...options.settings };
  const metrics = options.metrics ?? createPricingMetrics();
  const prices = options.prices ?? createPriceStore(db);
  const attributes = catalogAttributes(catalog);
  const owned: Array<() => Promise<void>> = [];
  const cache =
    options.cache ??
    (await createFairPriceCache({
      redisUrl: options.redisUrl,
      ttlSeconds: settings.cacheTtlSeconds,
      maxEntries: settings.cacheEntries,
      metrics,
      logger: service.logger,
    }));
  if (!options.cache) owned.push(() => cache.close());
  const productionModel =
    options.productionModel ??
    (await createProductionModel({
      registry: createModelRegistry({ db }),
      metrics,
      logger: service.logger,
      batcher: { maxWaitMs: settings.onnxMaxWaitMs, maxBatchRows: settings.onnxMaxBatchRows },
      redis,
      pollMs: settings.modelPollSeconds * 1000,
    }));
  if (!options.productionModel) owned.push(() => productionModel.close());
  const pricedCardIds = createPricedCardIds(db);
  const deals = createDealsRanker({
    productionModel,
    readPricesVersion: options.deals?.readPricesVersion ?? createPricesVersionReader(db),
    computePrices: async (model, stopped) => {
      const priced = await pricedCardIds();
      return computeRankedPrices({
        cardIds: catalog
          .cards()
          .filter((card) => priced.has(card.id))
          .map((card) => card.id),
        loaderFor: () =>
          createFairPriceLoader({
            catalog,
            attributes,
            history: createPriceHistoryLoader(prices),
            cache,
            model: () => model,
            thresholds: settings.thresholds,
            today,
          }),
        stopped,
      });
    },
    store: redis
      ? createRedisDealsRankingStore({ redis, logger: service.logger, namespace: options.deals?.namespace })
      : createMemoryDealsRankingStore(),
    thresholds: settings.thresholds,
    setOf: (cardId) => catalog.card(cardId)?.setId,
    logger: service.logger,
    metrics,
    maxAgeMs: settings.cacheTtlSeconds * 1000,
    waitMs: options.deals?.waitMs,
    pricesVersionCheckMs: options.deals?.pricesVersionCheckMs,
  });
  // Closed first (owned closes in reverse), so a computation stops before the model it leases.
  owned.push(() => deals.close());

  const schema = buildSchemaFromFile<PricingContext>(PRICING_SDL, {
    Date: DateScalar,
    ...queryResolvers,
    ...cardResolvers,
    ...fairPriceResolvers,
    Query: { ...queryResolvers.Query, ...fairPriceResolvers.Query },
  });
  const app = await createSubgraphApp<PricingContext>({
    ...service,
    name: "pricing",
    schema,
    readiness: redisReadiness(redis),
    plugins: [releaseModelPlugin],
    buildContext: (base) => {
      // The model is pinned on first use and kept for the whole request, so a swap never mixes versions.
      let lease: ModelLease | null | undefined;
      const model = () => {
        if (lease === undefined) lease = productionModel.acquire();
        return lease?.model ?? null;
      };
      const history = createPriceHistoryLoader(prices);
      return {
        ...base,
        catalog,
        history,
        thresholds: settings.thresholds,
        deals,
        fairPrices: createFairPriceLoader({
          catalog,
          attributes,
          history,
          cache,
          model,
          thresholds: settings.thresholds,
          today,
        }),
        releaseModel: () => lease?.release(),
      };
    },
  });
  // Served by the metrics listener on METRICS_PORT, never on this public port.
  addMetricsRegistry(app, metrics.registry);
  app.addHook("onClose", async () => {
    for (const close of owned.reverse()) await close();
  });
  return app;
}
