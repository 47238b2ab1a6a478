import type { Catalog } from "../catalog/catalog.js";
import type { CatalogCard, CatalogData, CatalogSet } from "../catalog/catalog-types.js";

/** A catalog card, or a clone of one, with what the simulator needs to price it. */
export interface SimulatedCard extends CatalogCard {
  /** The real catalog card this one copies (its own id for the first pass through the catalog). */
  templateId: string;
  /** `YYYY-MM-DD` release date of the card's set: the simulator prices by set age. */
  setReleaseDate: string;
}

/** Every card of the catalog in its fixed order (newest set first, then by number). */
export function catalogCardsInOrder(catalog: Catalog): CatalogCard[] {
  return [...catalog.cards()];
}

/**
 * `count` cards: the real catalog first, in catalog order, then clones cycling through it as
 * `${templateId}-s${k}` (k = 1, 2, …) with the same set and rarity. Card i is the same whatever
 * `count` is, so a smaller run is a prefix of a larger one and load tests of 20,000 cards can still
 * resolve every id.
 */
export function simulatedCards(count: number, catalog: Catalog): SimulatedCard[] {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`count must be a whole number ≥ 0; got ${count}`);
  }
  const templates = catalogCardsInOrder(catalog);
  if (templates.length === 0 && count > 0) throw new RangeError("the catalog has no cards to simulate");
  const cards: SimulatedCard[] = [];
  for (let i = 0; i < count; i++) {
    const template = templates[i % templates.length]!;
    const set = catalog.set(template.setId);
    if (!set) throw new Error(`catalog card ${template.id} names unknown set ${template.setId}`);
    const pass = Math.floor(i / templates.length);
    cards.push({
      ...template,
      id: pass === 0 ? template.id : `${template.id}-s${pass}`,
      templateId: template.id,
      setReleaseDate: set.releaseDate,
    });
  }
  return cards;
}

/** The sets `cards` belong to, in the catalog's order. */
export function simulatedSets(cards: readonly SimulatedCard[], catalog: Catalog): CatalogSet[] {
  const wanted = new Set(cards.map((card) => card.setId));
  return catalog.sets().filter((set) => wanted.has(set.id));
}

/** Catalog data for `createCatalog`, so a service under load test resolves every simulated id. */
export function simulatedCatalogData(count: number, catalog: Catalog): CatalogData {
  const cards = simulatedCards(count, catalog);
  return {
    source: `simulator: ${count} cards cloned from the bundled catalog`,
    sets: simulatedSets(cards, catalog),
    cards,
  };
}
