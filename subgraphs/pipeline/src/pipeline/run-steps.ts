import type { RunComparison, RunStore, StepName, StepStatus } from "./pipeline-types.js";
import { RunNotActiveError } from "./run-store.js";
import { codeVersionOf, sha256Hex } from "./steps/content-hash.js";
import { StepFailure, StepStop, type PipelineStep, type StepContext, type StepResult } from "./steps/step.js";

/**
 * One step of a pipeline and where its input comes from. The executor knows nothing of what the
 * steps exchange: each entry picks what it needs from the earlier steps' outputs and hashes.
 */
export interface PipelineStepEntry {
  // Method syntax in PipelineStep makes `unknown` accept any concrete step.
  step: PipelineStep<unknown, unknown>;
  /** The step's input, built from the outputs of the steps before it. */
  input: (outputs: ReadonlyMap<StepName, unknown>) => unknown;
  /** The `outputHash`es of the earlier outputs that input is made of, for the cache key. */
  inputHashes: (hashes: ReadonlyMap<StepName, string>) => string[];
}

/** Progress of a run, as it happens (the CLI prints these). */
export type RunEvent =
  | { type: "step-started"; runId: string; name: StepName }
  /** A long step's progress (training: trees grown). */
  | { type: "step-progress"; runId: string; name: StepName; message: string }
  | {
      type: "step-finished";
      runId: string;
      name: StepName;
      status: StepStatus;
      /** Null for a step that was skipped without starting. */
      durationMs: number | null;
      message: string;
    }
  | { type: "run-finished"; runId: string; status: RunOutcome["status"]; error: string | null };

export interface RunOutcome {
  status: "SUCCEEDED" | "FAILED";
  /** `<step>: <message>` of the step that failed. */
  error: string | null;
}

export interface RunStepsOptions {
  store: RunStore;
  runId: string;
  steps: readonly PipelineStepEntry[];
  ctx: StepContext;
  clock: () => Date;
  /** How often the run proves it is alive while it runs. @default 10_000 */
  heartbeatMs?: number;
  onEvent?: (event: RunEvent) => void;
}

export const DEFAULT_HEARTBEAT_MS = 10_000;

const CACHED_MESSAGE = "cached: same inputs and code as an earlier successful run";

/**
 * What run and step messages say of an unexpected error: they are visible to API callers, so the
 * error itself (message and stack) goes to the log only, where this points.
 */
export const internalError = (runId: string) => `internal error (see the pipeline service log, run ${runId})`;

/**
 * Runs the steps of a created run in order, writing every state change to the store as it
 * happens. A failing step (StepFailure, or any error inside it) ends the run FAILED, the later
 * steps SKIPPED, and resolves; a step that has nothing to do yet (StepStop) ends it SUCCEEDED, itself
 * and the later steps SKIPPED; it rejects only on bad options or when the store fails between steps.
 * A run that stops being active meanwhile (another replica failed it as abandoned) is left as it is:
 * the remaining steps (register, promote) do not run, and the outcome is FAILED.
 */
