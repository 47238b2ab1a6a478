import { describe, expect, it } from "vitest";
import { pipelineHealth } from "./pipeline-health.js";
import type { PipelineRunRecord, RunStatus } from "./pipeline-types.js";

const now = new Date("2026-03-10T12:00:00Z");
const HOUR = 60 * 60 * 1000;

/** A run that finished `hoursAgo` before `now`. */
function run(id: string, status: RunStatus, hoursAgo: number): PipelineRunRecord {
  const finishedAt = new Date(now.getTime() - hoursAgo * HOUR);
  return {
    id,
    status,
    trigger: "SCHEDULE",
    createdAt: new Date(finishedAt.getTime() - HOUR),
    startedAt: new Date(finishedAt.getTime() - HOUR),
    finishedAt,
    durationMs: HOUR,
    error: status === "FAILED" ? "train: boom" : null,
    scheduledFor: null,
    heartbeatAt: finishedAt,
    producedModelId: null,
    promoted: false,
    comparison: null,
  };
}

describe("pipelineHealth", () => {
  it("is HEALTHY with no runs at all: nothing has gone wrong yet", () => {
    expect(pipelineHealth([], now)).toEqual({
      status: "HEALTHY",
      lastSuccessAt: null,
      consecutiveFailures: 0,
      lastRunId: null,
    });
  });

  it("is HEALTHY when the last run succeeded within 2 days", () => {
    const runs = [run("run_c", "SUCCEEDED", 47), run("run_b", "FAILED", 71), run("run_a", "FAILED", 95)];
    expect(pipelineHealth(runs, now)).toEqual({
      status: "HEALTHY",
      lastSuccessAt: runs[0]!.finishedAt,
      consecutiveFailures: 0,
      lastRunId: "run_c",
    });
  });

  it("is DEGRADED when the last run failed", () => {
    const runs = [run("run_b", "FAILED", 1), run("run_a", "SUCCEEDED", 25)];
    expect(pipelineHealth(runs, now)).toEqual({
      status: "DEGRADED",
      lastSuccessAt: runs[1]!.finishedAt,
      consecutiveFailures: 1,
      lastRunId: "run_b",
    });
  });

  it("is DEGRADED when the last success is more than 2 days old, even though it was the last run", () => {
    expect(pipelineHealth([run("run_a", "SUCCEEDED", 49)], now)).toMatchObject({
      status: "DEGRADED",
      consecutiveFailures: 0,
    });
    expect(pipelineHealth([run("run_a", "SUCCEEDED", 48)], now).status).toBe("HEALTHY");
  });

  it("is DEGRADED when runs exist but none ever succeeded (fewer than 3)", () => {
    const runs = [run("run_b", "FAILED", 1), run("run_a", "FAILED", 2)];
    expect(pipelineHealth(runs, now)).toEqual({
      status: "DEGRADED",
      lastSuccessAt: null,
      consecutiveFailures: 2,
      lastRunId: "run_b",
    });
  });

  it("is FAILING when the last 3 runs failed, and counts every failure since the last success", () => {
    const runs = [
      run("run_e", "FAILED", 1),
      run("run_d", "FAILED", 25),
      run("run_c", "FAILED", 49),
      run("run_b", "FAILED", 73),
      run("run_a", "SUCCEEDED", 97),
    ];
    expect(pipelineHealth(runs, now)).toEqual({
      status: "FAILING",
      lastSuccessAt: runs[4]!.finishedAt,
      consecutiveFailures: 4,
      lastRunId: "run_e",
    });
  });

  it("orders the runs itself and ignores any that are not finished", () => {
    const runs = [
      run("run_a", "SUCCEEDED", 30),
      { ...run("run_x", "RUNNING", 0), finishedAt: null },
      run("run_c", "FAILED", 2),
      run("run_y", "CANCELLED", 1),
      run("run_b", "FAILED", 10),
    ];
    expect(pipelineHealth(runs, now)).toEqual({
      status: "DEGRADED",
      lastSuccessAt: runs[0]!.finishedAt,
      consecutiveFailures: 2,
      lastRunId: "run_c",
    });
  });
});
