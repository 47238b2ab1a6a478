import {
  buildPriceDataset,
  DEFAULT_GBDT_PARAMS,
  FEATURE_COUNT,
  toModelVersion,
  trainFairPriceModel,
  trainGbdt,
} from "@pokewatch/model";
import { intFromEnv, round, type BenchResult } from "./bench-report.js";
import { simulatedPrices } from "./simulated-prices.js";

const FIVE_MINUTES_MS = 5 * 60_000;
const WORST_CASE = "worst case: 300 trees on every row, no early stopping";

/**
 * Issue 3: train on 20,000 cards × 365 days in under 5 minutes on this machine, end to end:
 * features, both training stages, ONNX export and its parity check. Simulated prices: a load
 * test, never an accuracy claim.
 */
export async function modelTrainingBench(): Promise<BenchResult> {
  const cards = intFromEnv("BENCH_CARDS", 20_000);
  const days = intFromEnv("BENCH_DAYS", 365);
  const timings: Record<string, number> = {};
  const timed = async <T>(step: string, work: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    timings[step] = performance.now() - started;
    process.stderr.write(`  ${step}: ${round(timings[step] / 1000)} s\n`);
    return result;
  };
  const { series, attributes } = await timed("simulate", () => simulatedPrices(cards, days));
  const data = await timed("features", () => buildPriceDataset(series, attributes));
  const model = await timed("train", () => trainFairPriceModel(data, { sources: ["simulator seed=1"] }));
  const { onnxMaxAbsDiff } = await timed("onnx export + parity", () => toModelVersion(model, data));
  // Early stopping keeps few trees on simulated prices; this is the most training can cost.
  await timed(WORST_CASE, () =>
    trainGbdt({ ...data, featureCount: FEATURE_COUNT }, { ...DEFAULT_GBDT_PARAMS, trees: 300 }),
  );
  const endToEnd = timings.features! + timings.train! + timings["onnx export + parity"]!;
  return {
    name: "model-training",
    command: `BENCH_CARDS=${cards} BENCH_DAYS=${days} pnpm bench model-training`,
    settings: {
      cards,
      days,
      rows: data.rows,
      trainingRows: model.trainingSummary.rows,
      trees: model.ensemble.trees.length,
      onnxMaxAbsDiff,
    },
    rows: [
      ...Object.entries(timings).map(([step, ms]) => ({ step, seconds: round(ms / 1000, 2) })),
      { step: "features → registered-ready model", seconds: round(endToEnd / 1000, 2) },
    ],
    targets: [
      {
        target: `train on ${cards} cards × ${days} days in under 5 minutes`,
        measured: `${round(endToEnd / 1000)} s`,
        met: endToEnd < FIVE_MINUTES_MS,
      },
      {
        target: "the same with 300 trees and no early stopping (features + training)",
        measured: `${round((timings.features! + timings[WORST_CASE]!) / 1000)} s`,
        met: timings.features! + timings[WORST_CASE]! < FIVE_MINUTES_MS,
      },
    ],
  };
}