export async function runSteps(options: RunStepsOptions): Promise<RunOutcome> {
  const { store, runId, steps, ctx, clock, heartbeatMs = DEFAULT_HEARTBEAT_MS } = options;
  assertRunnable(steps, heartbeatMs);
  if (ctx.runId !== runId) throw new TypeError(`ctx.runId must be the run's id ${runId}, got ${ctx.runId}`);
  const emit = (event: RunEvent) => {
    try {
      options.onEvent?.(event);
    } catch (err) {
      ctx.logger.warn({ err, runId }, "a run event listener threw; the run goes on");
    }
  };
  const outputs = new Map<StepName, unknown>();
  const hashes = new Map<StepName, string>();
  let failed: { name: StepName; message: string } | null = null;
  /** The step that found nothing more to do yet (StepStop): the rest is skipped, the run succeeds. */
  let stoppedBy: StepName | null = null;

  await store.start(runId, clock());
  const heartbeat = setInterval(() => {
    store.heartbeat(runId, clock()).catch((err: unknown) => ctx.logger.warn({ err, runId }, "heartbeat failed"));
  }, heartbeatMs);
  heartbeat.unref();
  try {
    return await runAll();
  } catch (err) {
    if (!(err instanceof RunNotActiveError)) throw err;
    ctx.logger.error({ runId, status: err.status }, "the run was ended elsewhere (failed as abandoned); stopping it");
    const stored = await store.findById(runId).catch(() => null);
    const error = stored?.error ?? `the run was ended elsewhere: it is ${err.status}`;
    emit({ type: "run-finished", runId, status: "FAILED", error });
    return { status: "FAILED", error };
  } finally {
    clearInterval(heartbeat);
  }

  async function runAll(): Promise<RunOutcome> {
    for (const entry of steps) {
      const { name } = entry.step;
      if (failed || stoppedBy) {
        const message = failed ? `skipped: ${failed.name} failed` : `skipped: ${stoppedBy} had nothing to do yet`;
        await store.updateStep(runId, name, { status: "SKIPPED", message });
        emit({ type: "step-finished", runId, name, status: "SKIPPED", durationMs: null, message });
        continue;
      }
      const startedAt = clock();
      await store.updateStep(runId, name, { status: "RUNNING", startedAt });
      emit({ type: "step-started", runId, name });
      const stepCtx: StepContext = {
        ...ctx,
        progress: (message) => {
          ctx.progress?.(message);
          emit({ type: "step-progress", runId, name, message });
        },
      };
      const done = await runOne(entry, { store, ctx: stepCtx, outputs, hashes });
      const finishedAt = clock();
      await store.updateStep(runId, name, {
        status: done.status,
        finishedAt,
        message: done.message,
        cacheKey: done.cacheKey,
        outputHash: done.outputHash,
      });
      const durationMs = finishedAt.getTime() - startedAt.getTime();
      emit({ type: "step-finished", runId, name, status: done.status, durationMs, message: done.message });
      if (done.status === "FAILED") failed = { name, message: done.message };
      if (done.stop) stoppedBy = name;
    }

    const status = failed ? "FAILED" : "SUCCEEDED";
    const error = failed ? `${failed.name}: ${failed.message}` : null;
    await store.finish(runId, { status, error, ...outcomeOf(outputs), now: clock() });
    emit({ type: "run-finished", runId, status, error });
    return { status, error };
  }
}

interface StepDone {
  status: "SUCCEEDED" | "CACHED" | "SKIPPED" | "FAILED";
  message: string;
  cacheKey: string | null;
  outputHash: string | null;
  /** The step threw StepStop: the later steps are skipped and the run succeeds. */
  stop?: boolean;
}

interface RunState {
  store: RunStore;
  ctx: StepContext;
  outputs: Map<StepName, unknown>;
  hashes: Map<StepName, string>;
}

/** One step: from the cache when allowed and possible, else run; never throws. */
async function runOne(entry: PipelineStepEntry, { store, ctx, outputs, hashes }: RunState): Promise<StepDone> {
  const { step } = entry;
  let cacheKey: string | null = null;
  try {
    cacheKey = await cacheKeyOf(entry, hashes, ctx);
    let result: StepResult<unknown> | null = await fromCache(step, cacheKey, store, ctx);
    let status: StepDone["status"] = result ? "CACHED" : "SUCCEEDED";
    if (!result) {
      result = await step.run(ctx, entry.input(outputs));
      if (step.cacheable && step.serialize) {
        await store.saveOutput(step.name, cacheKey, result.outputHash, result.body ?? step.serialize(result.output));
      }
      if (result.skipped) status = "SKIPPED";
    }
    await savePlots(store, ctx.runId, result.output);
    outputs.set(step.name, result.output);
    hashes.set(step.name, result.outputHash);
    return { status, message: result.message, cacheKey, outputHash: result.outputHash };
  } catch (err) {
    if (err instanceof StepStop) {
      ctx.logger.info({ runId: ctx.runId, step: step.name, reason: err.message }, "step found nothing to do yet");
      return { status: "SKIPPED", message: err.message, cacheKey, outputHash: null, stop: true };
    }
    if (err instanceof StepFailure) {
      // A worker thread's crash is a StepFailure whose cause (the error itself) belongs in the log.
      const cause = err.cause === undefined ? {} : { err: err.cause };
      ctx.logger.warn({ runId: ctx.runId, step: step.name, reason: err.message, ...cause }, "step failed");
      return { status: "FAILED", message: err.message, cacheKey, outputHash: null };
    }
    ctx.logger.error({ err, runId: ctx.runId, step: step.name }, "step failed with an unexpected error");
    return { status: "FAILED", message: internalError(ctx.runId), cacheKey, outputHash: null };
  }
}

