import {
  createOnnxPredictor,
  FEATURE_COUNT,
  FEATURE_NAMES,
  type ModelRegistry,
  type ModelVersion,
} from "@pokewatch/model";
import type { PricingMetrics } from "../metrics/pricing-metrics.js";
import { createMicroBatcher, type MicroBatcher } from "./micro-batcher.js";

/** One registered version, loaded into ONNX Runtime and ready to answer. */
export interface ServingModel {
  readonly version: ModelVersion;
  /** Log-ratio predictions for `rows` feature rows, merged with other callers' by the micro-batcher. */
  predict(features: Float32Array, rows: number): Promise<Float32Array>;
  /** Finishes the runs already asked for, then releases the session; later calls are refused. */
  close(): Promise<void>;
}

export interface CreateServingModelOptions {
  registry: Pick<ModelRegistry, "loadArtifact">;
  batcher: { maxWaitMs?: number; maxBatchRows: number };
  metrics?: Pick<PricingMetrics, "onnxBatchRows" | "onnxSeconds">;
  /** ONNX Runtime intra-op threads. @default 1 */
  threads?: number;
}

/** Names the first column where the model's features and the service's differ. */
function featureMismatch(features: readonly string[]): string | null {
  const length = Math.max(features.length, FEATURE_COUNT);
  for (let i = 0; i < length; i++) {
    if (features[i] !== FEATURE_NAMES[i]) {
      return `column ${i} is ${JSON.stringify(features[i] ?? null)} in the model but ${JSON.stringify(FEATURE_NAMES[i] ?? null)} here`;
    }
  }
  return null;
}

/**
 * Loads `version`'s artifact and answers one warm-up row before resolving, so the first request
 * does not pay for ONNX Runtime's lazy initialisation. Refuses a model whose feature list is not
 * the one this service computes: its predictions would be silently wrong.
 */
export async function createServingModel(
  version: ModelVersion,
  { registry, batcher, metrics, threads = 1 }: CreateServingModelOptions,
): Promise<ServingModel> {
  const mismatch = featureMismatch(version.features);
  if (mismatch) {
    throw new Error(
      `model ${version.id} (v${version.version}) was trained on other features than this service computes ` +
        `(${mismatch}); retrain it with this release or deploy the release it was trained with`,
    );
  }
  const artifact = await registry.loadArtifact(version);
  const predictor = await createOnnxPredictor(artifact, FEATURE_COUNT, { threads });
  let batched: MicroBatcher;
  try {
    batched = createMicroBatcher(predictor, { ...batcher, metrics });
    const warm = await predictor.predict(new Float32Array(FEATURE_COUNT), 1);
    if (warm.length !== 1 || !Number.isFinite(warm[0])) {
      throw new Error(`model ${version.id} (v${version.version}) answered its warm-up row with ${String(warm[0])}`);
    }
  } catch (error) {
    await predictor.close();
    throw error;
  }
  return {
    version,
    predict: (features, rows) => batched.predict(features, rows),
    async close() {
      await batched.close();
      await predictor.close();
    },
  };
}
