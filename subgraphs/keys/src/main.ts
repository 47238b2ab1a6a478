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
import { keysEnvSchema } from "./env.js";
import { createKeysApp, keysMigrations } from "./keys-app.js";
import { keysOptionsFromEnv } from "./keys-options-from-env.js";

const options = keysOptionsFromEnv(loadEnv(keysEnvSchema));
const logger = createLogger({ name: "keys", level: options.logLevel });
await runService(
  logger,
  async () => {
    const db = await createDatabase(options.database);
    await runMigrations(db, "keys", keysMigrations());
    const redis = await openRedis(options.redis.url, logger, options.redis.timeouts);
    // Guarantees the POKEWATCH_ADMIN_KEY key (options.app.adminKey) before it listens.
    const app = await createKeysApp({ ...options.app, logger, db, redis });
    const running = await listen(app, options.listen);
    logger.info(
      { url: `${running.url}/graphql`, database: db.kind, redis: redis !== undefined },
      "keys subgraph listening",
    );
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
