import { describe, expect, it } from "vitest";
import { toEpochDay } from "../features/epoch-day.js";
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
});
