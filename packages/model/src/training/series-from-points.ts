import type { PricePoint, PriceSeries } from "@pokewatch/market";

/**
 * Groups points into one series per card, ascending by date with one point per date. Where a card
 * has several points on one date (several sources), the one listed last wins, as a re-import
 * would have it.
 */
export function seriesFromPoints(points: Iterable<PricePoint>): PriceSeries[] {
  const byCard = new Map<string, Map<string, PricePoint>>();
  for (const point of points) {
    let days = byCard.get(point.cardId);
    if (!days) byCard.set(point.cardId, (days = new Map<string, PricePoint>()));
    days.set(point.date, point);
  }
  return [...byCard].map(([cardId, days]) => ({
    cardId,
    points: [...days.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)),
  }));
}
