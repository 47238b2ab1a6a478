import type { PipelineRunRecord } from "./pipeline-types.js";

export type PipelineHealthStatus = "HEALTHY" | "DEGRADED" | "FAILING";

export interface PipelineHealth {
  status: PipelineHealthStatus;
  /** When the newest successful run among those given finished; null when none of them succeeded. */
  lastSuccessAt: Date | null;
  /** Failed runs since the last success (all of them when none succeeded), newest first. */
  consecutiveFailures: number;
  lastRunId: string | null;
}

/** This many failed runs in a row make the pipeline FAILING. */
export const FAILING_AFTER_FAILURES = 3;
/** A last success older than this makes the pipeline DEGRADED: the daily run has stopped producing. */
export const STALE_SUCCESS_MS = 2 * 24 * 60 * 60 * 1000;

/**
 * The pipeline's health from its most recent finished runs (SUCCEEDED or FAILED, in any order;
 * others are ignored):
 * - FAILING when the last 3 runs all failed;
 * - DEGRADED when the last run failed, or the last success finished more than 2 days before `now`;
 * - HEALTHY otherwise, and also when there are no runs at all: a new installation has nothing
 *   wrong yet (its first run has simply not happened).
 * Pass at least `FAILING_AFTER_FAILURES` runs; `lastSuccessAt` only sees the runs passed in.
 */
export function pipelineHealth(recentFinished: readonly PipelineRunRecord[], now: Date): PipelineHealth {
  const runs = recentFinished
    .filter((run) => run.status === "SUCCEEDED" || run.status === "FAILED")
    .sort((a, b) => endOf(b) - endOf(a));
  const lastSuccess = runs.find((run) => run.status === "SUCCEEDED");
  const failures = lastSuccess ? runs.indexOf(lastSuccess) : runs.length;
  const lastSuccessAt = lastSuccess ? new Date(endOf(lastSuccess)) : null;
  const health = { lastSuccessAt, consecutiveFailures: failures, lastRunId: runs[0]?.id ?? null };
  if (runs.length === 0) return { status: "HEALTHY", ...health };
  if (failures >= FAILING_AFTER_FAILURES) return { status: "FAILING", ...health };
  if (failures > 0 || !lastSuccess || now.getTime() - endOf(lastSuccess) > STALE_SUCCESS_MS) {
    return { status: "DEGRADED", ...health };
  }
  return { status: "HEALTHY", ...health };
}

/** When a run ended; older records without `finishedAt` fall back to when they started or were made. */
const endOf = (run: PipelineRunRecord) => (run.finishedAt ?? run.startedAt ?? run.createdAt).getTime();
