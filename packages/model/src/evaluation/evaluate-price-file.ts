import { fromEpochDay, toEpochDay } from "../features/epoch-day.js";
import { FEATURE_COUNT, FEATURE_NAMES } from "../features/feature-set.js";
import { ModelInputError } from "../model-input-error.js";
import { createOnnxPredictor } from "../onnx/onnx-predictor.js";
import type { ModelMetrics, ModelVersion } from "../registry/model-version.js";
import { selectRows } from "../training/dataset-rows.js";
import { HORIZON_DAYS, type PriceDataset } from "../training/price-dataset.js";
import { trainFairPriceModel, type TrainFairPriceOptions } from "../training/train-fair-price-model.js";
import { improvementOver, type EvaluationReport } from "./evaluation-report.js";
import { loadPriceFile } from "./load-price-file.js";
import { scoreFairPrices } from "./score-fair-prices.js";
import { splitByTime, type TimeSplit } from "./time-split.js";

export interface EvaluatePriceFileOptions {
  /** A price CSV in the shared format. */
  prices: string;
  /** A card index CSV (`card_id,set_release_date,rarity,…`) for cards outside the bundled catalog. */
  cardIndex?: string;
  /** Score this registered model instead of training one on the file's earlier dates. */
  model?: { version: ModelVersion; artifact: Uint8Array };
  train?: Omit<TrainFairPriceOptions, "sources">;
}

/**
 * Scores fair prices on the latest 20 % of a price file's dates, beside the two baselines on the
 * same rows. Without a model, one is trained on the dates before (see `trainFairPriceModel`).
 */
export async function evaluatePriceFile(options: EvaluatePriceFileOptions): Promise<EvaluationReport> {
  const { data, rejectedRows, sources } = await loadPriceFile(options.prices, options.cardIndex);
  const split = splitByTime(data, options.train?.split);
  const registered = options.model;
  const metrics = registered
    ? await scoreRegistered(data, split, registered)
    : trainFairPriceModel(data, { ...options.train, sources }).metrics;
  // A registered model whose targets reach into the test dates has seen them: not a hold-out score.
  const holdOut = !registered || toEpochDay(registered.version.trainingSummary.to) + HORIZON_DAYS <= split.testStart;
  return {
    ...metrics,
    model: registered ? registered.version.id : "trained here",
    holdOut,
    split: describeSplit(data, split),
    horizonDays: HORIZON_DAYS,
    improvement: improvementOver(metrics),
    cards: data.cardIds.length,
    rejectedRows,
  };
}

async function scoreRegistered(
  data: PriceDataset,
  split: TimeSplit,
  { version, artifact }: { version: ModelVersion; artifact: Uint8Array },
): Promise<ModelMetrics> {
  if (version.features.join() !== FEATURE_NAMES.join()) {
    throw new ModelInputError(
      "FEATURE_MISMATCH",
      `model ${version.id} reads other features than this build computes; evaluate it with its own build`,
    );
  }
  const predictor = await createOnnxPredictor(artifact, FEATURE_COUNT);
  try {
    const test = selectRows(data, split.test);
    const predicted = await predictor.predict(test.features, test.rows);
    return scoreFairPrices(data, split.test, Float64Array.from(predicted), version.interval);
  } finally {
    await predictor.close();
  }
}

function describeSplit(data: PriceDataset, split: TimeSplit): EvaluationReport["split"] {
  let [first, last] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (let row = 0; row < data.rows; row++) {
    first = Math.min(first, data.day[row]!);
    last = Math.max(last, data.day[row]!);
  }
  return {
    trainFrom: fromEpochDay(first),
    trainTo: fromEpochDay(split.testStart - HORIZON_DAYS),
    testFrom: fromEpochDay(split.testStart),
    testTo: fromEpochDay(last),
    testRows: split.test.length,
  };
}
