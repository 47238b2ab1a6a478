export { createPricingApp, PRICING_SDL, type CreatePricingAppOptions } from "./pricing-app.js";
export { pricingEnvSchema, type PricingEnv } from "./env.js";
export { pricingOptionsFromEnv, type PricingOptions } from "./pricing-options-from-env.js";
export { DEFAULT_PRICING_SETTINGS, pricingSettingsFromEnv, type PricingSettings } from "./pricing-settings.js";
export { createPricingMetrics, type PricingMetrics } from "./metrics/pricing-metrics.js";
export { createFairPriceCache, type FairPriceCache } from "./cache/fair-price-cache.js";
export { createProductionModel, type ProductionModel } from "./serving/production-model.js";
