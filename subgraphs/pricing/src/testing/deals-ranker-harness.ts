import { capturingLogger } from "@pokewatch/kit/testing";
import { createDealsRanker, type CreateDealsRankerOptions } from "../deals/deals-ranker.js";
import { createMemoryDealsRankingStore } from "../deals/deals-ranking-store.js";
import type { RankedPrice } from "../deals/ranked-deals.js";
import { DEFAULT_SIGNAL_THRESHOLDS } from "../fair-prices/signal.js";
import { createPricingMetrics } from "../metrics/pricing-metrics.js";
import type { ServingModel } from "../serving/serving-model.js";

/** mv_1 prices every card 25 % over market (BUY), mv_2 20 % under (SELL). */
const RATIOS: Record<string, number> = { mv_1: 1.25, mv_2: 0.8 };
const CARDS = ["sv1-1", "sv1-2", "sv2-1"];

/** A ranker over a fake production model, price day, clock and catalog pricing, all steerable. */
export function dealsRankerHarness(overrides: Partial<CreateDealsRankerOptions> = {}) {
  const state = {
    model: "mv_1" as string | null,
    day: "2025-03-31" as string | null,
    now: 1_000_000,
    /** Each computation waits for this before answering. */
    gate: Promise.resolve(),
    failNext: false,
    dayFails: false,
    leases: 0,
  };
  const computations: string[] = [];
  const metrics = createPricingMetrics();
  const { logger, lines } = capturingLogger();
  const ranker = createDealsRanker({
    productionModel: {
      get currentVersionId() {
        return state.model;
      },
      acquire() {
        if (!state.model) return null;
        state.leases++;
        let released = false;
        const model = { version: { id: state.model } } as unknown as ServingModel;
        return { model, release: () => void (released || (state.leases--, (released = true))) };
      },
    },
    readPricesVersion: () => (state.dayFails ? Promise.reject(new Error("db down")) : Promise.resolve(state.day)),
    async computePrices(model) {
      const id = model.version.id;
      const day = state.day ?? "none";
      computations.push(`${id}@${day}`);
      await state.gate;
      if (state.failNext) {
        state.failNext = false;
        throw new Error("the store did not answer");
      }
      return CARDS.map((cardId, i): RankedPrice => {
        const marketPrice = 10 + i;
        const fairPrice = marketPrice * RATIOS[id]!;
        const observed = { marketPriceDate: day, marketPriceSource: "simulator" };
        return { cardId, date: day, marketPrice, ...observed, fairPrice, low: fairPrice * 0.9, high: fairPrice * 1.1 };
      });
    },
    store: createMemoryDealsRankingStore({ now: () => state.now }),
    thresholds: DEFAULT_SIGNAL_THRESHOLDS,
    setOf: (cardId) => cardId.split("-")[0],
    logger,
    metrics,
    maxAgeMs: 60_000,
    waitMs: 200,
    pricesVersionCheckMs: 0,
    now: () => state.now,
    ...overrides,
  });
  return { ranker, state, computations, metrics, lines };
}
