export { createPricingApp, PRICING_SDL, type CreatePricingAppOptions } from "./pricing-app.js";
export { pricingEnvSchema, type PricingEnv } from "./env.js";
