import { createDatabase, createLogger, listen, loadEnv, openRedis, runMigrations, runService } from "@pokewatch/kit";
import { keysEnvSchema } from "./env.js";
import { createKeysApp, keysMigrations } from "./keys-app.js";

const env = loadEnv(keysEnvSchema);
const logger = createLogger({ name: "keys", level: env.LOG_LEVEL });
await runService(logger, async () => {
  const db = await createDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  await runMigrations(db, "keys", keysMigrations());
  const redis = await openRedis(env.REDIS_URL, logger);
  const app = await createKeysApp({
    secret: env.SUBGRAPH_SECRET,
    logger,
    db,
    maxBodyBytes: env.MAX_BODY_BYTES,
    redis,
    adminKey: env.POKEWATCH_ADMIN_KEY,
  });
  const server = await listen(app, { host: env.HOST, port: env.KEYS_PORT });
  logger.info(
    { url: `${server.url}/graphql`, database: db.kind, redis: redis !== undefined },
    "keys subgraph listening",
  );
  return async () => {
    await server.close();
    redis?.disconnect();
    await db.close();
  };
});
