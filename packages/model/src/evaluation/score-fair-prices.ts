import type { ModelMetrics, PredictionInterval } from "../registry/model-version.js";
import type { PriceDataset } from "../training/price-dataset.js";
import { errorMetrics, intervalCoverage } from "./error-metrics.js";

/**
 * Scores a model's log-ratio predictions for `rows` of the dataset as fair prices, beside the two
 * baselines on exactly the same rows.
 */
export function scoreFairPrices(
  data: PriceDataset,
  rows: Uint32Array,
  logRatio: Float64Array,
  interval: PredictionInterval,
): ModelMetrics {
  const n = rows.length;
  const fair = new Float64Array(n);
  const low = new Float64Array(n);
  const high = new Float64Array(n);
  const actual = new Float64Array(n);
  const lastPrice = new Float64Array(n);
  const rollingMean3 = new Float64Array(n);
  rows.forEach((row, i) => {
    fair[i] = data.price[row]! * Math.exp(logRatio[i]!);
    low[i] = fair[i] * Math.exp(interval.lowLogRatio);
    high[i] = fair[i] * Math.exp(interval.highLogRatio);
    actual[i] = data.actual[row]!;
    lastPrice[i] = data.price[row]!;
    rollingMean3[i] = data.rollingMean3[row]!;
  });
  return {
    n,
    ...errorMetrics(fair, actual),
    intervalCoverage: intervalCoverage(low, high, actual),
    baselines: { lastPrice: errorMetrics(lastPrice, actual), rollingMean3: errorMetrics(rollingMean3, actual) },
  };
}
