import { capturingLogger, silentLogger } from "@pokewatch/kit/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createPipelineRunner, type PipelineRunner } from "./pipeline-runner.js";
import { handleOccurrence, startPipelineScheduler } from "./pipeline-scheduler.js";
import { PipelineBusyError, type PipelineRunRecord } from "./pipeline-types.js";
import { nextRunAfter, type ScheduleDefinition } from "./schedule.js";
import type { StepContext } from "./steps/step.js";
import { createMemoryRunStore } from "./testing/memory-run-store.js";

const daily: ScheduleDefinition = { name: "daily-training", cron: "0 3 * * *", timezone: "UTC" };

/** A runner that records what it was asked and answers with `answer`. */
function recordingRunner(answer: () => Promise<Awaited<ReturnType<PipelineRunner["trigger"]>>>) {
  const calls: Parameters<PipelineRunner["trigger"]>[] = [];
  return {
    calls,
    trigger: (...args: Parameters<PipelineRunner["trigger"]>) => {
      calls.push(args);
      return answer();
    },
  };
}
const started = () =>
  Promise.resolve({
    run: { id: "run_1" } as PipelineRunRecord,
    done: Promise.resolve({ status: "SUCCEEDED" as const, error: null }),
  });

afterEach(() => {
  vi.useRealTimers();
});

describe("handleOccurrence", () => {
  it("starts a SCHEDULE run for the occurrence, to the minute", async () => {
    const runner = recordingRunner(started);
    const run = await handleOccurrence(runner, new Date("2026-11-28T03:00:00.840Z"), silentLogger());

    expect(run?.id).toBe("run_1");
    expect(runner.calls).toEqual([["SCHEDULE", { scheduledFor: new Date("2026-11-28T03:00:00Z") }]]);
  });

  it("takes a busy pipeline as the normal way to lose the occurrence: info, not an error", async () => {
    const { logger, lines } = capturingLogger();
    const runner = recordingRunner(() => Promise.reject(new PipelineBusyError("run_active")));

    expect(await handleOccurrence(runner, new Date("2026-11-28T03:00:00Z"), logger)).toBeNull();
    expect(lines()).toHaveLength(1);
    expect(JSON.parse(lines()[0]!)).toMatchObject({ level: 30, activeRunId: "run_active" });
  });

  it("logs any other failure as an error and does not throw (croner would drop it)", async () => {
    const { logger, lines } = capturingLogger();
    const runner = recordingRunner(() => Promise.reject(new Error("connection refused")));

    expect(await handleOccurrence(runner, new Date("2026-11-28T03:00:00Z"), logger)).toBeNull();
    expect(JSON.parse(lines()[0]!)).toMatchObject({ level: 50, err: { message: "connection refused" } });
  });

  it("lets one of two replicas start the occurrence's run", async () => {
    const store = createMemoryRunStore();
    const runner = () =>
      createPipelineRunner({
        store,
        steps: [],
        // No steps: the run only has to be created and finished.
        ctxFor: (runId) => ({ runId, logger: silentLogger() }) as StepContext,
        clock: () => new Date("2026-11-28T03:00:02Z"),
        logger: silentLogger(),
      });
    const [a, b] = [runner(), runner()];
    const runs = await Promise.all([
      handleOccurrence(a, new Date("2026-11-28T03:00:00.120Z"), silentLogger()),
      handleOccurrence(b, new Date("2026-11-28T03:00:01.900Z"), silentLogger()),
    ]);
    await Promise.all([a.idle(), b.idle()]);

    expect(runs.filter(Boolean)).toHaveLength(1);
    const { runs: stored } = await store.list({ trigger: "SCHEDULE" });
    expect(stored.map((r) => [r.status, r.scheduledFor])).toEqual([["SUCCEEDED", new Date("2026-11-28T03:00:00Z")]]);
    // The same occurrence again (a replica late to fire) does not run twice.
    expect(await handleOccurrence(a, new Date("2026-11-28T03:00:05Z"), silentLogger())).toBeNull();
  });
});

describe("startPipelineScheduler", () => {
  it("triggers at each occurrence of the schedule", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-28T02:59:59.500Z") });
    const runner = recordingRunner(started);
    const scheduler = startPipelineScheduler({ runner, schedule: daily, logger: silentLogger() });

    await vi.advanceTimersByTimeAsync(400);
    expect(runner.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(runner.calls).toEqual([["SCHEDULE", { scheduledFor: new Date("2026-11-28T03:00:00Z") }]]);
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(runner.calls.map(([, options]) => options?.scheduledFor)).toEqual([
      new Date("2026-11-28T03:00:00Z"),
      new Date("2026-11-29T03:00:00Z"),
    ]);
    scheduler.stop();
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(runner.calls).toHaveLength(2);
  });

  it("reads the cron in the schedule's timezone; nextRunAt is nextRunAfter the clock", () => {
    const berlin = { ...daily, timezone: "Europe/Berlin" };
    const clock = () => new Date("2026-11-28T05:30:00Z");
    const scheduler = startPipelineScheduler({
      runner: recordingRunner(started),
      schedule: berlin,
      logger: silentLogger(),
      clock,
    });

    expect(scheduler.nextRunAt()).toEqual(new Date("2026-11-29T02:00:00Z"));
    expect(scheduler.nextRunAt()).toEqual(nextRunAfter(berlin, clock()));
    scheduler.stop();
    expect(scheduler.nextRunAt()).toBeNull();
  });
});
