import {
  DateTimeScalar,
  buildSchemaFromFile,
  createSubgraphApp,
  databaseReadiness,
  loadMigrations,
  redisReadiness,
  type Database,
  type ServiceAppOptions,
} from "@pokewatch/kit";
import { createArtifactStore, createModelRegistry, DEFAULT_DATA_DIR } from "@pokewatch/model";
import type { PipelineContext } from "./context.js";
import { createRunStore } from "./pipeline/run-store.js";
import { DEFAULT_PIPELINE_CRON } from "./pipeline/schedule.js";
import { pipelineResolvers } from "./resolvers/pipeline-resolvers.js";

export const PIPELINE_SDL = new URL("../schema.graphql", import.meta.url);
export const pipelineMigrations = () => loadMigrations(new URL("./migrations/", import.meta.url));

export interface CreatePipelineAppOptions extends ServiceAppOptions {
  /** Migrated with `pipelineMigrations()` and `modelMigrations()` before this is called. */
  db: Database;
  /** PIPELINE_CRON, read in UTC. @default "0 3 * * *" */
  cron?: string;
  clock?: () => Date;
  /** DATA_DIR; model artifacts live in `<dataDir>/models`. @default ".pokewatch" */
  dataDir?: string;
}

export function createPipelineApp({
  db,
  redis,
  cron = DEFAULT_PIPELINE_CRON,
  clock = () => new Date(),
  dataDir = DEFAULT_DATA_DIR,
  ...service
}: CreatePipelineAppOptions) {
  const schema = buildSchemaFromFile<PipelineContext>(PIPELINE_SDL, { DateTime: DateTimeScalar, ...pipelineResolvers });
  const runs = createRunStore(db);
  const registry = createModelRegistry({ db, artifacts: createArtifactStore({ dataDir }) });
  const schedules = [{ name: "daily-training", cron, timezone: "UTC" }];
  return createSubgraphApp<PipelineContext>({
    ...service,
    name: "pipeline",
    schema,
    readiness: { ...databaseReadiness(db), ...redisReadiness(redis) },
    buildContext: (base) => ({ ...base, runs, registry, schedules, clock }),
  });
}
