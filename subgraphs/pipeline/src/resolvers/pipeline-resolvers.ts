import { pokewatchError } from "@pokewatch/kit";
import type { PipelineContext } from "../context.js";
import { nextRunAfter, type ScheduleDefinition } from "../pipeline/schedule.js";

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
    async __resolveReference({ id }: { id: string }, { modelVersions }: PipelineContext) {
      return (await modelVersions.findById(id)) ?? pokewatchError("NOT_FOUND", `No model version with id "${id}"`);
    },
  },
};
