import { pokewatchError } from "@pokewatch/kit";
import type { CatalogCard } from "@pokewatch/market";
import type { PricingContext } from "../context.js";
import { pointOnOrBefore } from "../fair-prices/price-history-loader.js";
import { notFoundCard } from "../pricing-errors.js";

export const MAX_IDS_PER_CALL = 1000;

interface DateRangeArgs {
  from?: string | null;
  to?: string | null;
}

export const cardResolvers = {
  Card: {
    __resolveReference(reference: { id: string }, { catalog }: PricingContext) {
      return catalog.card(reference.id) ?? notFoundCard(reference.id);
    },
    set(card: CatalogCard, _args: unknown, { catalog }: PricingContext) {
      return catalog.set(card.setId);
    },
    async marketPrice(card: CatalogCard, { date }: { date?: string | null }, { history }: PricingContext) {
      const points = await history.load(card.id);
      return date ? (pointOnOrBefore(points, date) ?? null) : (points.at(-1) ?? null);
    },
    async priceHistory(card: CatalogCard, { from, to }: DateRangeArgs, { history }: PricingContext) {
      if (from && to && from > to) {
        throw pokewatchError("BAD_USER_INPUT", `from (${from}) is after to (${to})`, {
          extensions: { argument: "from" },
        });
      }
      const points = await history.load(card.id);
      return points.filter((point) => (!from || point.date >= from) && (!to || point.date <= to));
    },
    fairPrice(card: CatalogCard, { date }: { date?: string | null }, { fairPrices }: PricingContext) {
      return fairPrices.load({ cardId: card.id, date: date ?? null });
    },
  },
};
