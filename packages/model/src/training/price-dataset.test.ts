import { describe, expect, it } from "vitest";
import { toEpochDay } from "../features/epoch-day.js";
import { FEATURE_COUNT } from "../features/feature-set.js";
import { syntheticSeries } from "../testing/synthetic-series.js";
import { buildPriceDataset, HORIZON_DAYS } from "./price-dataset.js";

describe("buildPriceDataset", () => {
  const point = (date: string, market: number) => ({
    cardId: "c",
    date,
    market,
    low: null,
    high: null,
    volume: null,
    source: "t",
  });

  it("targets the median of the next 7 days and keeps both baselines on the same row", () => {
    const prices = [10, 11, 12, 13, 20, 30, 40, 50, 5, 6];
    const series = [
      {
        cardId: "c",
        points: prices.map((p, i) => point(`2025-06-0${i}`.replace("0-", "-").replace(/-0(\d\d)$/, "-$1"), p)),
      },
    ];
    series[0]!.points = prices.map((p, i) => point(`2025-06-${String(i + 1).padStart(2, "0")}`, p));
    const data = buildPriceDataset(series, () => undefined);
    expect(data.rows).toBe(prices.length - HORIZON_DAYS);
    // Row 0 (06-01, price 10): next 7 days 11 12 13 20 30 40 50 → median 20.
    expect(data.actual[0]).toBe(20);
    expect(data.target[0]).toBeCloseTo(Math.log(20 / 10), 12);
    expect(data.price[2]).toBe(12);
    expect(data.rollingMean3[0]).toBe(10);
    expect(data.rollingMean3[2]).toBe(11);
    expect(data.day[1]).toBe(toEpochDay("2025-06-02"));
  });

  it("carries prices forward over missing days, in the target as in the features", () => {
    const series = [
      { cardId: "c", points: [point("2025-06-01", 10), point("2025-06-05", 20), point("2025-06-12", 30)] },
    ];
    const data = buildPriceDataset(series, () => undefined);
    // 06-01's next 7 days: 10 10 10 20 20 20 20 → 20; 06-02's baseline still sees only the 06-01 observation.
    expect(data.actual[0]).toBe(20);
    expect(data.rollingMean3[1]).toBe(10);
    expect(data.rows).toBe(12 - HORIZON_DAYS);
  });

  it("skips cards with no future to score", () => {
    const data = buildPriceDataset(
      [
        { cardId: "c", points: [point("2025-06-01", 1)] },
        { cardId: "d", points: [] },
      ],
      () => undefined,
    );
    expect(data.rows).toBe(0);
  });

  it("gives finite features for every row of a jumpy history", () => {
    const data = buildPriceDataset(syntheticSeries(20, 90, 5), () => undefined);
    expect(data.features.every(Number.isFinite)).toBe(true);
    expect(data.target.every(Number.isFinite)).toBe(true);
  });

  it("builds every row up to a date from prices up to that date only (features and the 3-day baseline)", () => {
    const [series] = syntheticSeries(1, 80, 21);
    const cut = series!.points[50]!.date;
    const rewritten = {
      ...series!,
      points: series!.points.map((p) => (p.date > cut ? { ...p, market: p.market * 3 } : p)),
    };
    const original = buildPriceDataset([series!], () => undefined);
    const changed = buildPriceDataset([rewritten], () => undefined);
    let compared = 0;
    for (let row = 0; row < original.rows; row++) {
      if (original.day[row]! > toEpochDay(cut)) break;
      const features = (data: typeof original) =>
        data.features.subarray(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT);
      expect(features(changed)).toEqual(features(original));
      expect(changed.rollingMean3[row]).toBe(original.rollingMean3[row]);
      expect(changed.price[row]).toBe(original.price[row]);
      compared++;
    }
    // Days without an observation (carried forward) are among the rows compared.
    expect(compared).toBeGreaterThan(40);
    expect(series!.points.length).toBeLessThan(80);
  });

  it("refuses a card whose attributes make a feature non-finite, naming it", () => {
    const [series] = syntheticSeries(1, 20, 3);
    expect(() => buildPriceDataset([series!], () => ({ rarity: null, setReleaseDate: "2025-13-45" }))).toThrow(
      expect.objectContaining({ code: "BAD_FEATURES", message: expect.stringContaining("set_age_days") as string }),
    );
  });
});
