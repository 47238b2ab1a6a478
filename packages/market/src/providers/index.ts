export {
  createPokemonTcgClient,
  POKEMONTCG_PAGE_SIZE_MAX,
  POKEMONTCG_PROVIDER,
  type PokemonTcgClient,
  type PokemonTcgClientOptions,
} from "./pokemontcg-client.js";
export {
  createPokemonPriceTrackerClient,
  POKEMON_PRICE_TRACKER_PROVIDER,
  type PokemonPriceTrackerClient,
  type PokemonPriceTrackerClientOptions,
  type PptCardQuery,
  type PptHistoryOptions,
} from "./pokemon-price-tracker-client.js";
export {
  isProviderError,
  PROVIDER_ERROR_CODES,
  ProviderError,
  type ProviderErrorCode,
  type ProviderErrorDetails,
} from "./provider-error.js";
export { PROVIDER_DEFAULTS, type ProviderClientOptions } from "./provider-options.js";
export type { ProviderPrices, SkippedCard } from "./provider-prices.js";
export { pickTcgplayerVariant, TCGPLAYER_VARIANT_ORDER } from "./tcgplayer-prices.js";
export {
  createPokemonTcgCatalogSource,
  POKEMONTCG_DEFAULT_BASE_URL,
  type PokemonTcgCatalogOptions,
} from "./pokemontcg-catalog-client.js";
