import type { Catalog, CardIndexEntry } from "@pokewatch/market";
import type { CardAttributeLookup } from "./card-attributes.js";

/**
 * Card attributes from the bundled catalog, then from a fuller card index where given (the
 * shared price files cover sets the bundled catalog does not ship).
 */
export function catalogAttributes(catalog: Catalog, index?: ReadonlyMap<string, CardIndexEntry>): CardAttributeLookup {
  return (cardId) => {
    const card = catalog.card(cardId);
    if (card) return { rarity: card.rarity, setReleaseDate: catalog.set(card.setId)?.releaseDate ?? null };
    return index?.get(cardId);
  };
}
