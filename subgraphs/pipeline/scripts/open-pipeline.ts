import {
  commonEnvShape,
  databaseEnvShape,
  connectRedis,
  createDatabase,
  createLogger,
  createRedis,
  parseEnv,
  runMigrations,
  type Database,
  type Logger,
  type Redis,
} from "@pokewatch/kit";
import { marketMigrations, type Catalog } from "@pokewatch/market";
import { migrateModelRegistry } from "@pokewatch/model";
import { z } from "zod";
import { collectEnvSchema, collectEnvShape, collectOptionsFromEnv } from "../src/collect-env.js";
import { createPipelineService, type PipelineService } from "../src/pipeline/pipeline-service.js";
import type { PipelineOptions } from "../src/pipeline/steps/step.js";
import { pipelineMigrations } from "../src/pipeline-app.js";

const cliEnv = z.object({
  DATA_DIR: databaseEnvShape.DATA_DIR,
  DATABASE_URL: databaseEnvShape.DATABASE_URL,
  REDIS_URL: commonEnvShape.REDIS_URL,
  /** The CLI is quiet; LOG_LEVEL=debug shows the runner's own log lines on stderr. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("silent"),
});

export interface OpenedPipeline {
  service: PipelineService;
  db: Database;
  redis: Redis | undefined;
  /** Where the runs live, for the user: `DATABASE_URL` or the embedded folder. */
  database: string;
  logger: Logger;
  /** DATA_DIR. */
  dataDir: string;
  close(): Promise<void>;
}

export interface OpenPipelineOptions {
  /** @default the bundled catalog */
  catalog?: Catalog | undefined;
  options?: Partial<PipelineOptions>;
  source?: Record<string, string | undefined>;
  warn?: (message: string) => void;
}

/**
 * The pipeline the service runs, on DATABASE_URL if set, else on the embedded database under
 * DATA_DIR, migrated (model → market → pipeline). With REDIS_URL, promotions are announced to
 * every pricing replica at once.
 */
export async function openPipeline({
  catalog,
  options,
  source = process.env,
  warn = (message) => process.stderr.write(`${message}\n`),
}: OpenPipelineOptions = {}): Promise<OpenedPipeline> {
  const env = parseEnv(cliEnv, {
    DATA_DIR: source.DATA_DIR || undefined,
    DATABASE_URL: source.DATABASE_URL || undefined,
    REDIS_URL: source.REDIS_URL || undefined,
    LOG_LEVEL: source.LOG_LEVEL || undefined,
  });
  // Where collect gets prices, as the service reads it (PRICE_SOURCE, default auto), unless the caller says.
  const collectEnv = Object.fromEntries(Object.keys(collectEnvShape).map((name) => [name, source[name] || undefined]));
  const collect = collectOptionsFromEnv(parseEnv(collectEnvSchema, collectEnv));
  const logger = createLogger({ name: "pipeline-cli", level: env.LOG_LEVEL, destination: process.stderr });
  const db = await createDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  let redis = env.REDIS_URL ? createRedis({ url: env.REDIS_URL, logger }) : undefined;
  try {
    // The model registry's first migration takes over tables an early pipeline version made: first.
    await migrateModelRegistry(db, { dataDir: env.DATA_DIR, logger });
    await runMigrations(db, "market", marketMigrations());
    await runMigrations(db, "pipeline", pipelineMigrations());
    if (redis && !(await connectRedis(redis))) {
      warn("Redis is unreachable: pricing replicas will load a promoted model at their next registry poll");
      redis.disconnect();
      redis = undefined;
    }
  } catch (error) {
    redis?.disconnect();
    await db.close();
    throw error;
  }
  const service = createPipelineService({
    db,
    redis,
    dataDir: env.DATA_DIR,
    logger,
    ...(catalog && { catalog }),
    options: { collect, ...options },
  });
  return {
    service,
    db,
    redis,
    database: db.kind === "postgres" ? "DATABASE_URL" : env.DATA_DIR,
    logger,
    dataDir: env.DATA_DIR,
    async close() {
      redis?.disconnect();
      await db.close();
    },
  };
}
