import { MAX_BINS, type FeatureBins } from "./feature-bins.js";
import type { RegressionTree } from "./tree-ensemble.js";

export interface TreeShape {
  maxLeaves: number;
  maxDepth: number;
  minRowsPerLeaf: number;
  /** L2 penalty on leaf weights in the split gain. */
  l2: number;
}

export interface GrowInput {
  /** Row-major bin codes from `binFeatures`. */
  codes: Uint8Array;
  bins: FeatureBins;
  /** Gradient per row (all rows; only `rows` are read). */
  grad: Float64Array;
  /** The rows this tree learns from; reordered in place. */
  rows: Uint32Array;
}

/** A grown tree, plus the bin each branch splits at, to route rows by their codes. */
export interface GrownTree {
  tree: RegressionTree;
  splitBin: number[];
}

/** Leaf value from the rows that reached it (a segment of `rows`). */
export type LeafValue = (rows: Uint32Array, gradSum: number) => number;

interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  gradSum: number;
  hist: Float64Array;
  count: Uint32Array;
  split: { gain: number; feature: number; bin: number } | null;
}

/**
 * Grows one regression tree leaf-wise (best gain first, as LightGBM) on gradient histograms; a
 * child's histogram is built for the smaller side only and the other is the parent's minus it.
 */
export function growTree(input: GrowInput, shape: TreeShape, leafValue: LeafValue): GrownTree {
  const featureCount = input.bins.edges.length;
  const tree: RegressionTree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const splitBin: number[] = [];
  const addNode = () => {
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(0);
    splitBin.push(-1);
    return tree.feature.length - 1;
  };
  const newLeaf = (start: number, end: number, depth: number): Leaf => {
    const leaf: Leaf = {
      node: addNode(),
      start,
      end,
      depth,
      gradSum: 0,
      hist: new Float64Array(featureCount * MAX_BINS),
      count: new Uint32Array(featureCount * MAX_BINS),
      split: null,
    };
    return leaf;
  };

  const root = newLeaf(0, input.rows.length, 0);
  fillHistogram(input, root, featureCount);
  const leaves = [root];
  findSplit(root, input.bins, shape);
  while (leaves.length < shape.maxLeaves) {
    let best: Leaf | undefined;
    for (const leaf of leaves) if (leaf.split && (!best || leaf.split.gain > best.split!.gain)) best = leaf;
    if (!best) break;
    const { feature, bin } = best.split!;
    const middle = partition(input, best, feature, bin, featureCount);
    const left = newLeaf(best.start, middle, best.depth + 1);
    const right = newLeaf(middle, best.end, best.depth + 1);
    const [small, large] = middle - best.start <= best.end - middle ? [left, right] : [right, left];
    fillHistogram(input, small, featureCount);
    for (let i = 0; i < large.hist.length; i++) {
      large.hist[i] = best.hist[i]! - small.hist[i]!;
      large.count[i] = best.count[i]! - small.count[i]!;
    }
    large.gradSum = best.gradSum - small.gradSum;
    tree.feature[best.node] = feature;
    tree.threshold[best.node] = input.bins.edges[feature]![bin]!;
    tree.left[best.node] = left.node;
    tree.right[best.node] = right.node;
    splitBin[best.node] = bin;
    leaves.splice(leaves.indexOf(best), 1, left, right);
    findSplit(left, input.bins, shape);
    findSplit(right, input.bins, shape);
  }
  for (const leaf of leaves) {
    tree.value[leaf.node] = Math.fround(leafValue(input.rows.subarray(leaf.start, leaf.end), leaf.gradSum));
  }
  return { tree, splitBin };
}

function fillHistogram({ codes, grad, rows }: GrowInput, leaf: Leaf, featureCount: number): void {
  const { hist, count } = leaf;
  let gradSum = 0;
  for (let i = leaf.start; i < leaf.end; i++) {
    const row = rows[i]!;
    const g = grad[row]!;
    gradSum += g;
    const base = row * featureCount;
    for (let f = 0; f < featureCount; f++) {
      const slot = f * MAX_BINS + codes[base + f]!;
      hist[slot] = hist[slot]! + g;
      count[slot] = count[slot]! + 1;
    }
  }
  leaf.gradSum = gradSum;
}

function findSplit(leaf: Leaf, bins: FeatureBins, shape: TreeShape): void {
  leaf.split = null;
  const n = leaf.end - leaf.start;
  if (leaf.depth >= shape.maxDepth || n < 2 * shape.minRowsPerLeaf) return;
  const { l2, minRowsPerLeaf } = shape;
  const total = leaf.gradSum;
  const parentScore = (total * total) / (n + l2);
  bins.edges.forEach((edges, f) => {
    let gradLeft = 0;
    let rowsLeft = 0;
    for (let bin = 0; bin < edges.length; bin++) {
      gradLeft += leaf.hist[f * MAX_BINS + bin]!;
      rowsLeft += leaf.count[f * MAX_BINS + bin]!;
      const rowsRight = n - rowsLeft;
      if (rowsLeft < minRowsPerLeaf) continue;
      if (rowsRight < minRowsPerLeaf) break;
      const gradRight = total - gradLeft;
      const gain = (gradLeft * gradLeft) / (rowsLeft + l2) + (gradRight * gradRight) / (rowsRight + l2) - parentScore;
      if (gain > 1e-12 && (!leaf.split || gain > leaf.split.gain)) leaf.split = { gain, feature: f, bin };
    }
  });
}

/** Moves the leaf's rows with code <= bin to the front of its segment; returns where the rest start. */
function partition({ codes, rows }: GrowInput, leaf: Leaf, feature: number, bin: number, featureCount: number): number {
  let i = leaf.start;
  let j = leaf.end - 1;
  while (i <= j) {
    if (codes[rows[i]! * featureCount + feature]! <= bin) i++;
    else {
      const swap = rows[i]!;
      rows[i] = rows[j]!;
      rows[j] = swap;
      j--;
    }
  }
  return i;
}
