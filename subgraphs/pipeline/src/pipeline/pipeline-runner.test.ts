import { createPgliteDatabase, loadMigrations, runMigrations, type Logger } from "@pokewatch/kit";
import { capturingLogger, silentLogger } from "@pokewatch/kit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_STALE_AFTER_MS, createPipelineRunner, type CreatePipelineRunnerOptions } from "./pipeline-runner.js";
import { PipelineBusyError, STEP_NAMES, type RunStore, type StepName } from "./pipeline-types.js";
import type { PipelineStepEntry, RunEvent } from "./run-steps.js";
import { OWNER_STOPPED_ERROR, createRunOwnership, createRunStore } from "./run-store.js";
import { StepFailure, type PipelineStep, type StepContext } from "./steps/step.js";
import { createMemoryRunStore } from "./testing/memory-run-store.js";
import { trainingSteps } from "./training-steps.js";

const t0 = new Date("2026-11-28T03:00:00Z");
let now = t0;
const clock = () => now;

/** One non-cacheable step that waits for `release()`, so a test can look at a run in progress. */
function gatedStep(name: StepName = "ingest") {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const step: PipelineStep<unknown, unknown> = {
    name,
    cacheable: false,
    codeUrl: new URL(import.meta.url),
    run: () => gate.then(() => ({ output: {}, outputHash: "0".repeat(64), message: `${name} done` })),
  };
  const entries: PipelineStepEntry[] = [{ step, input: () => undefined, inputHashes: () => [] }];
  return { entries, release };
}

function ctxFor(logger: Logger) {
  return (runId: string): StepContext => {
    const unused = undefined as never;
    return {
      ...{ db: unused, prices: unused, registry: unused, catalog: unused, dataDir: "/nonexistent" },
      ...{ logger, clock, runId, options: unused },
    };
  };
}

const stores: [string, () => Promise<{ store: RunStore; close: () => Promise<void> }>][] = [
  ["in memory", () => Promise.resolve({ store: createMemoryRunStore(), close: () => Promise.resolve() })],
  [
    "in PGlite",
    async () => {
      const db = await createPgliteDatabase();
      await runMigrations(db, "pipeline", loadMigrations(new URL("../migrations/", import.meta.url)));
      return { store: createRunStore(db), close: () => db.close() };
    },
  ],
];

