import { pokewatchError } from "@pokewatch/kit";
import type { CatalogCard } from "@pokewatch/market";
import type { PricingContext } from "../context.js";

export const MAX_IDS_PER_CALL = 1000;

export function notFoundCard(id: string) {
  return pokewatchError("NOT_FOUND", `No card with id "${id}"`);
}

export const cardResolvers = {
  Card: {
    __resolveReference(reference: { id: string }, { catalog }: PricingContext) {
      return catalog.card(reference.id) ?? notFoundCard(reference.id);
    },
    set(card: CatalogCard, _args: unknown, { catalog }: PricingContext) {
      return catalog.set(card.setId);
    },
  },
};
