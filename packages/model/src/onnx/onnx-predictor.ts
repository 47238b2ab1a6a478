import ort from "onnxruntime-node";
import { ONNX_INPUT, ONNX_OUTPUT } from "./export-onnx.js";

/** One loaded model: create it once per process and share it; runs may overlap. */
export interface OnnxPredictor {
  readonly featureCount: number;
  /** Log-ratio predictions for `rows` feature rows laid out row-major in `features`. */
  predict(features: Float32Array, rows: number): Promise<Float32Array>;
  close(): Promise<void>;
}

export interface OnnxPredictorOptions {
  /**
   * ONNX Runtime's intra-op threads. One by default: a service runs predictions while it serves
   * other requests, and on a 2-core machine a second thread was worth 1.5× on an idle machine but
   * cost half the throughput while the other core was busy (`pnpm bench onnx-inference`).
   * @default 1
   */
  threads?: number;
}

export async function createOnnxPredictor(
  model: Uint8Array,
  featureCount: number,
  options: OnnxPredictorOptions = {},
): Promise<OnnxPredictor> {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: options.threads ?? 1,
    graphOptimizationLevel: "all",
  });
  if (!session.inputNames.includes(ONNX_INPUT) || !session.outputNames.includes(ONNX_OUTPUT)) {
    await session.release();
    throw new Error(`not a PokeWatch model: expected input "${ONNX_INPUT}" and output "${ONNX_OUTPUT}"`);
  }
  return {
    featureCount,
    async predict(features, rows) {
      if (rows === 0) return new Float32Array(0);
      if (features.length < rows * featureCount) throw new RangeError("features holds fewer rows than asked for");
      const input = new ort.Tensor("float32", features.subarray(0, rows * featureCount), [rows, featureCount]);
      const output = await session.run({ [ONNX_INPUT]: input });
      return output[ONNX_OUTPUT]!.data as Float32Array;
    },
    close: () => session.release(),
  };
}