describe.each(stores)("createPipelineRunner with the run store %s", (_kind, open) => {
  let store: RunStore;
  let close: () => Promise<void>;
  beforeAll(async () => ({ store, close } = await open()));
  afterAll(() => close());
  const runners: { idle(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.idle()));
    now = t0;
  });

  function runner(options: Partial<CreatePipelineRunnerOptions> = {}) {
    const logger = options.logger ?? silentLogger();
    const created = createPipelineRunner({ store, ctxFor: ctxFor(logger), clock, logger, ...options });
    runners.push(created);
    return created;
  }

  it("stops the runs in progress: their steps see the stop signal and the run ends FAILED with the reason", async () => {
    const step: PipelineStep<unknown, unknown> = {
      name: "train",
      cacheable: false,
      codeUrl: new URL(import.meta.url),
      // As runInComputeWorker does: the worker is terminated and the step fails with the reason.
      run: (ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal!.addEventListener("abort", () =>
            reject(new StepFailure(`train stopped: ${String(ctx.signal!.reason)}`)),
          ),
        ),
    };
    const pipeline = runner({ steps: [{ step, input: () => undefined, inputHashes: () => [] }] });
    const { run, done } = await pipeline.trigger("MANUAL");
    await expect
      .poll(() => store.steps(run.id).then((steps) => steps.find((s) => s.name === "train")?.status))
      .toBe("RUNNING");
    pipeline.stop("the pipeline service is shutting down");
    await expect(done).resolves.toEqual({
      status: "FAILED",
      error: "train: train stopped: Error: the pipeline service is shutting down",
    });
    await pipeline.idle();
  });

  it("returns the queued run at once and runs it in the background", async () => {
    const { entries, release } = gatedStep();
    const events: RunEvent[] = [];
    const pipeline = runner({ steps: entries });
    const { run, done } = await pipeline.trigger("MANUAL", { onEvent: (event) => events.push(event) });

    expect(run).toMatchObject({ status: "QUEUED", trigger: "MANUAL", createdAt: t0, scheduledFor: null });
    await expect.poll(() => store.findById(run.id).then((r) => r?.status)).toBe("RUNNING");
    release();
    await expect(done).resolves.toEqual({ status: "SUCCEEDED", error: null });
    await pipeline.idle();
    expect(await store.findById(run.id)).toMatchObject({ status: "SUCCEEDED" });
    expect(events.map((e) => e.type)).toEqual(["step-started", "step-finished", "run-finished"]);
  });

  it("refuses a second run while one is active, here or in another runner", async () => {
    const { entries, release } = gatedStep();
    const { run, done } = await runner({ steps: entries }).trigger("MANUAL");

    const busy = await runner({ steps: entries })
      .trigger("MANUAL")
      .catch((err: unknown) => err);
    expect(busy).toBeInstanceOf(PipelineBusyError);
    expect(busy).toMatchObject({ activeRunId: run.id });
    release();
    await done;
    const after = gatedStep();
    const { done: next } = await runner({ steps: after.entries }).trigger("SCHEDULE", { scheduledFor: t0 });
    after.release();
    expect(await next).toEqual({ status: "SUCCEEDED", error: null });
  });

  it("fails runs a stopped process left behind: on start, and before each trigger", async () => {
    const { logger, lines } = capturingLogger();
    const pipeline = runner({ steps: gatedStep().entries, logger });
    const abandoned = await store.create({ trigger: "MANUAL", now });
    await store.start(abandoned.id, now);
    await store.updateStep(abandoned.id, "collect", { status: "RUNNING", startedAt: now });

    now = new Date(t0.getTime() + DEFAULT_STALE_AFTER_MS - 1_000);
    expect(await pipeline.recoverStale()).toEqual([]);
    now = new Date(t0.getTime() + DEFAULT_STALE_AFTER_MS + 1_000);
    expect(await pipeline.recoverStale()).toEqual([abandoned.id]);
    expect(await store.findById(abandoned.id)).toMatchObject({
      status: "FAILED",
      error: expect.stringContaining("no heartbeat since 2026-11-28T03:00:00.000Z"),
    });
    expect((await store.steps(abandoned.id)).map((s) => s.status)).toEqual([
      ...["FAILED", "SKIPPED", "SKIPPED", "SKIPPED", "SKIPPED", "SKIPPED", "SKIPPED", "SKIPPED"],
    ]);
    expect(lines().filter((line) => line.includes(abandoned.id) && line.includes('"level":40'))).toHaveLength(1);

    const again = await store.create({ trigger: "MANUAL", now });
    now = new Date(now.getTime() + 2 * DEFAULT_STALE_AFTER_MS);
    const { entries, release } = gatedStep();
    const { run, done } = await runner({ steps: entries }).trigger("MANUAL");
    expect(await store.findById(again.id)).toMatchObject({ status: "FAILED" });
    release();
    expect(await done).toEqual({ status: "SUCCEEDED", error: null });
    expect(run.id).not.toBe(again.id);
  });

  it("ends the run FAILED, without rejecting, when the run cannot even start", async () => {
    const { logger, lines } = capturingLogger();
    const ctxFor = () => {
      throw new Error("no database");
    };
    const { run, done } = await runner({ steps: gatedStep().entries, logger, ctxFor }).trigger("MANUAL");

    const error = `internal error (see the pipeline service log, run ${run.id})`;
    expect(await done).toEqual({ status: "FAILED", error });
    expect(await store.findById(run.id)).toMatchObject({ status: "FAILED", error });
    expect(lines().some((line) => line.includes('"level":50') && line.includes("no database"))).toBe(true);
  });
});

