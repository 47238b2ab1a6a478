import type { PriceSeries } from "@pokewatch/market";
import { createMarketSimulator, loadBundledCatalog } from "@pokewatch/market";
import { catalogAttributes, type CardAttributeLookup } from "@pokewatch/model";

/** `cards` × `days` of simulated prices, with the attributes of each (cloned) card. */
export function simulatedPrices(
  cards: number,
  days: number,
  seed = 1,
): { series: PriceSeries[]; attributes: CardAttributeLookup } {
  const simulator = createMarketSimulator({ cards, days, seed });
  const series = simulator.cards.map((card, i) => ({ cardId: card.id, points: simulator.simulateCardSeries(i) }));
  const byId = new Map(
    simulator.cards.map((card) => [card.id, { rarity: card.rarity, setReleaseDate: card.setReleaseDate }]),
  );
  const fromCatalog = catalogAttributes(loadBundledCatalog());
  return { series, attributes: (id) => fromCatalog(id) ?? byId.get(id) };
}
