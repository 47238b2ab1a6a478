import { pokewatchError } from "@pokewatch/kit";
import { CatalogInputError, type CardSearch } from "@pokewatch/market";
import type { PricingContext } from "../context.js";
import { notFoundCard } from "../pricing-errors.js";
import { MAX_IDS_PER_CALL } from "./card-resolvers.js";

function searchOrBadInput(context: PricingContext, args: CardSearch) {
  try {
    return context.catalog.search(args);
  } catch (error) {
    if (error instanceof CatalogInputError) {
      throw pokewatchError("BAD_USER_INPUT", error.message, { extensions: { argument: error.argument } });
    }
    throw error;
  }
}

export const queryResolvers = {
  Query: {
    card(_root: unknown, { id }: { id: string }, { catalog }: PricingContext) {
      return catalog.card(id) ?? notFoundCard(id);
    },
    cards(_root: unknown, { ids }: { ids: string[] }, { catalog }: PricingContext) {
      if (ids.length > MAX_IDS_PER_CALL) {
        throw pokewatchError("BAD_USER_INPUT", `cards takes at most ${MAX_IDS_PER_CALL} ids; got ${ids.length}`, {
          extensions: { argument: "ids" },
        });
      }
      // An Error in a list position becomes null there plus an error whose path names the index.
      return ids.map((id) => catalog.card(id) ?? notFoundCard(id));
    },
    searchCards(_root: unknown, args: CardSearch, context: PricingContext) {
      const page = searchOrBadInput(context, args);
      return {
        edges: page.edges,
        totalCount: page.totalCount,
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: page.hasPreviousPage,
          startCursor: page.edges[0]?.cursor ?? null,
          endCursor: page.edges.at(-1)?.cursor ?? null,
        },
      };
    },
    sets(_root: unknown, _args: unknown, { catalog }: PricingContext) {
      return [...catalog.sets()].sort((a, b) => b.releaseDate.localeCompare(a.releaseDate));
    },
  },
};
