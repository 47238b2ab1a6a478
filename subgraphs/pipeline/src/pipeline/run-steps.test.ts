import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { createPgliteDatabase, loadMigrations, runMigrations, type Logger } from "@pokewatch/kit";
import { capturingLogger, silentLogger } from "@pokewatch/kit/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RunStore, StepName } from "./pipeline-types.js";
import { runSteps, type PipelineStepEntry, type RunEvent, type RunStepsOptions } from "./run-steps.js";
import { createRunStore } from "./run-store.js";
import { StepFailure, StepStop, type PipelineStep, type StepContext } from "./steps/step.js";
import { createMemoryRunStore } from "./testing/memory-run-store.js";
import { DEFAULT_COLLECT_OPTIONS } from "./collect/collect-options.js";

const CACHED = "cached: same inputs and code as an earlier successful run";

/** Starts at a fixed instant; only the fake steps move it, so durations are exact. */
function manualClock(start = new Date("2026-11-28T03:00:00Z")) {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}
type Clock = ReturnType<typeof manualClock>;

const hashOf = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

interface FakeOptions {
  cacheable?: boolean;
  /** How long the step takes on the test clock. @default 100 */
  ms?: number;
  output?: (input: unknown) => unknown;
  cacheInput?: () => string;
  codeUrl?: URL;
  deserialize?: (body: Buffer) => unknown;
}

type FakeStep = PipelineStep<unknown, unknown> & { inputs: unknown[] };

function fakeStep(name: StepName, clock: Clock, options: FakeOptions = {}): FakeStep {
  const inputs: unknown[] = [];
  const { cacheInput } = options;
  return {
    name,
    cacheable: options.cacheable ?? true,
    codeUrl: options.codeUrl ?? new URL(import.meta.url),
    inputs,
    ...(cacheInput && { cacheInput: () => Promise.resolve(cacheInput()) }),
    run(_ctx, input) {
      inputs.push(input);
      clock.advance(options.ms ?? 100);
      const output = options.output ? options.output(input) : { step: name, input };
      return Promise.resolve({ output, outputHash: hashOf(output), message: `${name} done` });
    },
    serialize: (output) => Buffer.from(JSON.stringify(output)),
    deserialize: options.deserialize ?? ((body) => JSON.parse(body.toString("utf8")) as unknown),
  };
}

const comparison = {
  candidate: { n: 90, mape: 0.04, rmse: 1.5, mae: 0.7, intervalCoverage: 0.8 },
  production: null,
  productionModelId: null,
  better: true,
};

/**
 * Eight fake steps wired as the training steps are. Ingest reads `data` (its cache input is the
 * data's version, its output the content), so each test gets cache keys of its own.
 */
function fakePipeline(
  clock: Clock,
  data: { version: string; content: string },
  overrides: Partial<Record<StepName, FakeOptions>> = {},
) {
  const steps = {
    collect: fakeStep("collect", clock, { cacheInput: () => data.version, ...overrides.collect }),
    ingest: fakeStep("ingest", clock, {
      cacheInput: () => data.version,
      output: () => ({ rows: data.content }),
      ...overrides.ingest,
    }),
    validate: fakeStep("validate", clock, overrides.validate),
    features: fakeStep("features", clock, overrides.features),
    train: fakeStep("train", clock, overrides.train),
    evaluate: fakeStep("evaluate", clock, {
      output: () => ({ comparison, plots: [{ name: "predicted-vs-actual.svg", svg: `<svg>${data.content}</svg>` }] }),
      ...overrides.evaluate,
    }),
    register: fakeStep("register", clock, {
      cacheable: false,
      output: () => ({ modelVersionId: "mv_1", reused: false }),
      ...overrides.register,
    }),
    promote: fakeStep("promote", clock, {
      cacheable: false,
      output: () => ({ promoted: true, previousProductionId: null }),
      ...overrides.promote,
    }),
  };
  const from = (names: StepName[]): Pick<PipelineStepEntry, "input" | "inputHashes"> => ({
    input: (outputs) => Object.fromEntries(names.map((name) => [name, outputs.get(name)])),
    inputHashes: (hashes) => names.map((name) => hashes.get(name)!),
  });
  const entries: PipelineStepEntry[] = [
    { step: steps.collect, input: () => undefined, inputHashes: () => [] },
    { step: steps.ingest, input: () => undefined, inputHashes: () => [] },
    { step: steps.validate, ...from(["ingest"]) },
    { step: steps.features, ...from(["validate"]) },
    { step: steps.train, ...from(["features"]) },
    { step: steps.evaluate, ...from(["features", "train"]) },
    { step: steps.register, ...from(["train"]) },
    { step: steps.promote, ...from(["evaluate", "register"]) },
  ];
  return { steps, entries };
}

