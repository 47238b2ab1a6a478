import { Cron } from "croner";

export interface ScheduleDefinition {
  name: string;
  cron: string;
  timezone: string;
}

/** The default training schedule: every day at 03:00 UTC. */
export const DEFAULT_PIPELINE_CRON = "0 3 * * *";

/** Throws with croner's reason when `cron` is not a valid five-field expression. */
export function assertValidCron(cron: string, timezone = "UTC"): void {
  if (cron.trim().split(/\s+/).length !== 5) throw new Error("must have five fields: minute hour day month weekday");
  new Cron(cron, { timezone, paused: true }).stop();
}

export function nextRunAfter(schedule: ScheduleDefinition, now: Date): Date | null {
  const job = new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
  const next = job.nextRun(now);
  job.stop();
  return next;
}
