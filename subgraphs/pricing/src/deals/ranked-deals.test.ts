import { describe, expect, it } from "vitest";
import type { FairPriceResult } from "../fair-prices/fair-price.js";
import { round } from "../fair-prices/fair-price-loader.js";
import { deviationPct, signalFor, type Signal, type SignalThresholds } from "../fair-prices/signal.js";
import { indexDeals, type DealsRanking, type RankedPrice } from "./ranked-deals.js";

const THRESHOLDS: SignalThresholds = { buyPct: -10, sellPct: 15 };
const SETS = ["sv1", "sv2", "sv3"];
const setOf = (cardId: string) => cardId.split("-")[0];

/** 600 cards in three sets, deviations from −60 % to +80 %, with ties. */
function ranking(): DealsRanking {
  let state = 7;
  const random = () => (state = (state * 48271) % 0x7fffffff) / 0x7fffffff;
  const prices: RankedPrice[] = Array.from({ length: 600 }, (_, i) => {
    const marketPrice = round(0.5 + random() * 300, 2);
    // Every fifth card repeats the ratio of the one before: equal deviations must keep catalog order.
    const ratio = i % 5 === 0 ? 1.25 : 0.55 + random() * 1.3;
    const fairPrice = round(marketPrice * ratio, 4);
    return {
      cardId: `${SETS[i % 3]}-${i}`,
      date: "2025-03-31",
      marketPrice,
      marketPriceDate: "2025-03-31",
      marketPriceSource: "pokemontcg.io",
      fairPrice,
      low: fairPrice * 0.9,
      high: fairPrice * 1.1,
    };
  });
  return { modelVersionId: "mv_test", pricesVersion: "2025-03-31", computedAt: 0, prices };
}

/** `deals` as it was computed on every call before the ranking: the reference. */
function perCallDeals(
  { prices, modelVersionId }: DealsRanking,
  thresholds: SignalThresholds,
  signal: Signal,
  setId: string | null,
  limit: number,
): FairPriceResult[] {
  const order: Record<Signal, (a: FairPriceResult, b: FairPriceResult) => number> = {
    BUY: (a, b) => a.deviationPct - b.deviationPct,
    SELL: (a, b) => b.deviationPct - a.deviationPct,
    HOLD: (a, b) => Math.abs(a.deviationPct) - Math.abs(b.deviationPct),
  };
  return prices
    .filter((price) => setId === null || setOf(price.cardId) === setId)
    .map((price) => {
      const deviation = deviationPct(price.marketPrice, price.fairPrice);
      return {
        ...price,
        deviationPct: round(deviation, 2),
        signal: signalFor(deviation, thresholds),
        cached: true,
        modelVersionId,
      };
    })
    .filter((result) => result.signal === signal)
    .sort(order[signal])
    .slice(0, limit);
}

describe("indexDeals", () => {
  it("answers every signal, set and limit exactly as the per-call computation did", () => {
    const data = ranking();
    const index = indexDeals(data, THRESHOLDS, setOf);
    for (const signal of ["BUY", "SELL", "HOLD"] as const) {
      for (const setId of [null, ...SETS, "unknown", ""]) {
        for (const limit of [1, 7, 20, 100]) {
          expect(index.pick(signal, setId, limit)).toStrictEqual(perCallDeals(data, THRESHOLDS, signal, setId, limit));
        }
      }
    }
    expect(index.pick("BUY", null, 100)).toHaveLength(100);
  });

  it("ranks the same stored prices with each replica's own thresholds", () => {
    const data = ranking();
    const strict: SignalThresholds = { buyPct: -40, sellPct: 60 };
    const loose = indexDeals(data, THRESHOLDS, setOf);
    const tight = indexDeals(data, strict, setOf);
    expect(tight.pick("HOLD", null, 100)).toStrictEqual(perCallDeals(data, strict, "HOLD", null, 100));
    expect(tight.pick("BUY", null, 600).length).toBeLessThan(loose.pick("BUY", null, 600).length);
    expect(tight.pick("BUY", null, 600).every((deal) => deal.deviationPct <= -40)).toBe(true);
  });

  it("keeps the ranking's model, day and time beside its deals, and hands out frozen answers", () => {
    const index = indexDeals(ranking(), THRESHOLDS, setOf);
    expect(index.ranking).toStrictEqual({ modelVersionId: "mv_test", pricesVersion: "2025-03-31", computedAt: 0 });
    const [first] = index.pick("SELL", null, 1);
    expect(first).toMatchObject({ modelVersionId: "mv_test", cached: true, signal: "SELL" });
    expect(Object.isFrozen(first)).toBe(true);
  });

  it("answers nothing from an empty ranking", () => {
    const index = indexDeals({ ...ranking(), prices: [] }, THRESHOLDS, setOf);
    expect(index.pick("BUY", null, 20)).toEqual([]);
  });
});
