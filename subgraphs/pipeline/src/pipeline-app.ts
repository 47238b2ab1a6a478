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
import type { PipelineContext } from "./context.js";
import { createRunStore } from "./pipeline/run-store.js";
import { DEFAULT_PIPELINE_CRON } from "./pipeline/schedule.js";
import { createModelVersionStore } from "./registry/model-version-store.js";
import { pipelineResolvers } from "./resolvers/pipeline-resolvers.js";

export const PIPELINE_SDL = new URL("../schema.graphql", import.meta.url);
export const pipelineMigrations = () => loadMigrations(new URL("./migrations/", import.meta.url));

export interface CreatePipelineAppOptions extends ServiceAppOptions {
  /** Migrated with `pipelineMigrations()` before this is called. */
  db: Database;
  /** PIPELINE_CRON, read in UTC. @default "0 3 * * *" */
  cron?: string;
  clock?: () => Date;
}

export function createPipelineApp({
  db,
  redis,
  cron = DEFAULT_PIPELINE_CRON,
  clock = () => new Date(),
  ...service
}: CreatePipelineAppOptions) {
  const schema = buildSchemaFromFile<PipelineContext>(PIPELINE_SDL, { DateTime: DateTimeScalar, ...pipelineResolvers });
  const runs = createRunStore(db);
  const modelVersions = createModelVersionStore(db);
  const schedules = [{ name: "daily-training", cron, timezone: "UTC" }];
  return createSubgraphApp<PipelineContext>({
    ...service,
    name: "pipeline",
    schema,
    readiness: { ...databaseReadiness(db), ...redisReadiness(redis) },
    buildContext: (base) => ({ ...base, runs, modelVersions, schedules, clock }),
  });
}
