import type { SubgraphContext } from "@pokewatch/kit";
import type { Catalog } from "@pokewatch/market";

export interface PricingContext extends SubgraphContext {
  catalog: Catalog;
}
