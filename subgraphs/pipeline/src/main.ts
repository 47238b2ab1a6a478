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
import { pipelineEnvSchema } from "./env.js";
import { createPipelineApp, pipelineMigrations } from "./pipeline-app.js";

const env = loadEnv(pipelineEnvSchema);
const logger = createLogger({ name: "pipeline", level: env.LOG_LEVEL });
const secret = requireSubgraphSecret(env, "pipeline");
const server = serverOptionsOf(env);
await runService(
  logger,
  async () => {
    const db = await createDatabase({
      url: env.DATABASE_URL,
      dataDir: env.DATA_DIR,
      timeouts: databaseTimeoutsOf(env),
    });
    // The model registry's first migration takes over tables an early pipeline version made: first.
    await migrateModelRegistry(db, { dataDir: env.DATA_DIR, logger });
    await runMigrations(db, "market", marketMigrations());
    await runMigrations(db, "pipeline", pipelineMigrations());
    const redis = await openRedis(env.REDIS_URL, logger, redisTimeoutsOf(env));
    const app = await createPipelineApp({
      secret: secret.current,
      previousSecret: secret.previous,
      logger,
      db,
      cron: env.PIPELINE_CRON,
      maxBodyBytes: env.MAX_BODY_BYTES,
      behindTls: env.BEHIND_TLS,
      redis,
      dataDir: env.DATA_DIR,
    });
    const running = await listen(app, { host: env.HOST, port: env.PIPELINE_PORT, ...server });
    logger.info(
      { url: `${running.url}/graphql`, database: db.kind, redis: redis !== undefined },
      "pipeline subgraph listening",
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
