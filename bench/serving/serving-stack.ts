import { parseEnv } from "@pokewatch/kit";
import { TEST_REDIS_URL } from "@pokewatch/kit/testing";
import type { PricingSettings } from "@pokewatch/pricing";
import { startStack, stackEnvSchema, type RunningStack } from "@pokewatch/stack";
import type { ServingData } from "./serving-data.js";

/** The whole system, as `pnpm start` runs it, on the benchmark's PostgreSQL data and (optionally) Redis. */
export function startServingStack(
  data: ServingData,
  { redis, pricing }: { redis: boolean; pricing?: Partial<PricingSettings> },
): Promise<RunningStack> {
  const env = parseEnv(stackEnvSchema, {
    LOG_LEVEL: "silent",
    HOST: "127.0.0.1",
    NODE_ENV: "production",
    GATEWAY_PORT: "0",
    PRICING_PORT: "0",
    KEYS_PORT: "0",
    PIPELINE_PORT: "0",
    DATA_DIR: data.dataDir,
    ...(redis ? { REDIS_URL: TEST_REDIS_URL } : {}),
  });
  return startStack({ env, db: data.db, catalog: data.catalog, pricing: { modelPollSeconds: 0, ...pricing } });
}

/** Sum and count of a histogram on pricing's `/metrics`. */
export async function histogramTotals(pricingGraphqlUrl: string, name: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(pricingGraphqlUrl.replace(/graphql$/, "metrics"))).text();
  const read = (suffix: string) => Number(new RegExp(`^${name}_${suffix}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1] ?? 0);
  return { sum: read("sum"), count: read("count") };
}
