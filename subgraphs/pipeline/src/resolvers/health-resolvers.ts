import type { PipelineContext } from "../context.js";
import { pipelineHealth } from "../pipeline/pipeline-health.js";
import type { PipelineRunRecord } from "../pipeline/pipeline-types.js";

/** Finished runs the health is judged on: enough for FAILING (3 in a row) and a recent success. */
export const HEALTH_WINDOW_RUNS = 10;

export const healthResolvers = {
  Query: {
    async pipelineHealth(_root: unknown, _args: unknown, { store, clock }: PipelineContext) {
      const recent = await store.recentFinished(HEALTH_WINDOW_RUNS);
      const { lastRunId, ...health } = pipelineHealth(recent, clock());
      const lastRun: PipelineRunRecord | null = recent.find((run) => run.id === lastRunId) ?? null;
      return { ...health, lastRun };
    },
  },
  PipelineHealth: {
    activeRun: (_health: unknown, _args: unknown, { store }: PipelineContext) => store.active(),
  },
};
