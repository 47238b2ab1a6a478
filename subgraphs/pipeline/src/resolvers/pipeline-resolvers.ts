import { pokewatchError } from "@pokewatch/kit";
import type { ModelMetrics, ModelVersion } from "@pokewatch/model";
import type { PipelineContext } from "../context.js";
import { nextRunAfter, type ScheduleDefinition } from "../pipeline/schedule.js";

/** The GraphQL `ModelMetrics`: one baseline figure, the one a new model has to beat. */
function publicMetrics({ mape, rmse, mae, intervalCoverage, baselines }: ModelMetrics) {
  const baselineMape = Math.min(baselines.lastPrice.mape, baselines.rollingMean3.mape);
  return { mape, rmse, mae, baselineMape, intervalCoverage };
}

export const pipelineResolvers = {
  Query: {
    schedules: (_root: unknown, _args: unknown, { schedules }: PipelineContext) => schedules,
  },
  Schedule: {
    nextRunAt: (schedule: ScheduleDefinition, _args: unknown, { clock }: PipelineContext) =>
      nextRunAfter(schedule, clock()),
    lastRun: (_schedule: ScheduleDefinition, _args: unknown, { runs }: PipelineContext) =>
      runs.latestByTrigger("SCHEDULE"),
  },
  PipelineRun: {
    async __resolveReference({ id }: { id: string }, { runs }: PipelineContext) {
      return (await runs.findById(id)) ?? pokewatchError("NOT_FOUND", `No pipeline run with id "${id}"`);
    },
  },
  ModelVersion: {
    async __resolveReference({ id }: { id: string }, { registry }: PipelineContext) {
      return (await registry.get(id)) ?? pokewatchError("NOT_FOUND", `No model version with id "${id}"`);
    },
    metrics: (version: ModelVersion) => publicMetrics(version.metrics),
  },
};
