import { FEATURE_COUNT } from "../features/feature-set.js";
import type { PriceDataset } from "./price-dataset.js";
import type { TrainingSet } from "./train-gbdt.js";

/** The chosen rows of a dataset as a compact training set. */
export function selectRows(data: PriceDataset, rows: Uint32Array): TrainingSet {
  const features = new Float32Array(rows.length * FEATURE_COUNT);
  const target = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    features.set(data.features.subarray(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT), i * FEATURE_COUNT);
    target[i] = data.target[row]!;
  });
  return { rows: rows.length, featureCount: FEATURE_COUNT, features, target };
}
