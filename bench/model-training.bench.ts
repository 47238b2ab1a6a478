import { buildPriceDataset, toModelVersion, trainFairPriceModel } from "@pokewatch/model";
import { intFromEnv, round, type BenchResult } from "./bench-report.js";
import { simulatedPrices } from "./simulated-prices.js";

const FIVE_MINUTES_MS = 5 * 60_000;
const MOST_TREES = 300;

/**
 * Issue 3: train on 20,000 cards × 365 days in under 5 minutes on this machine, end to end:
 * features, both training stages, ONNX export and its parity check — once as the product trains
 * (early stopping) and once with 300 trees forced in both stages, the most training can cost.
 * Simulated prices: a load test, never an accuracy claim.
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
  const sources = ["simulator seed=1"];
  const model = await timed("train (early stopping)", () => trainFairPriceModel(data, { sources }));
  const exported = await timed("onnx export + parity", () => toModelVersion(model, data));
  const forced = await timed(`train (${MOST_TREES} trees forced in both stages)`, () =>
    trainFairPriceModel(data, { sources, trees: MOST_TREES }),
  );
  const forcedExport = await timed(`onnx export + parity (${MOST_TREES} trees)`, () => toModelVersion(forced, data));
  const endToEnd = timings.features! + timings["train (early stopping)"]! + timings["onnx export + parity"]!;
  const worst =
    timings.features! +
    timings[`train (${MOST_TREES} trees forced in both stages)`]! +
    timings[`onnx export + parity (${MOST_TREES} trees)`]!;
  return {
    name: "model-training",
    command: `BENCH_CARDS=${cards} BENCH_DAYS=${days} pnpm bench model-training`,
    settings: {
      cards,
      days,
      rows: data.rows,
      trainingRows: model.trainingSummary.rows,
      trees: model.ensemble.trees.length,
      onnxMaxAbsDiff: exported.onnxMaxAbsDiff,
      forcedTrees: forced.ensemble.trees.length,
      forcedOnnxMaxAbsDiff: forcedExport.onnxMaxAbsDiff,
    },
    rows: [
      ...Object.entries(timings).map(([step, ms]) => ({ step, seconds: round(ms / 1000, 2) })),
      { step: "features → registered-ready model (early stopping)", seconds: round(endToEnd / 1000, 2) },
      { step: `features → registered-ready model (${MOST_TREES} trees)`, seconds: round(worst / 1000, 2) },
    ],
    targets: [
      {
        target: `train on ${cards} cards × ${days} days in under 5 minutes (as the product trains)`,
        measured: `${round(endToEnd / 1000)} s, ${model.ensemble.trees.length} trees kept`,
        met: endToEnd < FIVE_MINUTES_MS,
      },
      {
        target: `the same with ${MOST_TREES} trees forced in both stages`,
        measured: `${round(worst / 1000)} s`,
        met: worst < FIVE_MINUTES_MS,
      },
    ],
  };
}
