import type { PricePoint, PriceStore } from "@pokewatch/market";
import DataLoader from "dataloader";

export type PriceHistoryLoader = DataLoader<string, readonly PricePoint[]>;

/**
 * Each card's whole price history, ascending by date: one store read for every card asked about in
 * the same tick of one request (market prices, histories and fair prices all share it). The
 * whole history, not a window, because the model's features count days since the first price.
 */
export function createPriceHistoryLoader(prices: PriceStore): PriceHistoryLoader {
  return new DataLoader(
    async (cardIds) => {
      const history = await prices.history(cardIds);
      return cardIds.map((id) => history.get(id)?.points ?? []);
    },
    { maxBatchSize: 5000 },
  );
}

/** The last point on or before `date` (binary search; `points` ascend by date). */
export function pointOnOrBefore(points: readonly PricePoint[], date: string): PricePoint | undefined {
  let [low, high] = [0, points.length - 1];
  let found: PricePoint | undefined;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (points[middle]!.date <= date) {
      found = points[middle];
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}
