import type { Logger } from "@pokewatch/kit";
import { CacheTimeoutError, withTimeout } from "../cache/with-timeout.js";
import type { FairPriceResult } from "../fair-prices/fair-price.js";
import type { Signal, SignalThresholds } from "../fair-prices/signal.js";
import type { PricingMetrics } from "../metrics/pricing-metrics.js";
import { dealsRankingUnavailable, modelUnavailable } from "../pricing-errors.js";
import type { ProductionModel } from "../serving/production-model.js";
import type { ServingModel } from "../serving/serving-model.js";
import { dealsRankingKey, type DealsRankingStore } from "./deals-ranking-store.js";
import { indexDeals, type DealsIndex, type DealsRanking, type RankedPrice } from "./ranked-deals.js";

/** `Query.deals` from a ranking computed once per (production model, latest price day). */
export interface DealsRanker {
  /** The first `limit` deals of `signal` (of one set when `setId` is not null). */
  deals(signal: Signal, setId: string | null, limit: number): Promise<FairPriceResult[]>;
  /** Resolves once no computation is running. */
  idle(): Promise<void>;
  /** Stops a running computation between two chunks; later calls answer SERVICE_UNAVAILABLE. */
  close(): Promise<void>;
}

export interface CreateDealsRankerOptions {
  productionModel: Pick<ProductionModel, "acquire" | "currentVersionId">;
  /** The latest day with any price (null: none). */
  readPricesVersion: () => Promise<string | null>;
  /** Every catalog card's latest fair price with `model`, in chunks, checking `stopped` between them. */
  computePrices: (model: ServingModel, stopped: () => boolean) => Promise<RankedPrice[]>;
  store: DealsRankingStore;
  thresholds: SignalThresholds;
  setOf: (cardId: string) => string | undefined;
  logger: Logger;
  metrics: Pick<PricingMetrics, "dealsRankings" | "dealsRankingSeconds">;
  /** A ranking is recomputed once this old, even for the same model and day (CACHE_TTL_SECONDS). */
  maxAgeMs: number;
  /** Longest a call waits when no ranking is ready, before SERVICE_UNAVAILABLE. @default 8000 */
  waitMs?: number;
  /** How long a read of the latest price day is reused. @default 5000 */
  pricesVersionCheckMs?: number;
  /** Epoch milliseconds. @default Date.now */
  now?: () => number;
}

/** Longest the latest-price-day read may take. */
const PRICES_VERSION_TIMEOUT_MS = 2_000;

/**
 * Serves deals from the ranking of the current production model and latest price day. A call
 * finds it ready (no I/O), or starts its computation — one per process and key however many calls
 * ask — and then answers from the previous ranking while there is one (stale while revalidating:
 * each answer names its model), or waits up to `waitMs` for the new one, then SERVICE_UNAVAILABLE
 * while the computation goes on. A ranking found in the store (another replica's) is not computed.
 */
export function createDealsRanker(options: CreateDealsRankerOptions): DealsRanker {
  const { productionModel, readPricesVersion, computePrices, store, thresholds, setOf, logger, metrics } = options;
  const { maxAgeMs, waitMs = 8_000, pricesVersionCheckMs = 5_000, now = Date.now } = options;
  const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
  /** Computations in flight by ranking key; `computed` is false for a ranking read from the store. */
  const builds = new Map<string, Promise<{ index: DealsIndex; computed: boolean }>>();
  let current: { index: DealsIndex; started: number } | null = null;
  let started = 0;
  let closed = false;
  const fresh = (ranking: Omit<DealsRanking, "prices">) => now() - ranking.computedAt < maxAgeMs;

  let day: { value: string | null; readAt: number } | null = null;
  let dayRead: Promise<string | null> | null = null;
  const currentPricesVersion = (): Promise<string | null> => {
    if (day && now() - day.readAt < pricesVersionCheckMs) return Promise.resolve(day.value);
    dayRead ??= withTimeout(readPricesVersion(), PRICES_VERSION_TIMEOUT_MS)
      .then((value) => {
        day = { value, readAt: now() };
        return value;
      })
      .finally(() => (dayRead = null));
    return dayRead;
  };

  const compute = async (pricesVersion: string | null, order: number) => {
    const lease = productionModel.acquire();
    if (!lease) throw modelUnavailable();
    try {
      const modelVersionId = lease.model.version.id;
      let ranking = await store.get(modelVersionId, pricesVersion);
      const shared = ranking !== undefined && fresh(ranking);
      if (!ranking || !shared) {
        const computedAt = now();
        const timer = metrics.dealsRankingSeconds.startTimer();
        const prices = await computePrices(lease.model, () => closed);
        timer();
        ranking = { modelVersionId, pricesVersion, computedAt, prices };
        await store.set(ranking, maxAgeMs);
      }
      const index = indexDeals(ranking, thresholds, setOf);
      if (!current || order > current.started) current = { index, started: order };
      metrics.dealsRankings.inc({ outcome: shared ? "shared" : "computed" });
      logger.info(
        { model: modelVersionId, pricesVersion, cards: ranking.prices.length, shared, ms: now() - ranking.computedAt },
        "deals ranking ready",
      );
      return { index, computed: !shared };
    } finally {
      lease.release();
    }
  };

  const build = (modelVersionId: string, pricesVersion: string | null) => {
    const key = dealsRankingKey(modelVersionId, pricesVersion);
    const running = builds.get(key);
    if (running) return running;
    const promise = compute(pricesVersion, ++started);
    builds.set(key, promise);
    promise
      .catch((error: unknown) => {
        metrics.dealsRankings.inc({ outcome: "failed" });
        if (!closed) logger.error({ err: error, model: modelVersionId, pricesVersion }, "deals ranking failed");
      })
      .finally(() => builds.delete(key));
    return promise;
  };

  return {
    async deals(signal, setId, limit) {
      if (closed) throw dealsRankingUnavailable("is not served while the service stops", retryAfter);
      const modelVersionId = productionModel.currentVersionId;
      if (!modelVersionId) throw modelUnavailable();
      const ready = current?.index;
      let version: string | null;
      try {
        version = await currentPricesVersion();
      } catch (error) {
        logger.warn({ err: error }, "could not read the latest price day; deals answer from the last ranking");
        if (ready) return ready.pick(signal, setId, limit);
        throw dealsRankingUnavailable("cannot be computed: the price store did not answer", retryAfter);
      }
      const serves = (index: DealsIndex) =>
        index.ranking.modelVersionId === modelVersionId &&
        index.ranking.pricesVersion === version &&
        fresh(index.ranking);
      if (ready && serves(ready)) return ready.pick(signal, setId, limit);
      const next = build(modelVersionId, version);
      if (ready) return ready.pick(signal, setId, limit);
      let built: { index: DealsIndex; computed: boolean };
      try {
        built = await withTimeout(next, waitMs);
      } catch (error) {
        if (error instanceof CacheTimeoutError) throw dealsRankingUnavailable("is being computed", retryAfter);
        if ((error as { extensions?: { code?: unknown } }).extensions?.code === "MODEL_UNAVAILABLE") throw error;
        throw dealsRankingUnavailable("could not be computed", retryAfter);
      }
      const deals = built.index.pick(signal, setId, limit);
      // Computed for this call, not read from a cache.
      return built.computed ? deals.map((result) => ({ ...result, cached: false })) : deals;
    },
    async idle() {
      await Promise.allSettled([...builds.values()]);
    },
    async close() {
      closed = true;
      await Promise.allSettled([...builds.values()]);
    },
  };
}
