import { sortingMedian } from "../features/sorting-median.js";
import { takeRows } from "./dataset-rows.js";
import { binFeatures, computeFeatureBins } from "./feature-bins.js";
import { growTree, type TreeShape } from "./grow-tree.js";
import { predictEnsemble, type RegressionTree, type TreeEnsemble } from "./tree-ensemble.js";

export interface GbdtParams extends TreeShape {
  /** Most trees to grow; early stopping on the validation set may keep fewer. */
  trees: number;
  learningRate: number;
  /**
   * How leaves are valued. Splits always follow the residuals (variance reduction); `l1` then sets
   * each leaf to the median residual of its rows (absolute error: robust to the heavy-tailed jumps
   * of card prices, and closest to MAPE on a log-ratio target), `l2` to their shrunken mean.
   * Median leaves on residual splits beat sign-gradient splits on the real 3-day-bucket data.
   */
  objective: "l1" | "l2";
  /** Share of rows each tree samples (bagging); the rest only get their predictions updated. */
  rowFraction: number;
  /** Most rows one tree samples, whatever the fraction: keeps a tree's cost flat on big data. */
  maxRowsPerTree: number;
  /**
   * Most rows training looks at: a bigger set is subsampled once, evenly and deterministically,
   * so the per-tree passes over every row (gradients, prediction updates) stay bounded too.
   */
  maxTrainingRows: number;
  /** Stop after this many trees without a better validation loss. */
  earlyStoppingRounds: number;
  seed: number;
}

export const DEFAULT_GBDT_PARAMS: GbdtParams = {
  trees: 300,
  learningRate: 0.05,
  objective: "l1",
  maxLeaves: 15,
  maxDepth: 8,
  minRowsPerLeaf: 100,
  l2: 1,
  rowFraction: 0.8,
  maxRowsPerTree: 1_000_000,
  maxTrainingRows: 2_000_000,
  earlyStoppingRounds: 40,
  seed: 7,
};

export interface TrainingSet {
  rows: number;
  featureCount: number;
  features: Float32Array;
  target: Float64Array;
}

export interface GbdtResult {
  ensemble: TreeEnsemble;
  /** Trees kept (the best validation loss; 0 when none beat the constant), or all grown without validation. */
  bestIteration: number;
  /** Validation loss after each tree (mean absolute or squared error of the target). */
  validationLoss: number[];
}

export interface GbdtOptions {
  validation?: TrainingSet;
  onTree?: (grown: number, total: number) => void;
}

export function trainGbdt(input: TrainingSet, params: GbdtParams, options: GbdtOptions = {}): GbdtResult {
  const train = subsample(input, params.maxTrainingRows, params.seed);
  const { rows, featureCount, target } = train;
  if (rows === 0) throw new Error("cannot train on an empty training set");
  const bins = computeFeatureBins(train.features, rows, featureCount);
  const codes = binFeatures(train.features, rows, bins);
  const baseValue = Math.fround(params.objective === "l1" ? sortingMedian(Float64Array.from(target)) : meanOf(target));
  const prediction = new Float64Array(rows).fill(baseValue);
  const grad = new Float64Array(rows);
  const { validation } = options;
  const validationPrediction = new Float64Array(validation?.rows ?? 0).fill(baseValue);
  const trees: RegressionTree[] = [];
  const validationLoss: number[] = [];
  // Iteration 0 is the constant model: if no tree beats it on validation, none is kept.
  let best = { loss: validation ? lossOf(validationPrediction, validation.target, params.objective) : 0, iteration: 0 };
  const fraction = Math.min(params.rowFraction, params.maxRowsPerTree / rows);
  const sampled = new Uint32Array(rows);

  for (let iteration = 1; iteration <= params.trees; iteration++) {
    for (let row = 0; row < rows; row++) grad[row] = prediction[row]! - target[row]!;
    const sampleCount = sampleRows(rows, fraction, params.seed * 7919 + iteration, sampled);
    const lr = params.learningRate;
    const leafValue =
      params.objective === "l1"
        ? (leafRows: Uint32Array) => lr * medianResidual(leafRows, target, prediction)
        : (leafRows: Uint32Array, gradSum: number) => (-lr * gradSum) / (leafRows.length + params.l2);
    const { tree, splitBin } = growTree(
      { codes, bins, grad, rows: sampled.subarray(0, sampleCount) },
      params,
      leafValue,
    );
    trees.push(tree);
    for (let row = 0; row < rows; row++) {
      let node = 0;
      const base = row * featureCount;
      while (tree.feature[node]! !== -1) {
        node = codes[base + tree.feature[node]!]! <= splitBin[node]! ? tree.left[node]! : tree.right[node]!;
      }
      prediction[row] = prediction[row]! + tree.value[node]!;
    }
    if (validation) {
      const step = predictEnsemble({ featureCount, baseValue: 0, trees: [tree] }, validation.features, validation.rows);
      for (let row = 0; row < validation.rows; row++) {
        validationPrediction[row] = validationPrediction[row]! + step[row]!;
      }
      const loss = lossOf(validationPrediction, validation.target, params.objective);
      validationLoss.push(loss);
      if (loss < best.loss) best = { loss, iteration };
      else if (iteration - best.iteration >= params.earlyStoppingRounds) break;
    }
    options.onTree?.(iteration, params.trees);
  }
  const bestIteration = validation ? best.iteration : trees.length;
  return { ensemble: { featureCount, baseValue, trees: trees.slice(0, bestIteration) }, bestIteration, validationLoss };
}

function subsample(set: TrainingSet, maxRows: number, seed: number): TrainingSet {
  if (set.rows <= maxRows) return set;
  const picked = new Uint32Array(set.rows);
  const count = sampleRows(set.rows, maxRows / set.rows, seed, picked);
  return takeRows(set, picked.subarray(0, count));
}

function lossOf(prediction: Float64Array, target: Float64Array, objective: GbdtParams["objective"]): number {
  let loss = 0;
  for (let row = 0; row < target.length; row++) {
    const error = prediction[row]! - target[row]!;
    loss += objective === "l1" ? Math.abs(error) : error * error;
  }
  return loss / target.length;
}

/** Deterministic Bernoulli sample by hashing (row, seed): no PRNG call per row on 7 M rows. */
function sampleRows(rows: number, fraction: number, seed: number, out: Uint32Array): number {
  if (fraction >= 1) {
    for (let row = 0; row < rows; row++) out[row] = row;
    return rows;
  }
  const cut = Math.floor(fraction * 0x1_0000_0000);
  let count = 0;
  for (let row = 0; row < rows; row++) {
    let h = Math.imul(row ^ seed, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca77);
    h ^= h >>> 13;
    if (h >>> 0 < cut) out[count++] = row;
  }
  return count;
}

function medianResidual(rows: Uint32Array, target: Float64Array, prediction: Float64Array): number {
  const residuals = new Float64Array(rows.length);
  rows.forEach((row, i) => (residuals[i] = target[row]! - prediction[row]!));
  return sortingMedian(residuals);
}

function meanOf(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
