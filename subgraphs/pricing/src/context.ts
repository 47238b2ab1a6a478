import type { SubgraphContext } from "@pokewatch/kit";
import type { Catalog } from "@pokewatch/market";
import type { DealsRanker } from "./deals/deals-ranker.js";
import type { FairPriceLoader } from "./fair-prices/fair-price-loader.js";
import type { PriceHistoryLoader } from "./fair-prices/price-history-loader.js";
import type { SignalThresholds } from "./fair-prices/signal.js";

export interface PricingContext extends SubgraphContext {
  catalog: Catalog;
  /** This request's price histories, one read per tick. */
  history: PriceHistoryLoader;
  /** This request's fair prices, one cache multi-get / read / model run per tick. */
  fairPrices: FairPriceLoader;
  thresholds: SignalThresholds;
  /** The process's deals, from a ranking shared by every request. */
  deals: DealsRanker;
  /** Releases the model this request pinned, if it pinned one (called when the response is sent). */
  releaseModel(): void;
}
