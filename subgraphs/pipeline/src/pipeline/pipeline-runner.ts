import type { Logger } from "@pokewatch/kit";
import type { PipelineRunRecord, RunStore, RunTrigger } from "./pipeline-types.js";
import {
  DEFAULT_HEARTBEAT_MS,
  internalError,
  runSteps,
  type PipelineStepEntry,
  type RunEvent,
  type RunOutcome,
} from "./run-steps.js";
import { NO_RUN_OWNERSHIP, type RunOwnership } from "./run-store.js";
import type { StepContext } from "./steps/step.js";

export interface CreatePipelineRunnerOptions {
  store: RunStore;
  /** The context the steps of one run get. */
  ctxFor: (runId: string) => StepContext;
  /** @default the eight training steps */
  steps?: readonly PipelineStepEntry[];
  clock: () => Date;
  logger: Logger;
  /** A run whose heartbeat is older than this was abandoned by a process that stopped. @default 60_000 */
  staleAfterMs?: number;
  /** @default 10_000 */
  heartbeatMs?: number;
  /**
   * Ties runs to this process, so that runs of a process that stopped are failed at once (see
   * `createRunOwnership`). @default none: only the heartbeat limit fails abandoned runs
   */
  ownership?: RunOwnership;
}

export interface TriggerOptions {
  /** The cron occurrence a SCHEDULE run is for; one run per occurrence across replicas. */
  scheduledFor?: Date;
  onEvent?: (event: RunEvent) => void;
}

export interface PipelineRunner {
  /**
   * Creates a run and starts it in the background. Resolves at once with the created (QUEUED)
   * record; `done` resolves when the run is over and never rejects. Throws PipelineBusyError when
   * a run is active or the occurrence already has one.
   */
  trigger(
    trigger: RunTrigger,
    options?: TriggerOptions,
  ): Promise<{ run: PipelineRunRecord; done: Promise<RunOutcome> }>;
  /**
   * Fails the runs a stopped process left active, returns their ids: those no live process owns
   * (the first call is this process's start), and those past the heartbeat limit. Call on start.
   */
  recoverStale(): Promise<string[]>;
  /** Resolves when no run started by this runner is in progress. */
  idle(): Promise<void>;
  /**
   * Stops the runs in progress (on shutdown): their worker threads are terminated, the running step
   * fails with `reason`, the run ends FAILED. Wait for `idle()` after it.
   */
  stop(reason: string): void;
}

/**
 * How long a run may go without a heartbeat before it counts as abandoned. Features and training
 * run in worker threads, so heartbeats go on during them; the limit stays far above the 10 s
 * heartbeat for the steps that still work on the main thread (reading prices on PGlite).
 */
export const DEFAULT_STALE_AFTER_MS = 10 * 60_000;

/** Starts runs, one at a time across every replica (the store's unique index decides). */
export function createPipelineRunner({
  store,
  ctxFor,
  steps,
  clock,
  logger,
  staleAfterMs = DEFAULT_STALE_AFTER_MS,
  heartbeatMs = DEFAULT_HEARTBEAT_MS,
  ownership = NO_RUN_OWNERSHIP,
}: CreatePipelineRunnerOptions): PipelineRunner {
  assertTimings(staleAfterMs, heartbeatMs);
  const inProgress = new Set<Promise<RunOutcome>>();
  const ownIds = new Set<string>();
  const stops = new Set<AbortController>();
  let started = false;
  // Loaded when the first run starts, so that creating a runner does not load ONNX and every step.
  const stepsToRun = () => steps ?? import("./training-steps.js").then((m) => m.trainingSteps);

  async function recoverStale(): Promise<string[]> {
    const now = clock();
    const atStart = !started;
    started = true;
    // The heartbeat limit first: its error says since when the run was silent.
    const stale = await store.failStale(new Date(now.getTime() - staleAfterMs), now);
    const orphaned = await ownership.failOrphaned({ now, ownIds, atStart });
    const ids = [...stale, ...orphaned];
    for (const runId of ids) logger.warn({ runId }, "failed a pipeline run abandoned by a stopped process");
    return ids;
  }

  async function execute(run: PipelineRunRecord, onEvent: TriggerOptions["onEvent"]): Promise<RunOutcome> {
    const stop = new AbortController();
    stops.add(stop);
    try {
      const ctx = { ...ctxFor(run.id), signal: stop.signal };
      return await runSteps({ store, runId: run.id, steps: await stepsToRun(), ctx, clock, heartbeatMs, onEvent });
    } catch (err) {
      // Only bookkeeping failed (the store, most likely); a step's own failure resolves above.
      logger.error({ err, runId: run.id }, "pipeline run stopped by an unexpected error");
      // The message stays in the log: run errors are visible to API callers.
      const error = internalError(run.id);
      await store
        .finish(run.id, { status: "FAILED", error, now: clock() })
        .catch((finishErr: unknown) =>
          logger.error({ err: finishErr, runId: run.id }, "could not mark the run failed"),
        );
      return { status: "FAILED", error };
    } finally {
      stops.delete(stop);
    }
  }

  return {
    async trigger(trigger, { scheduledFor, onEvent } = {}) {
      await recoverStale();
      const { run, done: owned } = await ownership.claim(
        () => store.create({ trigger, scheduledFor: scheduledFor ?? null, now: clock() }),
        (created) => {
          ownIds.add(created.id);
          logger.info({ runId: created.id, trigger, scheduledFor }, "pipeline run created");
          return execute(created, onEvent).finally(() => ownIds.delete(created.id));
        },
      );
      // execute never rejects; losing the owner's connection can (the next recovery fails the run).
      const done = owned.catch((err: unknown): RunOutcome => {
        logger.error({ err, runId: run.id }, "pipeline run lost its owner connection");
        return { status: "FAILED", error: internalError(run.id) };
      });
      inProgress.add(done);
      void done.finally(() => inProgress.delete(done));
      return { run, done };
    },
    recoverStale,
    async idle() {
      while (inProgress.size > 0) await Promise.all(inProgress);
    },
    stop(reason) {
      for (const stop of stops) stop.abort(new Error(reason));
    },
  };
}

function assertTimings(staleAfterMs: number, heartbeatMs: number): void {
  for (const [name, value] of [
    ["staleAfterMs", staleAfterMs],
    ["heartbeatMs", heartbeatMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new TypeError(`${name} must be a positive number of milliseconds, got ${String(value)}`);
    }
  }
  if (staleAfterMs <= heartbeatMs) {
    // Otherwise a healthy run would look abandoned between two heartbeats.
    throw new TypeError(`staleAfterMs (${staleAfterMs}) must be longer than heartbeatMs (${heartbeatMs})`);
  }
}
