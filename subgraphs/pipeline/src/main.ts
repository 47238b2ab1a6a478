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
import { pipelineEnvSchema } from "./env.js";
import { trainFirstModelOnStart } from "./first-model-on-start.js";
import { createPipelineApp, pipelineMigrations } from "./pipeline-app.js";
import { pipelineOptionsFromEnv } from "./pipeline-options-from-env.js";

const options = pipelineOptionsFromEnv(loadEnv(pipelineEnvSchema));
const logger = createLogger({ name: "pipeline", level: options.logLevel });
await runService(
  logger,
  async () => {
    const db = await createDatabase(options.database);
    // The model registry's first migration takes over tables an early pipeline version made: first.
    await migrateModelRegistry(db, { dataDir: options.database.dataDir, logger });
    await runMigrations(db, "market", marketMigrations());
    await runMigrations(db, "pipeline", pipelineMigrations());
    const redis = await openRedis(options.redis.url, logger, options.redis.timeouts);
    const app = await createPipelineApp({ ...options.app, logger, db, redis });
    const running = await listen(app, options.listen);
    logger.info(
      { url: `${running.url}/graphql`, database: db.kind, redis: redis !== undefined },
      "pipeline subgraph listening",
    );
    const metrics = await serveMetrics({
      apps: [app],
      host: options.listen.host,
      port: options.metricsPort,
      logger,
      limits: options.listen.limits,
    });
    // In the background, once listening: the service answers (runs, health) while it trains.
    const firstModel = options.trainOnStart ? trainFirstModelOnStart(app, logger) : undefined;
    return async () => {
      firstModel?.abort();
      // The app's close stops the run in progress (it ends FAILED) and waits for it.
      await running.close();
      await firstModel?.outcome;
      await metrics?.close();
      redis?.disconnect();
      await db.close();
    };
  },
  { shutdownTimeoutMs: shutdownDeadlineMs(options.listen.shutdown) },
);
