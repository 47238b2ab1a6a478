import { rarityRank, setAgeDays, type CardAttributes } from "./card-attributes.js";
import type { DailyGrid } from "./daily-grid.js";
import { weekdayOf } from "./epoch-day.js";
import { sortingMedian } from "./sorting-median.js";

/**
 * The model's inputs, in ONNX column order. Price features are log-ratios to today's price so one
 * model serves a $0.10 common and a $500 chase card alike. Changing this list means a new model.
 */
export const FEATURE_NAMES = [
  "log_price",
  "ret_1",
  "ret_3",
  "ret_7",
  "ret_14",
  "ret_28",
  "mean_3_ratio",
  "mean_7_ratio",
  "mean_28_ratio",
  "median_7_ratio",
  "median_28_ratio",
  "volatility_7",
  "volatility_28",
  "days_since_change",
  "last_change",
  "changes_14",
  "max_28_ratio",
  "min_28_ratio",
  "history_days",
  "weekday",
  "observed_today",
  "rarity_tier",
  "set_age_days",
  "volume_7",
] as const;

export const FEATURE_COUNT = FEATURE_NAMES.length;
const MAX_DAYS = 365;
const scratch = new Float64Array(28);

/**
 * Writes the features of the card on epoch day `day` into `out` at `offset` (as float32, which is
 * what the ONNX model reads). Only prices on or before `day` are read: slots past `day` are never
 * touched, and a day past the grid's end sees the last price carried forward. Pure: one
 * implementation for training and serving.
 */
export function writeFeatureRow(
  grid: DailyGrid,
  day: number,
  attributes: CardAttributes | undefined,
  out: Float32Array,
  offset: number,
): void {
  const { market } = grid;
  const last = market.length - 1;
  const t = day - grid.startDay;
  if (t < 0) throw new RangeError(`day ${day} is before the card's first price`);
  const at = (back: number) => market[Math.min(Math.max(t - back, 0), last)]!;
  const price = at(0);
  const logRatio = (value: number) => Math.log(value / price);

  let row = offset;
  const put = (value: number) => (out[row++] = value);
  put(Math.log(price));
  for (const back of [1, 3, 7, 14, 28]) put(Math.log(price / at(back)));
  for (const width of [3, 7, 28]) put(logRatio(windowMean(at, width)));
  for (const width of [7, 28]) put(logRatio(windowMedian(at, width)));
  for (const width of [7, 28]) put(volatility(at, width, t));

  let sinceChange = 0;
  while (sinceChange < Math.min(t, MAX_DAYS) && at(sinceChange) === at(sinceChange + 1)) sinceChange++;
  const changed = sinceChange < t && at(sinceChange) !== at(sinceChange + 1);
  put(sinceChange);
  put(changed ? Math.log(at(sinceChange) / at(sinceChange + 1)) : 0);
  let changes = 0;
  for (let back = 0; back < Math.min(14, t); back++) if (at(back) !== at(back + 1)) changes++;
  put(changes);

  let high = price;
  let low = price;
  for (let back = 1; back < 28; back++) {
    high = Math.max(high, at(back));
    low = Math.min(low, at(back));
  }
  put(logRatio(high));
  put(logRatio(low));
  put(Math.min(t, MAX_DAYS));
  put(weekdayOf(day));
  put(t <= last ? grid.observed[t]! : 0);
  put(rarityRank(attributes?.rarity ?? null));
  put(setAgeDays(attributes, day));
  put(grid.firstVolumeSlot <= t ? volumeSum(grid, t, 7) : -1);
}

function windowMean(at: (back: number) => number, width: number): number {
  let sum = 0;
  for (let back = 0; back < width; back++) sum += at(back);
  return sum / width;
}

function windowMedian(at: (back: number) => number, width: number): number {
  const values = scratch.subarray(0, width);
  for (let back = 0; back < width; back++) values[back] = at(back);
  return sortingMedian(values);
}

/** Standard deviation of daily log returns over the window, counting only days with history. */
function volatility(at: (back: number) => number, width: number, t: number): number {
  const n = Math.min(width, t);
  if (n < 2) return 0;
  let sum = 0;
  let squares = 0;
  for (let back = 0; back < n; back++) {
    const r = Math.log(at(back) / at(back + 1));
    sum += r;
    squares += r * r;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, squares / n - mean * mean));
}

function volumeSum(grid: DailyGrid, t: number, width: number): number {
  let sum = 0;
  for (let back = 0; back < width; back++) {
    const slot = t - back;
    if (slot < 0) break;
    const units = slot < grid.volume.length ? grid.volume[slot]! : Number.NaN;
    if (!Number.isNaN(units)) sum += units;
  }
  return sum;
}
