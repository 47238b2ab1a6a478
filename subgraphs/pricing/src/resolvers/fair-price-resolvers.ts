import { pokewatchError } from "@pokewatch/kit";
import type { PricingContext } from "../context.js";
import type { FairPriceResult } from "../fair-prices/fair-price.js";
import type { Signal } from "../fair-prices/signal.js";
import { MAX_IDS_PER_CALL } from "./card-resolvers.js";

export const MAX_DEALS = 100;

interface DealsArgs {
  signal: Signal;
  limit: number;
  setId?: string | null;
}

export const fairPriceResolvers = {
  Query: {
    fairPrices(
      _root: unknown,
      { requests }: { requests: { cardId: string; date?: string | null }[] },
      { fairPrices }: PricingContext,
    ) {
      if (requests.length > MAX_IDS_PER_CALL) {
        throw pokewatchError(
          "BAD_USER_INPUT",
          `fairPrices takes at most ${MAX_IDS_PER_CALL} requests; got ${requests.length}`,
          { extensions: { argument: "requests" } },
        );
      }
      // A rejected item becomes null at its index plus an error whose path names that index.
      return requests.map(({ cardId, date }) => fairPrices.load({ cardId, date: date ?? null }));
    },

    deals(_root: unknown, { signal, limit, setId }: DealsArgs, { catalog, deals }: PricingContext) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DEALS) {
        throw pokewatchError("BAD_USER_INPUT", `limit must be between 1 and ${MAX_DEALS}; got ${limit}`, {
          extensions: { argument: "limit" },
        });
      }
      if (setId && !catalog.set(setId)) throw pokewatchError("NOT_FOUND", `No set with id "${setId}"`);
      // From the ranking of the production model and latest price day, computed once (deals-ranker.ts).
      return deals.deals(signal, setId ?? null, limit);
    },
  },

  FairPrice: {
    card: (price: FairPriceResult, _args: unknown, { catalog }: PricingContext) => catalog.card(price.cardId),
    model: (price: FairPriceResult) => ({ __typename: "ModelVersion", id: price.modelVersionId }),
  },
};
