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

/** Most telling first: BUY the most underpriced, SELL the most overpriced, HOLD the closest to fair. */
const dealOrder: Record<Signal, (a: FairPriceResult, b: FairPriceResult) => number> = {
  BUY: (a, b) => a.deviationPct - b.deviationPct,
  SELL: (a, b) => b.deviationPct - a.deviationPct,
  HOLD: (a, b) => Math.abs(a.deviationPct) - Math.abs(b.deviationPct),
};

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

    async deals(_root: unknown, { signal, limit, setId }: DealsArgs, { catalog, fairPrices }: PricingContext) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DEALS) {
        throw pokewatchError("BAD_USER_INPUT", `limit must be between 1 and ${MAX_DEALS}; got ${limit}`, {
          extensions: { argument: "limit" },
        });
      }
      if (setId && !catalog.set(setId)) throw pokewatchError("NOT_FOUND", `No set with id "${setId}"`);
      const cards = catalog.cards(setId ?? undefined);
      const priced = await fairPrices.loadMany(cards.map((card) => ({ cardId: card.id, date: null })));
      const unavailable = priced.find((result) => result instanceof Error && isModelUnavailable(result));
      if (unavailable) throw unavailable;
      return priced
        .filter((result): result is FairPriceResult => !(result instanceof Error) && result.signal === signal)
        .sort(dealOrder[signal])
        .slice(0, limit);
    },
  },

  FairPrice: {
    card: (price: FairPriceResult, _args: unknown, { catalog }: PricingContext) => catalog.card(price.cardId),
    model: (price: FairPriceResult) => ({ __typename: "ModelVersion", id: price.modelVersionId }),
  },
};

function isModelUnavailable(error: Error): boolean {
  return (error as { extensions?: { code?: unknown } }).extensions?.code === "MODEL_UNAVAILABLE";
}
