import {
  createDatabase,
  createLogger,
  listen,
  loadEnv,
  openRedis,
  runMigrations,
  runService,
  serveMetrics,
  shutdownDeadlineMs,
} from "@pokewatch/kit";
import { marketMigrations } from "@pokewatch/market";
import { migrateModelRegistry } from "@pokewatch/model";
import { pricingEnvSchema } from "./env.js";
import { createPricingApp } from "./pricing-app.js";
import { pricingOptionsFromEnv } from "./pricing-options-from-env.js";

const options = pricingOptionsFromEnv(loadEnv(pricingEnvSchema));
const logger = createLogger({ name: "pricing", level: options.logLevel });
await runService(
  logger,
  async () => {
    const db = await createDatabase(options.database);
    await runMigrations(db, "market", marketMigrations());
    await migrateModelRegistry(db, { dataDir: options.database.dataDir, logger });
    const redis = await openRedis(options.redis.url, logger, options.redis.timeouts);
    // Serves MODEL_UNAVAILABLE until a model is promoted, then picks it up by event or poll.
    const app = await createPricingApp({ ...options.app, logger, db, redis });
    const running = await listen(app, options.listen);
    logger.info({ url: `${running.url}/graphql`, redis: redis !== undefined }, "pricing subgraph listening");
    const metrics = await serveMetrics({
      apps: [app],
      host: options.listen.host,
      port: options.metricsPort,
      logger,
      limits: options.listen.limits,
    });
    return async () => {
      await running.close();
      await metrics?.close();
      redis?.disconnect();
      await db.close();
    };
  },
  { shutdownTimeoutMs: shutdownDeadlineMs(options.listen.shutdown) },
);
