import {
  buildPriceDataset,
  createOnnxPredictor,
  DEFAULT_GBDT_PARAMS,
  exportEnsembleToOnnx,
  FEATURE_COUNT,
  predictEnsemble,
  trainGbdt,
  type TreeEnsemble,
} from "@pokewatch/model";
import { intFromEnv, round, type BenchResult } from "./bench-report.js";
import { simulatedPrices } from "./simulated-prices.js";

const TARGET_ROWS_PER_SECOND = 1_000_000;
const TARGET_TREES = 100;

/**
 * Issue 3: batched inference through onnxruntime-node ≥ 1,000,000 rows/s with one session loaded
 * once, beside the TypeScript trees on the same rows. Early stopping keeps few trees on real data
 * (0–60), so ensembles of 10, 100 and 300 trees (the most training grows) are cut from one
 * 300-tree model trained without early stopping; the target is judged at 100.
 */
export async function onnxInferenceBench(): Promise<BenchResult> {
  const cards = intFromEnv("BENCH_INFERENCE_CARDS", 2_000);
  const runs = intFromEnv("BENCH_RUNS", 5);
  const { series, attributes } = simulatedPrices(cards, 365, 2);
  const data = buildPriceDataset(series, attributes);
  const full = trainGbdt({ ...data, featureCount: FEATURE_COUNT }, { ...DEFAULT_GBDT_PARAMS, trees: 300 }).ensemble;
  const table: Record<string, number | string>[] = [];
  let judged = 0;
  const cases = [
    ...[10, TARGET_TREES, 300].flatMap((trees) =>
      [1_000, 100_000, 1_000_000].map((batch) => ({ trees, batch, threads: 1 })),
    ),
    { trees: TARGET_TREES, batch: 1_000_000, threads: 2 },
  ];
  for (const { trees, batch, threads } of cases) {
    const ensemble: TreeEnsemble = { ...full, trees: full.trees.slice(0, trees) };
    const predictor = await createOnnxPredictor(exportEnsembleToOnnx(ensemble), FEATURE_COUNT, { threads });
    {
      const features = tileRows(data.features, data.rows, batch);
      await predictor.predict(features, batch);
      const onnxMs = median(await repeat(runs, () => predictor.predict(features, batch)));
      const treesMs = median(await repeat(Math.min(runs, 3), () => predictEnsemble(ensemble, features, batch)));
      const onnxRate = (batch / onnxMs) * 1000;
      if (trees === TARGET_TREES && batch === 1_000_000 && threads === 1) judged = onnxRate;
      table.push({
        trees,
        threads,
        batch,
        "onnx ms (median)": round(onnxMs, 2),
        "onnx rows/s": Math.round(onnxRate),
        "typescript rows/s": Math.round((batch / treesMs) * 1000),
        "onnx ÷ typescript": round(treesMs / onnxMs, 2),
      });
    }
    await predictor.close();
  }
  return {
    name: "onnx-inference",
    command: `BENCH_INFERENCE_CARDS=${cards} BENCH_RUNS=${runs} pnpm bench onnx-inference`,
    settings: { features: FEATURE_COUNT, leavesPerTree: DEFAULT_GBDT_PARAMS.maxLeaves, runs, trainedOnCards: cards },
    rows: table,
    targets: [
      {
        target: `batched ONNX inference ≥ 1,000,000 rows/s (${TARGET_TREES} trees, 1M-row batch, one session, 1 thread)`,
        measured: `${Math.round(judged).toLocaleString("en")} rows/s`,
        met: judged >= TARGET_ROWS_PER_SECOND,
      },
    ],
  };
}

function tileRows(features: Float32Array, rows: number, wanted: number): Float32Array {
  const out = new Float32Array(wanted * FEATURE_COUNT);
  for (let row = 0; row < wanted; row++) {
    const from = (row % rows) * FEATURE_COUNT;
    out.set(features.subarray(from, from + FEATURE_COUNT), row * FEATURE_COUNT);
  }
  return out;
}

async function repeat(times: number, work: () => unknown): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await work();
    ms.push(performance.now() - started);
  }
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}
