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
  serverOptionsOf,
  shutdownDeadlineMs,
} from "@pokewatch/kit";
import { keysEnvSchema } from "./env.js";
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
      redis,
      adminKey: env.POKEWATCH_ADMIN_KEY,
    });
    const running = await listen(app, { host: env.HOST, port: env.KEYS_PORT, ...server });
    logger.info(
      { url: `${running.url}/graphql`, database: db.kind, redis: redis !== undefined },
      "keys subgraph listening",
    );
    return async () => {
      await running.close();
      redis?.disconnect();
      await db.close();
    };
  },
  { shutdownTimeoutMs: shutdownDeadlineMs(server.shutdown) },
);
