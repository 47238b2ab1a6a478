import { subgraphOptionsOf, type DatabaseOptions, type RunnerOptions } from "@pokewatch/kit";
import type { PricingEnv } from "./env.js";
import type { CreatePricingAppOptions } from "./pricing-app.js";
import { pricingSettingsFromEnv, type PricingSettings } from "./pricing-settings.js";

/** What the app needs at run time, which the entry point opens or makes, and test stand-ins. */
type PricingRuntime =
  | "db"
  | "redis"
  | "logger"
  | "catalog"
  | "settings"
  | "prices"
  | "cache"
  | "productionModel"
  | "metrics"
  | "today"
  | "deals";

/** Everything the pricing service takes from its environment. */
export interface PricingOptions extends RunnerOptions {
  database: DatabaseOptions;
  app: Omit<CreatePricingAppOptions, PricingRuntime> & { dataDir: string; settings: PricingSettings };
}

/**
 * The one mapping of the pricing service's environment to its options, for both entry points:
 * the standalone service (`main.ts`) and `pnpm start` (`startStack`). Every variable of
 * `pricingEnvSchema` lands here (`pricing-options-from-env.test.ts` proves it).
 */
export function pricingOptionsFromEnv(env: PricingEnv): PricingOptions {
  const base = subgraphOptionsOf(env, "pricing", env.PRICING_PORT);
  return {
    ...base,
    app: {
      ...base.app,
      redisUrl: env.REDIS_URL,
      dataDir: env.DATA_DIR,
      settings: pricingSettingsFromEnv(env),
    },
  };
}
