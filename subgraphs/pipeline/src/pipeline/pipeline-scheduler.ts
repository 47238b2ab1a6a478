import type { Logger } from "@pokewatch/kit";
import { Cron } from "croner";
import type { PipelineRunner } from "./pipeline-runner.js";
import { PipelineBusyError, type PipelineRunRecord } from "./pipeline-types.js";
import type { ScheduleDefinition } from "./schedule.js";

export interface StartPipelineSchedulerOptions {
  runner: Pick<PipelineRunner, "trigger">;
  schedule: ScheduleDefinition;
  logger: Logger;
  /** What `nextRunAt` counts from. @default () => new Date() */
  clock?: () => Date;
}

export interface PipelineScheduler {
  stop(): void;
  /** The next occurrence after the clock, or null when the schedule has none (or is stopped). */
  nextRunAt(): Date | null;
}

/**
 * Triggers a SCHEDULE run at each occurrence of the schedule. Every replica runs one; the store
 * lets a single run per occurrence through, so croner's own overrun protection is not used.
 */
export function startPipelineScheduler({
  runner,
  schedule,
  logger,
  clock = () => new Date(),
}: StartPipelineSchedulerOptions): PipelineScheduler {
  const job = new Cron(schedule.cron, { timezone: schedule.timezone }, async (self: Cron) => {
    // croner passes the instant it fired, at or just after the occurrence (later under load).
    const firedAt = self.currentRun() ?? clock();
    const occurrence = self.previousRuns(1, new Date(firedAt.getTime() + 1))[0] ?? firedAt;
    await handleOccurrence(runner, occurrence, logger);
  });
  logger.info({ schedule: schedule.name, cron: schedule.cron, nextRunAt: job.nextRun(clock()) }, "schedule started");
  return {
    stop: () => job.stop(),
    nextRunAt: () => (job.isStopped() ? null : job.nextRun(clock())),
  };
}

/**
 * Starts the run for the occurrence at `at` (to the minute, so every replica names it alike).
 * Another replica having started it, or a run still active, is the normal way to lose: it returns null.
 */
export async function handleOccurrence(
  runner: Pick<PipelineRunner, "trigger">,
  at: Date,
  logger: Logger,
): Promise<PipelineRunRecord | null> {
  const scheduledFor = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  try {
    const { run } = await runner.trigger("SCHEDULE", { scheduledFor });
    logger.info({ runId: run.id, scheduledFor }, "scheduled pipeline run started");
    return run;
  } catch (err) {
    if (err instanceof PipelineBusyError) {
      logger.info({ scheduledFor, activeRunId: err.activeRunId, reason: err.message }, "scheduled run not started");
    } else {
      logger.error({ err, scheduledFor }, "could not start the scheduled pipeline run");
    }
    return null;
  }
}
