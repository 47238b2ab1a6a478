import type { Database, Logger, Redis } from "@pokewatch/kit";
import type { Catalog, PriceStore } from "@pokewatch/market";
import type { ModelRegistry } from "@pokewatch/model";
import type { StepName } from "../pipeline-types.js";
import { DEFAULT_COLLECT_OPTIONS, type CollectOptions } from "../collect/collect-options.js";

/** Knobs of a run, from the env or the CLI. */
export interface PipelineOptions {
  /** Share of a card's days that may be missing before validate fails the run. @default 0.5 */
  maxGapShare: number;
  /** Share of price points that may be invalid (NaN, low > high, …) before validate fails. @default 0.05 */
  maxInvalidShare: number;
  /** Where collect gets prices, and its limits (PRICE_SOURCE and friends). */
  collect: CollectOptions;
  /**
   * With no prices stored, collect may simulate the catalog (seeded) into the store: under
   * PRICE_SOURCE=simulator, or `auto` when no provider answers. False keeps an empty store empty. @default true
   */
  simulateIfEmpty: boolean;
  /** Days and seed of that simulation. @default 120, 1 */
  simulateDays: number;
  simulateSeed: number;
  /** Trees to grow instead of early stopping (tests use few). @default undefined */
  trees?: number | undefined;
  /**
   * The longest a step's work may take in its worker thread (features, training) before the
   * worker is terminated and the step fails. @default 3_600_000 (1 h)
   */
  computeTimeoutMs: number;
}

export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = {
  maxGapShare: 0.5,
  maxInvalidShare: 0.05,
  collect: DEFAULT_COLLECT_OPTIONS,
  simulateIfEmpty: true,
  simulateDays: 120,
  simulateSeed: 1,
  computeTimeoutMs: 60 * 60_000,
};

export interface StepContext {
  db: Database;
  prices: PriceStore;
  registry: ModelRegistry;
  catalog: Catalog;
  redis?: Redis | undefined;
  logger: Logger;
  dataDir: string;
  clock: () => Date;
  options: PipelineOptions;
  /** The run this step belongs to (artifacts are stored under it). */
  runId: string;
  /** Progress inside a long step (training trees), for the CLI. */
  progress?: (message: string) => void;
  /** Aborted when the run must stop (the service shuts down): worker threads are terminated. */
  signal?: AbortSignal | undefined;
}

export interface StepResult<O> {
  output: O;
  /** SHA-256 (hex) of the output's content. */
  outputHash: string;
  /** One line for the step's `message`. */
  message: string;
  /** The step ran and decided there was nothing to do (promote: not better): SKIPPED, not SUCCEEDED. */
  skipped?: boolean;
  /** The output already serialized (by the worker thread that made it), for the step-output cache. */
  body?: Buffer;
}

/** Thrown by a step to fail the run with a message that says what was wrong (no stack). */
export class StepFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StepFailure";
  }
}

/**
 * Thrown by a step when the run has nothing more to do yet, which is a normal day and not a fault
 * (features: no card has enough days of prices to train on, as on the first days of collecting).
 * This step and the later ones are SKIPPED with the message, and the run SUCCEEDED: no alert fires
 * while history builds up.
 */
export class StepStop extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StepStop";
  }
}

export interface PipelineStep<I, O> {
  name: StepName;
  /** False for steps that change the registry (register, promote): they always run. */
  cacheable: boolean;
  /** Module file of the step: its SHA-256 is the step's code version. */
  codeUrl: URL;
  /** What beyond the previous outputs decides the cache key (ingest: the stored data's hash). */
  cacheInput?(ctx: StepContext): Promise<string>;
  run(ctx: StepContext, input: I): Promise<StepResult<O>>;
  /** For the step-output cache. Required when `cacheable`. */
  serialize?(output: O): Buffer;
  deserialize?(body: Buffer): O;
}
