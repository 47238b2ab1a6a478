import { API_KEY_SCOPES, createPgliteDatabase, runMigrations, type FastifyInstance, type Redis } from "@pokewatch/kit";
import {
  TEST_SECRET,
  signedQuery as signedQueryAs,
  silentLogger,
  testIdentity,
  uniqueName,
} from "@pokewatch/kit/testing";
import { createPriceStore, marketMigrations, type PricePoint, type PriceStore } from "@pokewatch/market";
import { createModelRegistry, modelMigrations, type ModelRegistry, type NewModelVersion } from "@pokewatch/model";
import { syntheticSeries } from "@pokewatch/model/testing";
import { createFairPriceCache, type FairPriceCache } from "../cache/fair-price-cache.js";
import { createPricingMetrics, type PricingMetrics } from "../metrics/pricing-metrics.js";
import { createPricingApp, type CreatePricingAppOptions } from "../pricing-app.js";
import type { PricingSettings } from "../pricing-settings.js";

/** Cards of the bundled catalog the test app has prices for: 90 days from 2025-01-01. */
export const PRICED_CARDS = [
  "sv3pt5-6",
  "sv3pt5-1",
  "sv3pt5-2",
  "sv3pt5-3",
  "sv3pt5-4",
  "sv4pt5-1",
  "sv4pt5-2",
  "sv4pt5-3",
];
export const FIRST_PRICE_DAY = "2025-01-01";
/** The test app's "today". */
export const TEST_TODAY = "2025-04-15";

export interface PricingTestApp {
  app: FastifyInstance;
  registry: ModelRegistry;
  metrics: PricingMetrics;
  /** Every price-store history read: the card ids it asked for. */
  historyReads: string[][];
  /** Every cache multi-get: how many keys it asked for. */
  cacheGets: number[];
  /** The prices stored for `cardId`, ascending (as seeded; `addPrices` does not change it). */
  pricesOf(cardId: string): PricePoint[];
  /** Stores more prices (a new day, a correction). */
  addPrices(points: readonly PricePoint[]): Promise<void>;
  /** ONNX runs so far: how many, and how many rows in all. */
  onnxRuns(): Promise<{ runs: number; rows: number }>;
  close(): Promise<void>;
}

export interface PricingTestAppOptions {
  /** Registered as PRODUCTION before the app starts; null = an empty registry. */
  model: NewModelVersion | null;
  settings?: Partial<PricingSettings>;
  /** @default 0: no polling, the tests refresh by hand */
  pollSeconds?: number;
  /** Cache in this Redis (under a namespace of its own) instead of the in-process LRU. */
  redisUrl?: string;
  /** The service's Redis client (model announcements, shared deals rankings). */
  redis?: Redis;
  deals?: CreatePricingAppOptions["deals"];
}

/**
 * `signedQuery` from a key holding every scope, so tests of what pricing answers need not repeat
 * the scope (`@scopes` checks have tests of their own). Pass `identity` to call as someone else.
 */
export function signedQuery<TData = Record<string, unknown>>(
  app: FastifyInstance,
  query: string,
  options: Parameters<typeof signedQueryAs>[2] = {},
) {
  return signedQueryAs<TData>(app, query, { identity: testIdentity({ scopes: [...API_KEY_SCOPES] }), ...options });
}

/** The pricing app on PGlite with real prices, a real registry and a real ONNX model, its reads recorded. */
export async function startPricingTestApp(options: PricingTestAppOptions): Promise<PricingTestApp> {
  const db = await createPgliteDatabase();
  await runMigrations(db, "market", marketMigrations());
  await runMigrations(db, "model", modelMigrations());
  const registry = createModelRegistry({ db });
  if (options.model) await registry.register(options.model, { stage: "PRODUCTION" });

  const series = syntheticSeries(PRICED_CARDS.length, 90, 7, FIRST_PRICE_DAY).map((s, i) =>
    s.points.map((p) => ({ ...p, cardId: PRICED_CARDS[i]! })),
  );
  const store = createPriceStore(db);
  await store.upsert(series.flat());

  const historyReads: string[][] = [];
  const cacheGets: number[] = [];
  const prices: PriceStore = {
    ...store,
    history(cardIds, range) {
      historyReads.push([...cardIds]);
      return store.history(cardIds, range);
    },
  };
  const metrics = createPricingMetrics();
  const realCache = await createFairPriceCache({
    ttlSeconds: 3600,
    maxEntries: 10_000,
    metrics,
    logger: silentLogger(),
    redisUrl: options.redisUrl,
    namespace: uniqueName("pokewatch_test_fair_price"),
  });
  const cache: FairPriceCache = {
    ...realCache,
    kind: realCache.kind,
    getMany(keys) {
      cacheGets.push(keys.length);
      return realCache.getMany(keys);
    },
  };
  const app = await createPricingApp({
    secret: TEST_SECRET,
    logger: silentLogger(),
    db,
    prices,
    cache,
    metrics,
    today: () => TEST_TODAY,
    ...(options.redis && { redis: options.redis }),
    ...(options.deals && { deals: options.deals }),
    settings: { modelPollSeconds: options.pollSeconds ?? 0, ...options.settings },
  });
  return {
    app,
    registry,
    metrics,
    historyReads,
    cacheGets,
    pricesOf: (cardId) => series[PRICED_CARDS.indexOf(cardId)] ?? [],
    async addPrices(points) {
      await store.upsert(points);
    },
    async onnxRuns() {
      const { values } = await metrics.onnxBatchRows.get();
      const sum = values.find((v) => v.metricName?.endsWith("_sum"))?.value ?? 0;
      const count = values.find((v) => v.metricName?.endsWith("_count"))?.value ?? 0;
      return { runs: count, rows: sum };
    },
    async close() {
      await app.close();
      await realCache.close();
      await db.close();
    },
  };
}
