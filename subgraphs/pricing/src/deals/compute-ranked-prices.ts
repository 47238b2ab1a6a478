import type { FairPriceLoader } from "../fair-prices/fair-price-loader.js";
import type { RankedPrice } from "./ranked-deals.js";

export interface ComputeRankedPricesOptions {
  /** The cards to price, in the order the ranking keeps (the catalog's). */
  cardIds: readonly string[];
  /** A fresh loader (and price-history loader) pinned to one model; one per chunk, so none holds the whole catalog. */
  loaderFor: () => FairPriceLoader;
  /** Cards per chunk. @default 250 */
  chunkSize?: number;
  /** Checked between chunks: true stops the computation (the service is closing). */
  stopped?: () => boolean;
}

export const DEFAULT_RANKING_CHUNK = 250;

/** Raised by a computation stopped between two chunks. */
export class RankingStoppedError extends Error {
  constructor() {
    super("the deals ranking computation was stopped");
    this.name = "RankingStoppedError";
  }
}

/**
 * Each card's fair price on its latest day, a chunk of cards at a time through the same loader
 * `fairPrice` uses (same cache, same features, same model), yielding to the event loop between
 * chunks so the requests that arrive meanwhile are served. Cards without prices are left out, as
 * `deals` always skipped them; any other failure (the model went away, the store did not answer)
 * rejects, so a ranking missing cards is never kept.
 */
export async function computeRankedPrices(options: ComputeRankedPricesOptions): Promise<RankedPrice[]> {
  const { cardIds, loaderFor, chunkSize = DEFAULT_RANKING_CHUNK, stopped = () => false } = options;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a whole number of cards ≥ 1; got ${String(chunkSize)}`);
  }
  const prices: RankedPrice[] = [];
  for (let start = 0; start < cardIds.length; start += chunkSize) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    if (stopped()) throw new RankingStoppedError();
    const chunk = cardIds.slice(start, start + chunkSize);
    const results = await loaderFor().loadMany(chunk.map((cardId) => ({ cardId, date: null })));
    for (const result of results) {
      if (!(result instanceof Error)) {
        const { cardId, date, marketPrice, marketPriceDate, marketPriceSource, fairPrice, low, high } = result;
        prices.push({ cardId, date, marketPrice, marketPriceDate, marketPriceSource, fairPrice, low, high });
      } else if (codeOf(result) !== "NOT_FOUND") {
        throw result;
      }
    }
  }
  return prices;
}

function codeOf(error: Error): unknown {
  return (error as { extensions?: { code?: unknown } }).extensions?.code;
}
