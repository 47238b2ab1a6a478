/**
 * A trained gradient-boosted ensemble, in exactly the form ONNX's TreeEnsembleRegressor reads:
 * float32 thresholds and leaf values, "go left when x <= threshold", leaves summed onto a base.
 */
export interface TreeEnsemble {
  featureCount: number;
  /** Added to the sum of the trees' leaves (float32). */
  baseValue: number;
  trees: RegressionTree[];
}

/** Node i is a leaf when feature[i] === -1; otherwise it branches left when x[feature] <= threshold. */
export interface RegressionTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** Leaf value (float32); 0 on branch nodes. */
  value: number[];
}

/** Sums the ensemble over `rows` feature rows; the reference the ONNX model is checked against. */
export function predictEnsemble(ensemble: TreeEnsemble, features: Float32Array, rows: number): Float64Array {
  const { featureCount, trees } = ensemble;
  if (features.length < rows * featureCount) throw new RangeError("features holds fewer rows than asked for");
  const out = new Float64Array(rows).fill(ensemble.baseValue);
  for (const tree of trees) {
    const { feature, threshold, left, right, value } = tree;
    for (let row = 0; row < rows; row++) {
      const base = row * featureCount;
      let node = 0;
      while (feature[node]! !== -1) {
        node = features[base + feature[node]!]! <= threshold[node]! ? left[node]! : right[node]!;
      }
      out[row] = out[row]! + value[node]!;
    }
  }
  return out;
}
