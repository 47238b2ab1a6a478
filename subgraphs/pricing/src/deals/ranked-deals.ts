import type { CachedFairPrice } from "../cache/fair-price-cache.js";
import type { FairPriceResult } from "../fair-prices/fair-price.js";
import { round } from "../fair-prices/fair-price-loader.js";
import { deviationPct, signalFor, type Signal, type SignalThresholds } from "../fair-prices/signal.js";

/** One card's fair price on its latest day with data, as a ranking stores it. */
export interface RankedPrice extends CachedFairPrice {
  cardId: string;
}

/**
 * Every priced card of the catalog for one (production model, latest price day), in catalog order.
 * It holds no signal: each replica ranks it with its own thresholds, so changing them never waits
 * for a recomputation.
 */
export interface DealsRanking {
  modelVersionId: string;
  /** The latest day with data in the price store when it was computed; null when there was none. */
  pricesVersion: string | null;
  /** Epoch milliseconds. */
  computedAt: number;
  prices: RankedPrice[];
}

/** A ranking ordered for answering: each signal's cards, most telling first. */
export interface DealsIndex {
  readonly ranking: Omit<DealsRanking, "prices">;
  /** The first `limit` deals of `signal`, of one set when `setId` is not null. */
  pick(signal: Signal, setId: string | null, limit: number): FairPriceResult[];
}

/** Most telling first: BUY the most underpriced, SELL the most overpriced, HOLD the closest to fair. */
const dealOrder: Record<Signal, (a: FairPriceResult, b: FairPriceResult) => number> = {
  BUY: (a, b) => a.deviationPct - b.deviationPct,
  SELL: (a, b) => b.deviationPct - a.deviationPct,
  HOLD: (a, b) => Math.abs(a.deviationPct) - Math.abs(b.deviationPct),
};

/**
 * Signals and orders a ranking exactly as a per-call `deals` did: the deviation and signal of each
 * price as the fair-price loader computes them, then a stable sort of the catalog order, so cards
 * that tie keep their catalog order and a set's cards keep the order they have in the whole list.
 */
export function indexDeals(
  { prices, ...ranking }: DealsRanking,
  thresholds: SignalThresholds,
  setOf: (cardId: string) => string | undefined,
): DealsIndex {
  const results: FairPriceResult[] = prices.map((price) => {
    const deviation = deviationPct(price.marketPrice, price.fairPrice);
    return Object.freeze({
      ...price,
      deviationPct: round(deviation, 2),
      signal: signalFor(deviation, thresholds),
      cached: true,
      modelVersionId: ranking.modelVersionId,
    });
  });
  const bySignal = Object.fromEntries(
    (["BUY", "SELL", "HOLD"] as const).map((signal) => {
      const ordered = results.filter((result) => result.signal === signal).sort(dealOrder[signal]);
      return [signal, ordered.map((result) => ({ result, setId: setOf(result.cardId) }))];
    }),
  ) as Record<Signal, Array<{ result: FairPriceResult; setId: string | undefined }>>;

  return {
    ranking,
    pick(signal, setId, limit) {
      const picked: FairPriceResult[] = [];
      for (const entry of bySignal[signal]) {
        if (picked.length >= limit) break;
        if (setId === null || entry.setId === setId) picked.push(entry.result);
      }
      return picked;
    },
  };
}
