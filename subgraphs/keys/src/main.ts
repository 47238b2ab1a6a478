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
import { keysEnvSchema, keysSettingsFromEnv } from "./env.js";
import { createKeysApp, keysMigrations } from "./keys-app.js";

const env = loadEnv(keysEnvSchema);
const logger = createLogger({ name: "keys", level: env.LOG_LEVEL });
const secret = requireSubgraphSecret(env, "keys");
const server = serverOptionsOf(env);
await runService(
  logger,
  async () => {
    const db = await createDatabase({
      url: env.DATABASE_URL,
      dataDir: env.DATA_DIR,
      timeouts: databaseTimeoutsOf(env),
    });
    await runMigrations(db, "keys", keysMigrations());
    const redis = await openRedis(env.REDIS_URL, logger, redisTimeoutsOf(env));
    const app = await createKeysApp({
      secret: secret.current,
      previousSecret: secret.previous,
      logger,
      db,
      maxBodyBytes: env.MAX_BODY_BYTES,
      behindTls: env.BEHIND_TLS,
      redis,
      ...keysSettingsFromEnv(env),
    });
    const running = await listen(app, { host: env.HOST, port: env.KEYS_PORT, ...server });
    logger.info(
      { url: `${running.url}/graphql`, database: db.kind, redis: redis !== undefined },
      "keys subgraph listening",
    );
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