/** The stored output of an earlier run with the same key, or null (a body that no longer loads is a miss). */
async function fromCache(step: PipelineStep<unknown, unknown>, cacheKey: string, store: RunStore, ctx: StepContext) {
  if (!step.cacheable || !step.deserialize) return null;
  const cached = await store.findCachedOutput(step.name, cacheKey);
  if (!cached) return null;
  try {
    return { output: step.deserialize(cached.body), outputHash: cached.outputHash, message: CACHED_MESSAGE };
  } catch (err) {
    ctx.logger.warn({ err, runId: ctx.runId, step: step.name }, "cached output does not load; running the step");
    return null;
  }
}

/** SHA-256 of the step's name, code version and inputs: equal keys promise equal outputs. */
async function cacheKeyOf(entry: PipelineStepEntry, hashes: ReadonlyMap<StepName, string>, ctx: StepContext) {
  const { step } = entry;
  const parts = [step.name, codeVersionOf(step.codeUrl), ...entry.inputHashes(hashes)];
  if (step.cacheInput) parts.push(await step.cacheInput(ctx));
  return sha256Hex(...parts);
}

/** Any output with `plots: { name, svg }[]` (evaluate) leaves them as artifacts of the run. */
async function savePlots(store: RunStore, runId: string, output: unknown): Promise<void> {
  const plots = field(output, "plots");
  if (!Array.isArray(plots)) return;
  for (const plot of plots as unknown[]) {
    const name = field(plot, "name");
    const svg = field(plot, "svg");
    if (typeof name !== "string" || typeof svg !== "string") continue;
    await store.saveArtifact({ runId, name, contentType: "image/svg+xml", body: svg });
  }
}

/** What the run produced, read by key: the output types belong to the steps. */
function outcomeOf(outputs: ReadonlyMap<StepName, unknown>) {
  const modelVersionId = field(outputs.get("register"), "modelVersionId");
  const promoted = field(outputs.get("promote"), "promoted");
  const comparison = field(outputs.get("evaluate"), "comparison");
  return {
    producedModelId: typeof modelVersionId === "string" ? modelVersionId : null,
    promoted: promoted === true,
    comparison: typeof comparison === "object" && comparison !== null ? (comparison as RunComparison) : null,
  };
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function assertRunnable(steps: readonly PipelineStepEntry[], heartbeatMs: number): void {
  if (!Number.isFinite(heartbeatMs) || heartbeatMs <= 0) {
    throw new TypeError(`heartbeatMs must be a positive number of milliseconds, got ${String(heartbeatMs)}`);
  }
  const names = new Set<StepName>();
  for (const { step } of steps) {
    if (names.has(step.name)) throw new TypeError(`step "${step.name}" appears twice; each step runs once per run`);
    names.add(step.name);
    if (step.cacheable && (!step.serialize || !step.deserialize)) {
      throw new TypeError(`step "${step.name}" is cacheable, so it needs serialize and deserialize`);
    }
  }
}
