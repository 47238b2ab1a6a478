import {
  buildSchemaFromFile,
  createSubgraphApp,
  databaseReadiness,
  loadMigrations,
  redisReadiness,
  type Database,
  type FastifyInstance,
  type ServiceAppOptions,
} from "@pokewatch/kit";
import type { Catalog } from "@pokewatch/market";
import { DEFAULT_DATA_DIR } from "@pokewatch/model";
import type { PipelineContext } from "./context.js";
import { startPipelineScheduler } from "./pipeline/pipeline-scheduler.js";
import { createPipelineService, type PipelineService } from "./pipeline/pipeline-service.js";
import { DEFAULT_PIPELINE_CRON, type ScheduleDefinition } from "./pipeline/schedule.js";
import type { PipelineOptions } from "./pipeline/steps/step.js";
import { pipelineResolvers } from "./resolvers/pipeline-resolvers.js";
import { createStepsLoader } from "./resolvers/steps-loader.js";

export const PIPELINE_SDL = new URL("../schema.graphql", import.meta.url);
export const pipelineMigrations = () => loadMigrations(new URL("./migrations/", import.meta.url));

export interface CreatePipelineAppOptions extends ServiceAppOptions {
  /** Migrated with `modelMigrations()`, `marketMigrations()` and `pipelineMigrations()`, in that order. */
  db: Database;
  /** PIPELINE_CRON, read in UTC. @default "0 3 * * *" */
  cron?: string;
  /** @default () => new Date() */
  clock?: () => Date;
  /** DATA_DIR (model artifacts live in the database with the registry, not here). @default ".pokewatch" */
  dataDir?: string;
  /** The cards the pipeline trains on. @default the bundled catalog */
  catalog?: Catalog;
  /** Over the pipeline's defaults (tests train with `trees: 5` on a short simulation). */
  pipelineOptions?: Partial<PipelineOptions>;
  /** Start the cron schedule; tests turn it off. @default true */
  scheduler?: boolean;
  /**
   * A service built by the caller with `createPipelineService`, to share its runner (the stack's
   * first training run, a test wrapping the store). Then `catalog` and `pipelineOptions` are its own.
   */
  service?: PipelineService;
}

const services = new WeakMap<FastifyInstance, PipelineService>();

/** The store, registry and runner of an app made by `createPipelineApp` (`runner.idle()` in tests). */
export function pipelineServiceOf(app: FastifyInstance): PipelineService | undefined {
  return services.get(app);
}

/**
 * The pipeline subgraph: `PipelineRun` (with its plots, read from the database), `ModelVersion` and
 * `Schedule` at `/graphql`, and the schedule that triggers the daily run. On
 * start it fails the runs a stopped process left active (on PGlite every active run not this
 * process's; on PostgreSQL those whose owner lock is free; see `createRunOwnership`); on close it
 * stops the schedule and waits for the run in progress to end.
 */
export async function createPipelineApp({
  db,
  redis,
  cron = DEFAULT_PIPELINE_CRON,
  clock = () => new Date(),
  dataDir = DEFAULT_DATA_DIR,
  catalog,
  pipelineOptions,
  scheduler = true,
  service: givenService,
  ...service
}: CreatePipelineAppOptions): Promise<FastifyInstance> {
  if (givenService && (catalog || pipelineOptions)) {
    throw new TypeError("createPipelineApp: give either service or catalog/pipelineOptions, not both");
  }
  const { logger } = service;
  const pipeline =
    givenService ??
    createPipelineService({
      db,
      redis,
      dataDir,
      logger,
      clock,
      ...(catalog && { catalog }),
      ...(pipelineOptions && { options: pipelineOptions }),
    });
  const { store, registry, runner } = pipeline;
  const schedules: ScheduleDefinition[] = [{ name: "daily-training", cron, timezone: "UTC" }];
  // Also enforced here: the gateway counts `triggerPipelineRun` first, this catches calls it did not count.
  const schema = buildSchemaFromFile<PipelineContext>(PIPELINE_SDL, pipelineResolvers, { fieldLimits: { redis } });

  const recovered = await runner.recoverStale();
  if (recovered.length > 0) logger.warn({ runIds: recovered }, "failed pipeline runs left active by a stopped process");

  const app = await createSubgraphApp<PipelineContext>({
    ...service,
    name: "pipeline",
    schema,
    readiness: { ...databaseReadiness(db), ...redisReadiness(redis) },
    buildContext: (base) => ({
      ...base,
      store,
      registry,
      runner,
      redis,
      db,
      artifacts: memoized((key) => {
        const slash = key.indexOf("/");
        return store.artifact(key.slice(0, slash), key.slice(slash + 1));
      }),
      schedules,
      clock,
      steps: createStepsLoader((runIds) => store.stepsOfRuns(runIds)),
    }),
  });
  services.set(app, pipeline);

  const cronJobs = scheduler
    ? schedules.map((schedule) => startPipelineScheduler({ runner, schedule, logger, clock }))
    : [];
  app.addHook("onClose", async () => {
    for (const job of cronJobs) job.stop();
    // A run's worker thread is stopped, not waited for (training can take minutes); the run ends
    // FAILED. The database closes after the app: the run must not write into a closed one.
    runner.stop("the pipeline service is shutting down");
    await runner.idle();
  });
  return app;
}

/** One promise per key for the life of a request: a field asked for twice reads the row once. */
function memoized<T>(read: (key: string) => Promise<T>): { load(key: string): Promise<T> } {
  const memo = new Map<string, Promise<T>>();
  return {
    load(key) {
      let value = memo.get(key);
      if (!value) memo.set(key, (value = read(key)));
      return value;
    },
  };
}
