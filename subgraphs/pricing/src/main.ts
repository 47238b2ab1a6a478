import {
  createDatabase,
  createLogger,
  databaseTimeoutsOf,
  listen,
  loadEnv,
  openRedis,
  redisTimeoutsOf,
  requireSubgraphSecret,
  runMigrations,
  runService,
  serveMetrics,
  serverOptionsOf,
  shutdownDeadlineMs,
} from "@pokewatch/kit";
import { marketMigrations } from "@pokewatch/market";
import { migrateModelRegistry } from "@pokewatch/model";
import { pricingEnvSchema } from "./env.js";
import { createPricingApp } from "./pricing-app.js";
import { pricingSettingsFromEnv } from "./pricing-settings.js";

const env = loadEnv(pricingEnvSchema);
const logger = createLogger({ name: "pricing", level: env.LOG_LEVEL });
const secret = requireSubgraphSecret(env, "pricing");
const server = serverOptionsOf(env);
await runService(
  logger,
  async () => {
    const db = await createDatabase({
      url: env.DATABASE_URL,
      dataDir: env.DATA_DIR,
      timeouts: databaseTimeoutsOf(env),
    });
    await runMigrations(db, "market", marketMigrations());
    await migrateModelRegistry(db, { dataDir: env.DATA_DIR, logger });
    const redis = await openRedis(env.REDIS_URL, logger, redisTimeoutsOf(env));
    const app = await createPricingApp({
      secret: secret.current,
      previousSecret: secret.previous,
      logger,
      maxBodyBytes: env.MAX_BODY_BYTES,
      behindTls: env.BEHIND_TLS,
      redis,
      redisUrl: env.REDIS_URL,
      db,
      settings: pricingSettingsFromEnv(env),
    });
    const running = await listen(app, { host: env.HOST, port: env.PRICING_PORT, ...server });
    logger.info({ url: `${running.url}/graphql`, redis: redis !== undefined }, "pricing subgraph listening");
    const metrics = await serveMetrics({
      apps: [app],
      host: env.HOST,
      port: env.METRICS_PORT,
      logger,
      limits: server.limits,
    });
    return async () => {
      await running.close();
      await metrics?.close();
      redis?.disconnect();
      await db.close();
    };
  },
  { shutdownTimeoutMs: shutdownDeadlineMs(server.shutdown) },
);