function testContext(runId: string, logger: Logger, clock: Clock): StepContext {
  // The fake steps use none of the services; a step that reached for one would fail loudly.
  const unused = undefined as never;
  return {
    ...{ db: unused, prices: unused, registry: unused, catalog: unused },
    ...{ logger, clock: clock.now, dataDir: "/nonexistent", runId },
    options: {
      collect: DEFAULT_COLLECT_OPTIONS,
      maxGapShare: 0.5,
      maxInvalidShare: 0.05,
      simulateIfEmpty: false,
      simulateDays: 1,
      simulateSeed: 1,
      computeTimeoutMs: 60_000,
    },
  };
}

async function execute(
  store: RunStore,
  entries: readonly PipelineStepEntry[],
  clock: Clock,
  options: { logger?: Logger; heartbeatMs?: number } = {},
) {
  const events: RunEvent[] = [];
  const { id: runId } = await store.create({ trigger: "MANUAL", now: clock.now() });
  const ctx = testContext(runId, options.logger ?? silentLogger(), clock);
  const run: RunStepsOptions = { store, runId, steps: entries, ctx, clock: clock.now, onEvent: (e) => events.push(e) };
  const outcome = await runSteps({ ...run, ...(options.heartbeatMs && { heartbeatMs: options.heartbeatMs }) });
  return { runId, outcome, events, run: (await store.findById(runId))!, steps: await store.steps(runId) };
}

const summary = (steps: { name: string; status: string; message: string | null }[]) =>
  steps.map(({ name, status, message }) => `${name} ${status} ${message}`);

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

