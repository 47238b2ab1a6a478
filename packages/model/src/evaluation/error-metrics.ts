import type { ErrorMetrics } from "../registry/model-version.js";

/** MAPE, RMSE and MAE of `predicted` against `actual` over the given rows (all rows by default). */
export function errorMetrics(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  rows?: ArrayLike<number>,
): ErrorMetrics {
  const n = rows ? rows.length : actual.length;
  if (n === 0) throw new Error("no rows to score");
  let absolute = 0;
  let squared = 0;
  let percentage = 0;
  for (let i = 0; i < n; i++) {
    const row = rows ? rows[i]! : i;
    const error = predicted[row]! - actual[row]!;
    absolute += Math.abs(error);
    squared += error * error;
    percentage += Math.abs(error) / actual[row]!;
  }
  return { mape: percentage / n, rmse: Math.sqrt(squared / n), mae: absolute / n };
}

/** Share of outcomes inside [low, high], bounds included. */
export function intervalCoverage(low: ArrayLike<number>, high: ArrayLike<number>, actual: ArrayLike<number>): number {
  let inside = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i]! >= low[i]! && actual[i]! <= high[i]!) inside++;
  return inside / actual.length;
}

/** The q-quantile (0…1) by linear interpolation between order statistics. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new Error("quantile of no values");
  const sorted = Float64Array.from(values).sort();
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}
