export { calendarDays, type CalendarDays } from "./calendar-days.js";
export { MARKET_MODEL } from "./card-series.js";
export { CHASE_RARITIES, createMarketStats, type MarketStats, type ReturnStats } from "./market-stats.js";
export {
  PRICE_CSV_HEADER,
  formatPriceCsvRow,
  writePriceCsv,
  type PriceCsvInput,
  type WritePriceCsvOptions,
} from "./price-csv-writer.js";
export { ageLogFactor, rarityTier, rarityTiers, type RarityTier } from "./rarity-tiers.js";
export {
  SIMULATION_DEFAULT_END_DATE,
  SIMULATION_MAX_CARDS,
  SIMULATION_MAX_DAYS,
  createMarketSimulator,
  simulateMarket,
  simulateMarketProblems,
  type MarketSimulator,
  type SimulateMarketOptions,
  type SimulateMarketProblem,
} from "./simulate-market.js";
export {
  catalogCardsInOrder,
  simulatedCards,
  simulatedCatalogData,
  simulatedSets,
  type SimulatedCard,
} from "./simulated-cards.js";
export { SIMULATED_SETS, simulationCatalog } from "./simulated-sets.js";
