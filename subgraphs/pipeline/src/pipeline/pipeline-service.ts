import type { Database, Logger, Redis } from "@pokewatch/kit";
import { createPriceStore, loadBundledCatalog, type Catalog } from "@pokewatch/market";
import { createModelRegistry, type ModelRegistry } from "@pokewatch/model";
import { createPipelineRunner, type PipelineRunner } from "./pipeline-runner.js";
import type { RunStore } from "./pipeline-types.js";
import { createRunOwnership, createRunStore } from "./run-store.js";
import { DEFAULT_PIPELINE_OPTIONS, type PipelineOptions, type StepContext } from "./steps/step.js";

export interface PipelineServiceOptions {
  /** Migrated with the market, model and pipeline migrations. */
  db: Database;
  /** Promotions are announced on it, so serving replicas swap at once. */
  redis?: Redis | undefined;
  /** DATA_DIR (model artifacts live in the database with the registry, not here). */
  dataDir: string;
  logger: Logger;
  /** @default the bundled catalog */
  catalog?: Catalog;
  /** Over DEFAULT_PIPELINE_OPTIONS. */
  options?: Partial<PipelineOptions>;
  /** @default () => new Date() */
  clock?: () => Date;
  /** Test knobs of the runner. */
  staleAfterMs?: number;
  heartbeatMs?: number;
}

/** What the pipeline service, the CLI and the stack share: the stores and a runner over the eight steps. */
export interface PipelineService {
  store: RunStore;
  registry: ModelRegistry;
  runner: PipelineRunner;
}

export function createPipelineService({
  db,
  redis,
  dataDir,
  logger,
  catalog = loadBundledCatalog(),
  options,
  clock = () => new Date(),
  staleAfterMs,
  heartbeatMs,
}: PipelineServiceOptions): PipelineService {
  const store = createRunStore(db);
  const registry = createModelRegistry({ db });
  const prices = createPriceStore(db);
  const stepOptions = { ...DEFAULT_PIPELINE_OPTIONS, ...options };
  const ctxFor = (runId: string): StepContext => ({
    db,
    prices,
    registry,
    catalog,
    redis,
    logger: logger.child({ runId }),
    dataDir,
    clock,
    options: stepOptions,
    runId,
  });
  const runner = createPipelineRunner({
    store,
    ctxFor,
    clock,
    logger,
    // Runs of a stopped process fail at the next start or trigger, not only after the heartbeat limit.
    ownership: createRunOwnership(db),
    ...(staleAfterMs !== undefined && { staleAfterMs }),
    ...(heartbeatMs !== undefined && { heartbeatMs }),
  });
  return { store, registry, runner };
}
