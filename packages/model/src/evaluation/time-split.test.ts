import { describe, expect, it } from "vitest";
import { syntheticSeries } from "../testing/synthetic-series.js";
import { buildPriceDataset, HORIZON_DAYS } from "../training/price-dataset.js";
import { splitByTime } from "./time-split.js";

describe("splitByTime", () => {
  const data = buildPriceDataset(syntheticSeries(10, 120, 2), () => undefined);
  const split = splitByTime(data);
  const days = (rows: Uint32Array) => Array.from(rows, (row) => data.day[row]!);

  it("holds out the latest dates", () => {
    expect(Math.min(...days(split.test))).toBe(split.testStart);
    expect(split.test.length).toBeGreaterThan(0);
  });

  it("trains only on rows whose 7-day target was known before the rows they are scored on", () => {
    expect(Math.max(...days(split.known)) + HORIZON_DAYS).toBeLessThanOrEqual(split.testStart);
    expect(Math.max(...days(split.fit)) + HORIZON_DAYS).toBeLessThanOrEqual(split.calibrationStart);
    expect(Math.min(...days(split.calibration))).toBe(split.calibrationStart);
    expect(Math.max(...days(split.calibration)) + HORIZON_DAYS).toBeLessThanOrEqual(split.testStart);
  });

  it("uses no row twice across fit, calibration and test", () => {
    const seen = new Set<number>();
    for (const row of [...split.fit, ...split.calibration, ...split.test]) {
      expect(seen.has(row)).toBe(false);
      seen.add(row);
    }
  });

  it("refuses a dataset with a single date", () => {
    const single = buildPriceDataset(syntheticSeries(3, HORIZON_DAYS + 1, 1), () => undefined);
    expect(() => splitByTime(single)).toThrow(/two feature dates/);
  });
});
