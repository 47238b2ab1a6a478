/**
 * Histogram bins per feature (as LightGBM does): each value maps to a bin of at most 256, and a
 * split "bin <= b" is the same as "x <= edges[b]" on the raw float32 value, so the trained trees
 * export with exact thresholds.
 */
export interface FeatureBins {
  /** edges[f] ascending float32 values; bin(x) = first b with x <= edges[f][b], else edges.length. */
  edges: Float32Array[];
}

export const MAX_BINS = 256;
const SAMPLE_ROWS = 200_000;

export function computeFeatureBins(features: Float32Array, rows: number, featureCount: number): FeatureBins {
  const stride = Math.max(1, Math.floor(rows / SAMPLE_ROWS));
  const sampled = Math.ceil(rows / stride);
  const edges: Float32Array[] = [];
  const values = new Float32Array(sampled);
  for (let f = 0; f < featureCount; f++) {
    for (let i = 0; i < sampled; i++) values[i] = features[i * stride * featureCount + f]!;
    values.sort();
    const distinct: number[] = [];
    for (const v of values) if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
    let cuts: number[];
    if (distinct.length <= MAX_BINS) {
      cuts = distinct.slice(0, -1);
    } else {
      cuts = [];
      for (let b = 1; b < MAX_BINS; b++) {
        const v = values[Math.floor((b * sampled) / MAX_BINS) - 1]!;
        if (cuts.length === 0 || cuts[cuts.length - 1]! < v) cuts.push(v);
      }
    }
    edges.push(Float32Array.from(cuts));
  }
  return { edges };
}

/** Row-major bin codes (row i's bins at [i*featureCount …]), one byte per value. */
export function binFeatures(features: Float32Array, rows: number, bins: FeatureBins): Uint8Array {
  const featureCount = bins.edges.length;
  const codes = new Uint8Array(rows * featureCount);
  for (let f = 0; f < featureCount; f++) {
    const edges = bins.edges[f]!;
    for (let row = 0; row < rows; row++) {
      const x = features[row * featureCount + f]!;
      let lo = 0;
      let hi = edges.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (x <= edges[mid]!) hi = mid;
        else lo = mid + 1;
      }
      codes[row * featureCount + f] = lo;
    }
  }
  return codes;
}
