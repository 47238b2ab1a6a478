import { FEATURE_COUNT } from "../features/feature-set.js";
import type { PriceDataset } from "./price-dataset.js";
import type { TrainingSet } from "./train-gbdt.js";

/** The given rows of a training set, copied into a compact one in that order. */
export function takeRows(set: TrainingSet, rows: ArrayLike<number>): TrainingSet {
  const { featureCount } = set;
  const features = new Float32Array(rows.length * featureCount);
  const target = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    features.set(set.features.subarray(row * featureCount, (row + 1) * featureCount), i * featureCount);
    target[i] = set.target[row]!;
  }
  return { rows: rows.length, featureCount, features, target };
}

/** The chosen rows of a dataset as a compact training set. */
export function selectRows(data: PriceDataset, rows: Uint32Array): TrainingSet {
  return takeRows({ rows: data.rows, featureCount: FEATURE_COUNT, features: data.features, target: data.target }, rows);
}