describe.each(stores)("runSteps with the run store %s", (_kind, open) => {
  let store: RunStore;
  let close: () => Promise<void>;
  beforeAll(async () => ({ store, close } = await open()));
  afterAll(() => close());
  let dataVersion = 0;
  const freshData = () => ({ version: `v${++dataVersion}`, content: `prices ${dataVersion}` });

  it("runs every step in order and records statuses, durations, messages and the outcome", async () => {
    const clock = manualClock();
    const { entries } = fakePipeline(clock, freshData(), { train: { ms: 2_500 } });
    const { outcome, run, steps, events, runId } = await execute(store, entries, clock);

    expect(outcome).toEqual({ status: "SUCCEEDED", error: null });
    expect(steps.map(({ name, status, durationMs, message }) => ({ name, status, durationMs, message }))).toEqual(
      ["collect", "ingest", "validate", "features", "train", "evaluate", "register", "promote"].map((name) => ({
        name,
        status: "SUCCEEDED",
        durationMs: name === "train" ? 2_500 : 100,
        message: `${name} done`,
      })),
    );
    for (const step of steps) {
      expect(step.cacheKey).toMatch(/^[0-9a-f]{64}$/);
      expect(step.outputHash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(run).toMatchObject({
      status: "SUCCEEDED",
      error: null,
      startedAt: new Date("2026-11-28T03:00:00Z"),
      finishedAt: new Date("2026-11-28T03:00:03.200Z"),
      durationMs: 3_200,
      producedModelId: "mv_1",
      promoted: true,
      comparison,
    });
    expect(events.slice(0, 2)).toEqual([
      { type: "step-started", runId, name: "collect" },
      { type: "step-finished", runId, name: "collect", status: "SUCCEEDED", durationMs: 100, message: "collect done" },
    ]);
    expect(events.at(-1)).toEqual({ type: "run-finished", runId, status: "SUCCEEDED", error: null });
    expect(events).toHaveLength(17);
  });

  it("saves the plots of an output as SVG artifacts of the run", async () => {
    const clock = manualClock();
    const data = freshData();
    const plots = [
      { name: "predicted-vs-actual.svg", svg: "<svg>a</svg>" },
      { name: "error-distribution.svg", svg: "<svg>b</svg>" },
    ];
    const { entries } = fakePipeline(clock, data, { evaluate: { output: () => ({ comparison, plots }) } });
    const { runId } = await execute(store, entries, clock);

    expect(await store.artifactNames(runId)).toEqual(["error-distribution.svg", "predicted-vs-actual.svg"]);
    expect(await store.artifact(runId, "error-distribution.svg")).toEqual({
      runId,
      name: "error-distribution.svg",
      contentType: "image/svg+xml",
      body: "<svg>b</svg>",
      sha256: createHash("sha256").update("<svg>b</svg>").digest("hex"),
    });
  });

  it("fails the run at a StepFailure, names the step, and skips the steps after it", async () => {
    const clock = manualClock();
    const failing = () => {
      throw new StepFailure("only 3 rows; training needs at least 100");
    };
    const { entries, steps: fakes } = fakePipeline(clock, freshData(), { train: { output: failing } });
    const { outcome, run, steps, events } = await execute(store, entries, clock);

    expect(outcome).toEqual({ status: "FAILED", error: "train: only 3 rows; training needs at least 100" });
    expect(summary(steps)).toEqual([
      "collect SUCCEEDED collect done",
      "ingest SUCCEEDED ingest done",
      "validate SUCCEEDED validate done",
      "features SUCCEEDED features done",
      "train FAILED only 3 rows; training needs at least 100",
      "evaluate SKIPPED skipped: train failed",
      "register SKIPPED skipped: train failed",
      "promote SKIPPED skipped: train failed",
    ]);
    expect(steps[4]).toMatchObject({ durationMs: 100, outputHash: null });
    expect(steps[5]).toMatchObject({ startedAt: null, durationMs: null });
    expect(fakes.evaluate.inputs).toEqual([]);
    expect(run).toMatchObject({ status: "FAILED", error: outcome.error, producedModelId: null, promoted: false });
    expect(events).toContainEqual({
      ...{ type: "step-finished", runId: run.id, name: "promote", status: "SKIPPED" },
      ...{ durationMs: null, message: "skipped: train failed" },
    });
  });

  it("ends the run SUCCEEDED when a step has nothing to do yet (StepStop): it and the later steps SKIPPED, nothing cached", async () => {
    const clock = manualClock();
    const reason = "not enough history to train yet: the longest of the 3 cards' price histories is 1 day";
    const stop = () => {
      throw new StepStop(reason);
    };
    const data = freshData();
    const { entries, steps: fakes } = fakePipeline(clock, data, { features: { output: stop } });
    const { outcome, steps, run } = await execute(store, entries, clock);

    expect(outcome).toEqual({ status: "SUCCEEDED", error: null });
    expect(summary(steps).slice(3)).toEqual([
      `features SKIPPED ${reason}`,
      "train SKIPPED skipped: features had nothing to do yet",
      "evaluate SKIPPED skipped: features had nothing to do yet",
      "register SKIPPED skipped: features had nothing to do yet",
      "promote SKIPPED skipped: features had nothing to do yet",
    ]);
    expect(fakes.train.inputs).toEqual([]);
    expect(run).toMatchObject({ status: "SUCCEEDED", error: null, producedModelId: null, promoted: false });

    // Tomorrow, with more history, the same step runs again: a stop is never served from the cache.
    const next = fakePipeline(clock, data);
    const again = await execute(store, next.entries, clock);
    expect(summary(again.steps)[3]).toBe("features SUCCEEDED features done");
    expect(again.outcome).toEqual({ status: "SUCCEEDED", error: null });
  });

  it("fails the run with 'internal error' at any other throw, and logs it with its stack", async () => {
    const clock = manualClock();
    const { logger, lines } = capturingLogger();
    const broken = () => {
      throw new TypeError("Cannot read properties of undefined (reading 'rows')");
    };
    const { entries } = fakePipeline(clock, freshData(), { features: { output: broken } });
    const { outcome, steps, run } = await execute(store, entries, clock, { logger });

    // The error's own text stays in the log: run and step messages are visible to API callers.
    const message = `internal error (see the pipeline service log, run ${run.id})`;
    expect(outcome).toEqual({ status: "FAILED", error: `features: ${message}` });
    expect(steps[3]).toMatchObject({ name: "features", status: "FAILED", message });
    expect(steps.slice(4).map((s) => s.status)).toEqual(["SKIPPED", "SKIPPED", "SKIPPED", "SKIPPED"]);
    const logged = lines()
      .map((line) => JSON.parse(line) as { level: number; step?: string; err?: { stack: string } })
      .find((line) => line.level === 50);
    expect(logged).toMatchObject({
      runId: run.id,
      step: "features",
      err: {
        message: "Cannot read properties of undefined (reading 'rows')",
        stack: expect.stringContaining("TypeError"),
      },
    });
  });

  it("reuses the outputs of an earlier run with the same inputs and code; register and promote run again", async () => {
    const clock = manualClock();
    const data = freshData();
    const first = fakePipeline(clock, data);
    const firstRun = await execute(store, first.entries, clock);
    const second = fakePipeline(clock, data);
    const { outcome, steps, runId, run } = await execute(store, second.entries, clock);

    expect(outcome.status).toBe("SUCCEEDED");
    expect(summary(steps)).toEqual([
      `collect CACHED ${CACHED}`,
      `ingest CACHED ${CACHED}`,
      `validate CACHED ${CACHED}`,
      `features CACHED ${CACHED}`,
      `train CACHED ${CACHED}`,
      `evaluate CACHED ${CACHED}`,
      "register SUCCEEDED register done",
      "promote SUCCEEDED promote done",
    ]);
    expect(steps.map((s) => [s.cacheKey, s.outputHash])).toEqual(firstRun.steps.map((s) => [s.cacheKey, s.outputHash]));
    expect(second.steps.train.inputs).toEqual([]);
    // The cached outputs are handed on as the first run produced them.
    expect(second.steps.promote.inputs).toEqual(first.steps.promote.inputs);
    expect(steps[0]!.durationMs).toBe(0);
    expect(run).toMatchObject({ producedModelId: "mv_1", comparison });
    expect(await store.artifactNames(runId)).toEqual(["predicted-vs-actual.svg"]);
  });

  it("runs again what new data reaches, and only that", async () => {
    const clock = manualClock();
    const data = freshData();
    await execute(store, fakePipeline(clock, data).entries, clock);

    const newData = await execute(
      store,
      fakePipeline(clock, { ...data, version: `${data.version}+1`, content: "new" }).entries,
      clock,
    );
    expect(newData.steps.map((s) => s.status)).toEqual(Array(8).fill("SUCCEEDED"));

    // Re-read data with the same content: collect and ingest run, the steps after them see the same input.
    const sameContent = await execute(
      store,
      fakePipeline(clock, { ...data, version: `${data.version}+2` }).entries,
      clock,
    );
    expect(sameContent.steps.map((s) => s.status)).toEqual([
      ...["SUCCEEDED", "SUCCEEDED", "CACHED", "CACHED", "CACHED", "CACHED", "SUCCEEDED", "SUCCEEDED"],
    ]);
  });

  it("runs a step again when its code changed", async () => {
    const clock = manualClock();
    const data = freshData();
    await execute(store, fakePipeline(clock, data).entries, clock);
    const changed = fakePipeline(clock, data, { validate: { codeUrl: new URL("./run-steps.ts", import.meta.url) } });
    const { steps } = await execute(store, changed.entries, clock);

    // Its output is the same, so the steps after it are still cached.
    expect(steps.slice(0, 4).map((s) => s.status)).toEqual(["CACHED", "CACHED", "SUCCEEDED", "CACHED"]);
  });

  it("runs a step again when its cached output no longer loads", async () => {
    const clock = manualClock();
    const { logger, lines } = capturingLogger();
    const data = freshData();
    await execute(store, fakePipeline(clock, data).entries, clock);
    const unreadable = () => {
      throw new SyntaxError("Unexpected token");
    };
    const { steps } = await execute(
      store,
      fakePipeline(clock, data, { features: { deserialize: unreadable } }).entries,
      clock,
      {
        logger,
      },
    );

    expect(steps.slice(2, 5).map((s) => s.status)).toEqual(["CACHED", "SUCCEEDED", "CACHED"]);
    expect(lines().some((line) => line.includes("cached output does not load"))).toBe(true);
  });

  it("beats the heart while it runs and stops when it ends", async () => {
    const clock = manualClock();
    const heartbeat = vi.spyOn(store, "heartbeat");
    const slow: FakeStep = {
      ...fakeStep("train", clock),
      run: () => sleep(60).then(() => ({ output: 1, outputHash: "h", message: "slow" })),
    };
    const { entries } = fakePipeline(clock, freshData());
    entries[4] = { ...entries[4]!, step: slow };
    const { runId } = await execute(store, entries, clock, { heartbeatMs: 10 });

    const beats = heartbeat.mock.calls.length;
    expect(beats).toBeGreaterThanOrEqual(2);
    expect(heartbeat).toHaveBeenCalledWith(runId, expect.any(Date));
    await sleep(40);
    expect(heartbeat.mock.calls.length).toBe(beats);
    heartbeat.mockRestore();
  });
});

describe("runSteps on a run another replica ended", () => {
  let db: Awaited<ReturnType<typeof createPgliteDatabase>>;
  beforeAll(async () => {
    db = await createPgliteDatabase();
    await runMigrations(db, "pipeline", loadMigrations(new URL("../migrations/", import.meta.url)));
  });
  afterAll(() => db.close());

  it("stops before register and promote, and leaves the run as the other replica failed it", async () => {
    const store = createRunStore(db);
    const clock = manualClock();
    // While evaluate runs, another replica decides the run is abandoned and fails it (PGlite runs
    // queries in order, so this lands before the step is recorded).
    const failElsewhere = () => {
      void store.failStale(new Date("2100-01-01T00:00:00Z"), clock.now());
      return { comparison, plots: [] };
    };
    const { steps: fakes, entries } = fakePipeline(
      clock,
      { version: "ended", content: "x" },
      {
        evaluate: { output: failElsewhere, cacheable: false },
      },
    );
    const events: RunEvent[] = [];
    const { id: runId } = await store.create({ trigger: "MANUAL", now: clock.now() });
    const ctx = testContext(runId, silentLogger(), clock);
    const outcome = await runSteps({
      store,
      runId,
      steps: entries,
      ctx,
      clock: clock.now,
      onEvent: (e) => events.push(e),
    });

    const error = "the process running it stopped: no heartbeat since 2026-11-28T03:00:00.000Z";
    expect(outcome).toEqual({ status: "FAILED", error });
    expect(fakes.register.inputs).toEqual([]);
    expect(fakes.promote.inputs).toEqual([]);
    expect(await store.findById(runId)).toMatchObject({
      status: "FAILED",
      error,
      producedModelId: null,
      promoted: false,
    });
    expect((await store.steps(runId)).map((s) => s.status)).toEqual([
      ...["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED", "SKIPPED", "SKIPPED"],
    ]);
    expect(events.at(-1)).toEqual({ type: "run-finished", runId, status: "FAILED", error });
    expect(events.some((e) => e.type === "step-started" && e.name === "register")).toBe(false);
  });
});

describe("runSteps misuse", () => {
  const clock = manualClock();
  const options = async (entries: PipelineStepEntry[], overrides: Partial<RunStepsOptions> = {}) => {
    const store = createMemoryRunStore();
    const { id } = await store.create({ trigger: "MANUAL", now: clock.now() });
    return {
      store,
      runId: id,
      steps: entries,
      ctx: testContext(id, silentLogger(), clock),
      clock: clock.now,
      ...overrides,
    };
  };
  const { entries } = fakePipeline(clock, { version: "v", content: "c" });

  it("refuses a cacheable step that cannot be stored", async () => {
    const unstorable = { ...fakeStep("ingest", clock), serialize: undefined };
    await expect(runSteps(await options([{ ...entries[0]!, step: unstorable }]))).rejects.toThrow(
      'step "ingest" is cacheable, so it needs serialize and deserialize',
    );
  });

  it("refuses a step listed twice, a heartbeat that is not a positive duration, and a context of another run", async () => {
    await expect(runSteps(await options([entries[0]!, entries[0]!]))).rejects.toThrow('step "collect" appears twice');
    await expect(runSteps(await options(entries, { heartbeatMs: 0 }))).rejects.toThrow(
      "heartbeatMs must be a positive number of milliseconds, got 0",
    );
    const base = await options(entries);
    await expect(runSteps({ ...base, ctx: { ...base.ctx, runId: "run_other" } })).rejects.toThrow(/ctx.runId must be/);
  });

  it("goes on when an event listener throws", async () => {
    const onEvent = () => {
      throw new Error("listener bug");
    };
    await expect(runSteps({ ...(await options(entries)), onEvent })).resolves.toEqual({
      status: "SUCCEEDED",
      error: null,
    });
  });
});
