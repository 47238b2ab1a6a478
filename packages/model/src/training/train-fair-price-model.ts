import { fromEpochDay } from "../features/epoch-day.js";
import { FEATURE_NAMES } from "../features/feature-set.js";
import { quantile } from "../evaluation/error-metrics.js";
import { ModelInputError } from "../model-input-error.js";
import { scoreFairPrices } from "../evaluation/score-fair-prices.js";
import { splitByTime, type SplitOptions } from "../evaluation/time-split.js";
import type { ModelMetrics, PredictionInterval, TrainingSummary } from "../registry/model-version.js";
import { selectRows } from "./dataset-rows.js";
import type { PriceDataset } from "./price-dataset.js";
import { DEFAULT_GBDT_PARAMS, trainGbdt, type GbdtParams } from "./train-gbdt.js";
import { predictEnsemble, type TreeEnsemble } from "./tree-ensemble.js";

export const INTERVAL_COVERAGE = 0.8;

export interface TrainFairPriceOptions {
  params?: Partial<GbdtParams>;
  split?: SplitOptions;
  /** Where the prices came from, for the training summary. */
  sources: string[];
  /**
   * Grow exactly this many trees in both stages instead of the early-stopping choice: for
   * benchmarks and load tests that need a model of a given size, not for production models.
   */
  trees?: number;
  /**
   * What the returned model is trained on. `known` (default): every row known before the test
   * dates, so `metrics` score this very model. `all`: after scoring, refit the same recipe (tree
   * count, interval) on every row, so the registered model has seen the latest prices; `metrics`
   * then score the recipe, one refit earlier.
   */
  refit?: "known" | "all";
  onProgress?: (stage: "calibrate" | "fit" | "refit", grown: number, total: number) => void;
}

export interface FairPriceModel {
  ensemble: TreeEnsemble;
  features: string[];
  interval: PredictionInterval;
  /** Scored on the held-out latest dates, which the model never saw. */
  metrics: ModelMetrics;
  trainingSummary: TrainingSummary;
}

/**
 * Two stages on a time-based split (and an optional refit on everything, see `refit`). Stage 1 fits on the oldest rows and, on the calibration rows
 * after them, picks the number of trees and the interval (residual quantiles of rows it never
 * saw). Stage 2 refits with that many trees on every row known before the test, and is scored on
 * the test dates.
 */
export function trainFairPriceModel(data: PriceDataset, options: TrainFairPriceOptions): FairPriceModel {
  const started = performance.now();
  const params = { ...DEFAULT_GBDT_PARAMS, ...options.params };
  const split = splitByTime(data, options.split);
  if (split.fit.length === 0 || split.calibration.length === 0 || split.test.length === 0) {
    throw new ModelInputError(
      "INSUFFICIENT_HISTORY",
      `not enough history for a time-based split (fit ${split.fit.length}, calibration ${split.calibration.length}, test ${split.test.length} rows): each card needs about 4 weeks of prices`,
    );
  }
  const calibration = selectRows(data, split.calibration);
  const stage1Params =
    options.trees === undefined ? params : { ...params, trees: options.trees, earlyStoppingRounds: options.trees };
  const stage1 = trainGbdt(selectRows(data, split.fit), stage1Params, {
    validation: calibration,
    onTree: (grown, total) => options.onProgress?.("calibrate", grown, total),
  });
  const calibrated = predictEnsemble(stage1.ensemble, calibration.features, calibration.rows);
  const residuals = calibration.target.map((target, i) => target - calibrated[i]!);
  const interval: PredictionInterval = {
    coverage: INTERVAL_COVERAGE,
    lowLogRatio: quantile(residuals, (1 - INTERVAL_COVERAGE) / 2),
    highLogRatio: quantile(residuals, (1 + INTERVAL_COVERAGE) / 2),
  };

  const trees = options.trees ?? stage1.bestIteration;
  const final = trainGbdt(
    selectRows(data, split.known),
    { ...params, trees },
    { onTree: (grown, total) => options.onProgress?.("fit", grown, total) },
  );
  const test = selectRows(data, split.test);
  const metrics = scoreFairPrices(
    data,
    split.test,
    predictEnsemble(final.ensemble, test.features, test.rows),
    interval,
  );
  const trainedOn = options.refit === "all" ? allRows(data) : split.known;
  const ensemble =
    options.refit === "all"
      ? trainGbdt(
          selectRows(data, trainedOn),
          { ...params, trees },
          { onTree: (grown, total) => options.onProgress?.("refit", grown, total) },
        ).ensemble
      : final.ensemble;
  const cards = new Set<number>();
  let [firstDay, lastDay] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const row of trainedOn) {
    cards.add(data.card[row]!);
    firstDay = Math.min(firstDay, data.day[row]!);
    lastDay = Math.max(lastDay, data.day[row]!);
  }
  return {
    ensemble,
    features: [...FEATURE_NAMES],
    interval,
    metrics,
    trainingSummary: {
      cards: cards.size,
      rows: trainedOn.length,
      from: fromEpochDay(firstDay),
      to: fromEpochDay(lastDay),
      sources: options.sources,
      trainingMs: Math.round(performance.now() - started),
      params: { ...params, trees, objective: params.objective, refit: options.refit ?? "known" },
    },
  };
}

function allRows(data: PriceDataset): Uint32Array {
  return Uint32Array.from({ length: data.rows }, (_, row) => row);
}
