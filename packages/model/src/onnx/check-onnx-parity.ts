import { predictEnsemble, type TreeEnsemble } from "../training/tree-ensemble.js";
import { createOnnxPredictor } from "./onnx-predictor.js";

/** The most an ONNX output may differ from the TypeScript ensemble's. */
export const PARITY_TOLERANCE = 1e-4;

/**
 * Runs the exported model in onnxruntime-node beside the TypeScript ensemble on the same rows and
 * returns the largest absolute difference; throws when it exceeds the tolerance, so a model whose
 * export went wrong is never registered.
 */
export async function checkOnnxParity(
  ensemble: TreeEnsemble,
  artifact: Uint8Array,
  features: Float32Array,
  rows: number,
): Promise<number> {
  const predictor = await createOnnxPredictor(artifact, ensemble.featureCount);
  try {
    const fromOnnx = await predictor.predict(features, rows);
    const fromTrees = predictEnsemble(ensemble, features, rows);
    let largest = 0;
    for (let row = 0; row < rows; row++) largest = Math.max(largest, Math.abs(fromOnnx[row]! - fromTrees[row]!));
    if (!(largest <= PARITY_TOLERANCE)) {
      throw new Error(`ONNX export differs from the trained trees by ${largest} (tolerance ${PARITY_TOLERANCE})`);
    }
    return largest;
  } finally {
    await predictor.close();
  }
}
