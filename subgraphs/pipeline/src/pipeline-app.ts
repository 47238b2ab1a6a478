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
import { registerArtifactRoute } from "./http/artifact-route.js";
import { startPipelineScheduler } from "./pipeline/pipeline-scheduler.js";
import { createPipelineService, type PipelineService } from "./pipeline/pipeline-service.js";
import { DEFAULT_PIPELINE_CRON, type ScheduleDefinition } from "./pipeline/schedule.js";
import type { PipelineOptions } from "./pipeline/steps/step.js";
import { pipelineResolvers } from "./resolvers/pipeline-resolvers.js";
import { createStepsLoader } from "./resolvers/steps-loader.js";

export const PIPELINE_SDL = new URL("../schema.graphql", import.meta.url);
export const pipelineMigrations = () => loadMigrations(new URL("./migrations/", import.meta.url));

/** PIPELINE_PUBLIC_URL's default: this service on its default port. */
export const DEFAULT_PIPELINE_PUBLIC_URL = "http://localhost:4003";

export interface CreatePipelineAppOptions extends ServiceAppOptions {
  /** Migrated with `modelMigrations()`, `marketMigrations()` and `pipelineMigrations()`, in that order. */
  db: Database;
  /** PIPELINE_CRON, read in UTC. @default "0 3 * * *" */
  cron?: string;
  /** @default () => new Date() */
  clock?: () => Date;
  /** DATA_DIR (model artifacts live in the database with the registry, not here). @default ".pokewatch" */
  dataDir?: string;
  /** PIPELINE_PUBLIC_URL: where users reach this service; artifact URLs start with it. @default "http://localhost:4003" */
  publicUrl?: string;
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
 * The pipeline subgraph: `PipelineRun`, `ModelVersion` and `Schedule` at `/graphql`, the runs'
 * plots at `GET /runs/:runId/artifacts/:name`, and the schedule that triggers the daily run. On
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
  publicUrl = DEFAULT_PIPELINE_PUBLIC_URL,
  catalog,
  pipelineOptions,
  scheduler = true,
  service: givenService,
  ...service
}: CreatePipelineAppOptions): Promise<FastifyInstance> {
  if (givenService && (catalog || pipelineOptions)) {
    throw new TypeError("createPipelineApp: give either service or catalog/pipelineOptions, not both");
  }
  const baseUrl = publicBaseUrl(publicUrl);
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
      publicUrl: baseUrl,
      schedules,
      clock,
      steps: createStepsLoader((runIds) => store.stepsOfRuns(runIds)),
    }),
  });
  registerArtifactRoute(app, store);
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

/** `publicUrl` without a trailing slash; fails fast on anything but an http(s) URL. */
function publicBaseUrl(publicUrl: string): string {
  let url: URL | null = null;
  try {
    url = new URL(publicUrl);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash) {
    throw new TypeError(
      `createPipelineApp: publicUrl must be an http(s) URL without query or fragment (PIPELINE_PUBLIC_URL); got ${JSON.stringify(publicUrl)}`,
    );
  }
  return publicUrl.replace(/\/+$/, "");
}
