import { ModelInputError } from "../model-input-error.js";
import { HORIZON_DAYS, type PriceDataset } from "../training/price-dataset.js";

export interface SplitOptions {
  /** Share of the latest feature dates held out for the test. @default 0.2 */
  testFraction?: number;
  /** Share of the dates known before the test used to calibrate intervals and stop early. @default 0.25 */
  calibrationFraction?: number;
}

/**
 * A time-based split with no look-ahead: a row may train a model scored on later rows only if its
 * 7-day target was already known on the first day of those later rows.
 */
export interface TimeSplit {
  /** Rows whose targets were known when calibration starts: the first-stage model. */
  fit: Uint32Array;
  /** Rows after `fit` (targets known before the test): interval quantiles and early stopping. */
  calibration: Uint32Array;
  /** Every row whose target was known when the test starts: the final model. */
  known: Uint32Array;
  /** The held-out latest dates. */
  test: Uint32Array;
  calibrationStart: number;
  testStart: number;
}

export function splitByTime(data: PriceDataset, options: SplitOptions = {}): TimeSplit {
  const { testFraction = 0.2, calibrationFraction = 0.25 } = options;
  const days = distinctSorted(data.day);
  if (days.length < 2) {
    throw new ModelInputError("INSUFFICIENT_HISTORY", "a time-based split needs at least two feature dates");
  }
  const testStart = days[Math.min(days.length - 1, Math.max(1, Math.floor(days.length * (1 - testFraction))))]!;
  const knownDays = days.filter((d) => d + HORIZON_DAYS <= testStart);
  const calibrationStart =
    knownDays.length > 0
      ? knownDays[Math.min(knownDays.length - 1, Math.floor(knownDays.length * (1 - calibrationFraction)))]!
      : testStart;
  return {
    fit: rowsWhere(data, (d) => d + HORIZON_DAYS <= calibrationStart),
    calibration: rowsWhere(data, (d) => d >= calibrationStart && d + HORIZON_DAYS <= testStart),
    known: rowsWhere(data, (d) => d + HORIZON_DAYS <= testStart),
    test: rowsWhere(data, (d) => d >= testStart),
    calibrationStart,
    testStart,
  };
}

function distinctSorted(days: Int32Array): number[] {
  return [...new Set(days)].sort((a, b) => a - b);
}

function rowsWhere(data: PriceDataset, keep: (day: number) => boolean): Uint32Array {
  const rows: number[] = [];
  for (let row = 0; row < data.rows; row++) if (keep(data.day[row]!)) rows.push(row);
  return Uint32Array.from(rows);
}
