import type { PricePoint, PriceSeries } from "@pokewatch/market";
import { fromEpochDay, toEpochDay } from "../features/epoch-day.js";

/**
 * Small, seeded price histories for tests: sticky prices that sometimes jump and partly revert,
 * with a few missing days. Tests only; the market simulator is the real generator.
 */
export function syntheticSeries(cards: number, days: number, seed = 1, start = "2025-01-01"): PriceSeries[] {
  let state = seed >>> 0 || 1;
  const random = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 0x1_0000_0000;
  const first = toEpochDay(start);
  return Array.from({ length: cards }, (_, card) => {
    const points: PricePoint[] = [];
    let value = 1 + random() * 50;
    let price = value;
    for (let day = 0; day < days; day++) {
      value *= Math.exp((random() - 0.5) * 0.06);
      if (random() < 0.3) price = Math.max(0.05, Math.round((price + 0.5 * (value - price)) * 100) / 100);
      if (day > 0 && random() < 0.05) continue;
      const date = fromEpochDay(first + day);
      points.push({ cardId: `test-${card}`, date, market: price, low: null, high: null, volume: null, source: "test" });
    }
    return { cardId: `test-${card}`, points };
  });
}