describe("createPipelineRunner on PGlite with run ownership", () => {
  it("fails at start every run left active, even with a fresh heartbeat; later, none of its own", async () => {
    const db = await createPgliteDatabase();
    try {
      await runMigrations(db, "pipeline", loadMigrations(new URL("../migrations/", import.meta.url)));
      const store = createRunStore(db);
      const left = await store.create({ trigger: "MANUAL", now });
      await store.start(left.id, now);
      await store.updateStep(left.id, "collect", { status: "RUNNING", startedAt: now });
      const { entries, release } = gatedStep();
      const options = { store, ctxFor: ctxFor(silentLogger()), clock, logger: silentLogger(), steps: entries };
      const runner = createPipelineRunner({ ...options, ownership: createRunOwnership(db) });

      expect(await runner.recoverStale()).toEqual([left.id]);
      expect(await store.findById(left.id)).toMatchObject({ status: "FAILED", error: OWNER_STOPPED_ERROR });
      expect((await store.steps(left.id)).map((s) => s.status)).toEqual([
        ...["FAILED", "SKIPPED", "SKIPPED", "SKIPPED", "SKIPPED", "SKIPPED", "SKIPPED", "SKIPPED"],
      ]);
      const { run, done } = await runner.trigger("MANUAL");
      expect(await runner.recoverStale()).toEqual([]);
      expect(await store.findById(run.id)).toMatchObject({ status: "RUNNING" });
      release();
      expect(await done).toEqual({ status: "SUCCEEDED", error: null });
    } finally {
      await db.close();
    }
  });
});

describe("createPipelineRunner misuse", () => {
  const base = { store: createMemoryRunStore(), ctxFor: ctxFor(silentLogger()), clock, logger: silentLogger() };

  it("refuses a stale limit that a live run could reach between two heartbeats", () => {
    expect(() => createPipelineRunner({ ...base, staleAfterMs: 10_000, heartbeatMs: 10_000 })).toThrow(
      "staleAfterMs (10000) must be longer than heartbeatMs (10000)",
    );
    expect(() => createPipelineRunner({ ...base, staleAfterMs: -1 })).toThrow(
      "staleAfterMs must be a positive number of milliseconds, got -1",
    );
  });
});

describe("trainingSteps (the runner's default)", () => {
  it("are the eight steps in run order, register and promote never cached", () => {
    expect(trainingSteps.map(({ step }) => step.name)).toEqual(STEP_NAMES);
    expect(trainingSteps.filter(({ step }) => !step.cacheable).map(({ step }) => step.name)).toEqual([
      "register",
      "promote",
    ]);
  });

  it("hand each step the outputs it names, and their hashes for its cache key", () => {
    const names = ["collect", "ingest", "validate", "features", "train", "evaluate", "register"] as const;
    const outputs = new Map<StepName, unknown>(names.map((name) => [name, `${name} output`]));
    const hashes = new Map<StepName, string>(names.map((name) => [name, `${name} hash`]));
    const wiring = trainingSteps.map(({ step, input, inputHashes }) => [
      step.name,
      input(outputs),
      inputHashes(hashes),
    ]);

    expect(wiring).toEqual([
      ["collect", undefined, []],
      ["ingest", undefined, []],
      ["validate", "ingest output", ["ingest hash"]],
      ["features", "validate output", ["validate hash"]],
      ["train", "features output", ["features hash"]],
      ["evaluate", { features: "features output", train: "train output" }, ["features hash", "train hash"]],
      ["register", { train: "train output" }, ["train hash"]],
      ["promote", { evaluate: "evaluate output", register: "register output" }, ["evaluate hash", "register hash"]],
    ]);
    expect(() => trainingSteps[7]!.input(new Map())).toThrow("promote needs the output of evaluate, which has not run");
  });
});
