import { createDatabase, createLogger, listen, loadEnv, openRedis, runMigrations, runService } from "@pokewatch/kit";
import { marketMigrations } from "@pokewatch/market";
import { modelMigrations } from "@pokewatch/model";
import { pricingEnvSchema } from "./env.js";
import { createPricingApp } from "./pricing-app.js";
import { pricingSettingsFromEnv } from "./pricing-settings.js";

const env = loadEnv(pricingEnvSchema);
const logger = createLogger({ name: "pricing", level: env.LOG_LEVEL });
await runService(logger, async () => {
  const db = await createDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  await runMigrations(db, "market", marketMigrations());
  await runMigrations(db, "model", modelMigrations());
  const redis = await openRedis(env.REDIS_URL, logger);
  const app = await createPricingApp({
    secret: env.SUBGRAPH_SECRET,
    logger,
    maxBodyBytes: env.MAX_BODY_BYTES,
    redis,
    redisUrl: env.REDIS_URL,
    db,
    dataDir: env.DATA_DIR,
    settings: pricingSettingsFromEnv(env),
  });
  const server = await listen(app, { host: env.HOST, port: env.PRICING_PORT });
  logger.info({ url: `${server.url}/graphql`, redis: redis !== undefined }, "pricing subgraph listening");
  return async () => {
    await server.close();
    redis?.disconnect();
    await db.close();
  };
});
