import type { Queryable, Redis, SubgraphContext } from "@pokewatch/kit";
import type { ModelRegistry } from "@pokewatch/model";
import type { PipelineRunner } from "./pipeline/pipeline-runner.js";
import type { RunArtifact, RunStore } from "./pipeline/pipeline-types.js";
import type { ScheduleDefinition } from "./pipeline/schedule.js";
import type { StepsLoader } from "./resolvers/steps-loader.js";

export interface PipelineContext extends SubgraphContext {
  store: RunStore;
  registry: ModelRegistry;
  runner: PipelineRunner;
  /** Promotions and rollbacks are announced on it; undefined without REDIS_URL. */
  redis: Redis | undefined;
  /** The database the registry lives in: rollback reads when each version was archived. */
  db: Queryable;
  /** Per request: a run's stored files by `<runId>/<name>`, each read (and verified) once. */
  artifacts: { load(key: string): Promise<RunArtifact | null> };
  schedules: ScheduleDefinition[];
  clock: () => Date;
  /** Per request: the steps of every run a response shows, read in one query. */
  steps: StepsLoader;
}
