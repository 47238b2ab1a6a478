import { apiKeyVerifyBench } from "./api-key-verify.bench.js";
import { reportBench, type BenchResult } from "./bench-report.js";
import { dailyUpperBoundBench } from "./daily-upper-bound.bench.js";
import { dealsBench } from "./deals.bench.js";
import { fairPriceBatchBench } from "./fair-price-batch.bench.js";
import { fairPriceCacheBench } from "./fair-price-cache.bench.js";
import { fairPriceZipfBench } from "./fair-price-zipf.bench.js";
import { modelAccuracyBench } from "./model-accuracy.bench.js";
import { modelTrainingBench } from "./model-training.bench.js";
import { onnxInferenceBench } from "./onnx-inference.bench.js";
import { operationLimitsBench } from "./operation-limits.bench.js";
import { pipelineServingBench } from "./pipeline-serving.bench.js";
import { rateLimitsBench } from "./rate-limits.bench.js";

/** `pnpm bench` runs them all; `pnpm bench NAME…` only those. */
const BENCHES: Record<string, () => Promise<BenchResult>> = {
  "model-accuracy": modelAccuracyBench,
  "daily-upper-bound": dailyUpperBoundBench,
  "onnx-inference": onnxInferenceBench,
  "model-training": modelTrainingBench,
  "fair-price-batch": fairPriceBatchBench,
  "fair-price-zipf": fairPriceZipfBench,
  "fair-price-cache": fairPriceCacheBench,
  "api-key-verify": apiKeyVerifyBench,
  "rate-limits": rateLimitsBench,
  deals: dealsBench,
  "operation-limits": operationLimitsBench,
  "pipeline-serving": pipelineServingBench,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((arg) => arg !== "--");
  const unknown = wanted.filter((name) => !(name in BENCHES));
  if (unknown.length > 0)
    throw new Error(`unknown bench ${unknown.join(", ")}; known: ${Object.keys(BENCHES).join(", ")}`);
  for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
    process.stderr.write(`running ${name}…\n`);
    reportBench(await BENCHES[name]!());
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
