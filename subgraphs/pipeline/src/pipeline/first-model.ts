import type { Database, Logger, Redis } from "@pokewatch/kit";
import type { Catalog } from "@pokewatch/market";
import { createPipelineService, type PipelineService } from "./pipeline-service.js";
import { PipelineBusyError } from "./pipeline-types.js";
import { createProgressThrottle } from "./progress-throttle.js";
import type { RunEvent } from "./run-steps.js";
import type { PipelineOptions } from "./steps/step.js";

/** What to build the pipeline from, when the caller has no PipelineService to share. */
export interface FirstModelPipeline {
  /** Migrated (model, market, pipeline) before this is called. */
  db: Database;
  redis?: Redis | undefined;
  /** DATA_DIR: the model artifact is written to `<dataDir>/models`. */
  dataDir: string;
  /** @default the bundled catalog */
  catalog?: Catalog | undefined;
  /** Over the pipeline's defaults (tests train few trees). */
  options?: Partial<PipelineOptions> | undefined;
}

/** The service and the stack pass their pipeline service, so the first run and the scheduled ones share one runner. */
export type TrainFirstModelOptions = {
  logger: Logger;
  /** Aborted (the service is stopping): no run is started any more. */
  signal?: AbortSignal | undefined;
} & (FirstModelPipeline | { service: PipelineService });

/**
 * `trained`: this call promoted a model; `present`: there already was one; `busy`: another run
 * was active (another replica training the first model, most likely); `failed`: still none.
 */
export type FirstModelOutcome = "trained" | "present" | "busy" | "failed";

/**
 * With no production model in the registry, runs the training pipeline once and waits for it, so
 * that pricing answers fair prices from its first request. Logs each step as it happens. One
 * replica of many trains: the run store admits one active run across replicas, so the others get
 * `busy` and leave it to that run (pricing picks its model up by event or poll). Never throws: a
 * failed run is logged and pricing answers MODEL_UNAVAILABLE until a model is promoted.
 */
export async function trainFirstModel(options: TrainFirstModelOptions): Promise<FirstModelOutcome> {
  const { logger } = options;
  try {
    const { registry, runner } = "service" in options ? options.service : serviceFor(options);
    if (await registry.production()) return "present";
    if (options.signal?.aborted) return "failed";
    logger.info(
      "no production model yet: running the training pipeline once before serving prices " +
        "(set PIPELINE_TRAIN_ON_START=false to skip)",
    );
    const { run, done } = await runner.trigger("MANUAL", { onEvent: stepLogger(logger) });
    const outcome = await done;
    const production = await registry.production();
    if (outcome.status === "SUCCEEDED" && production) {
      logger.info({ runId: run.id, model: production.id, mape: production.metrics.mape }, "first model trained");
      return "trained";
    }
    if (outcome.status === "SUCCEEDED") {
      // A run that stopped on purpose: too little price history so far (the first days of collecting).
      logger.warn(
        { runId: run.id },
        "no model yet: the run had too little price history to train on (its skipped step says how much); " +
          "pricing answers MODEL_UNAVAILABLE until a daily run, an import or a backfill gives it enough (docs/data.md)",
      );
      return "failed";
    }
    logger.error(
      { runId: run.id, error: outcome.error },
      "the first model was not trained: pricing answers MODEL_UNAVAILABLE until one is promoted " +
        "(see the run's steps, then try pnpm run pipeline run)",
    );
    return "failed";
  } catch (err) {
    if (err instanceof PipelineBusyError) {
      logger.info(
        { err: { message: err.message } },
        "no production model yet, but a pipeline run is already active (another replica's first model, or a scheduled run): leaving it to that run",
      );
      return "busy";
    }
    logger.error(
      { err: { message: err instanceof Error ? err.message : String(err) } },
      "could not train a first model: pricing answers MODEL_UNAVAILABLE until one is promoted",
    );
    return "failed";
  }
}

function serviceFor({ db, redis, dataDir, catalog, options, logger }: FirstModelPipeline & { logger: Logger }) {
  return createPipelineService({
    db,
    redis,
    dataDir,
    logger,
    ...(catalog && { catalog }),
    ...(options && { options }),
  });
}

/** One info line per step started and finished, and training progress at most every 2 s. */
function stepLogger(logger: Logger): (event: RunEvent) => void {
  let shown = createProgressThrottle();
  return (event) => {
    switch (event.type) {
      case "step-started":
        shown = createProgressThrottle();
        return logger.info({ runId: event.runId, step: event.name }, `pipeline: ${event.name} started`);
      case "step-progress":
        if (shown(event.message)) {
          logger.info({ runId: event.runId, step: event.name, progress: event.message }, `pipeline: ${event.message}`);
        }
        return;
      case "step-finished": {
        const { runId, name: step, status, durationMs, message } = event;
        // Info even when FAILED: the runner warns about the failure itself, the outcome is an error.
        return logger.info({ runId, step, status, durationMs, message }, `pipeline: ${step} ${status.toLowerCase()}`);
      }
      case "run-finished":
        return logger.info(
          { runId: event.runId, status: event.status, error: event.error },
          `pipeline run ${event.status.toLowerCase()}`,
        );
    }
  };
}
