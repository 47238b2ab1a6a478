import type { PricePoint } from "@pokewatch/market";
import { describe, expect, it } from "vitest";
import type { CardAttributes } from "./card-attributes.js";
import { toDailyGrid } from "./daily-grid.js";
import { fromEpochDay, toEpochDay } from "./epoch-day.js";
import { FEATURE_COUNT, FEATURE_NAMES, writeFeatureRow } from "./feature-set.js";

const attributes: CardAttributes = { rarity: "Special Illustration Rare", setReleaseDate: "2025-01-17" };

/** A jumpy series with gaps (missing days), sticky stretches and volume on some days. */
function jumpySeries(days: number, seed: number): PricePoint[] {
  let state = seed;
  const random = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 0x1_0000_0000;
  const start = toEpochDay("2025-03-01");
  const points: PricePoint[] = [];
  let price = 20;
  for (let day = 0; day < days; day++) {
    if (random() < 0.15) continue;
    if (random() < 0.3) price = Math.max(0.05, Math.round(price * Math.exp((random() - 0.5) * 0.4) * 100) / 100);
    const volume = random() < 0.5 ? Math.floor(random() * 9) : null;
    points.push({
      cardId: "sv8-238",
      date: fromEpochDay(start + day),
      market: price,
      low: null,
      high: null,
      volume,
      source: "test",
    });
  }
  return points;
}

const rowAt = (points: PricePoint[], day: number) => {
  const out = new Float32Array(FEATURE_COUNT);
  writeFeatureRow(toDailyGrid(points), day, attributes, out, 0);
  return out;
};

describe("writeFeatureRow", () => {
  const points = jumpySeries(120, 3);

  it("never reads a price after the feature date: truncating or rewriting the future changes nothing", () => {
    for (const point of points.slice(0, -1)) {
      const day = toEpochDay(point.date);
      const full = rowAt(points, day);
      const past = points.filter((p) => p.date <= point.date);
      const rewritten = points.map((p) => (p.date > point.date ? { ...p, market: p.market * 7, volume: 1_000 } : p));
      expect(rowAt(past, day)).toEqual(full);
      expect(rowAt(rewritten, day)).toEqual(full);
    }
  });

  it("carries the last price forward for a day after the last observation", () => {
    const last = toEpochDay(points.at(-1)!.date);
    const row = rowAt(points, last + 3);
    const column = (name: (typeof FEATURE_NAMES)[number]) => row[FEATURE_NAMES.indexOf(name)];
    expect(column("log_price")).toBeCloseTo(Math.log(points.at(-1)!.market), 5);
    expect(column("ret_1")).toBe(0);
    expect(column("observed_today")).toBe(0);
  });

  it("refuses a day before the card's first price", () => {
    expect(() => rowAt(points, toEpochDay(points[0]!.date) - 1)).toThrow(RangeError);
  });

  it("computes the documented values on a small hand-made series", () => {
    const day = (n: number) => fromEpochDay(toEpochDay("2025-06-02") + n);
    const series: PricePoint[] = [10, 10, 12, 12, 9].map((market, n) => ({
      cardId: "x",
      date: day(n),
      market,
      low: null,
      high: null,
      volume: n,
      source: "test",
    }));
    const row = rowAt(series, toEpochDay(day(4)));
    const value = (name: (typeof FEATURE_NAMES)[number]) => row[FEATURE_NAMES.indexOf(name)]!;
    expect(value("log_price")).toBeCloseTo(Math.log(9), 5);
    expect(value("ret_1")).toBeCloseTo(Math.log(9 / 12), 5);
    expect(value("ret_3")).toBeCloseTo(Math.log(9 / 10), 5);
    expect(value("mean_3_ratio")).toBeCloseTo(Math.log(11 / 9), 5);
    expect(value("median_7_ratio")).toBeCloseTo(Math.log(10 / 9), 5); // window padded with the first price
    expect(value("days_since_change")).toBe(0);
    expect(value("last_change")).toBeCloseTo(Math.log(9 / 12), 5);
    expect(value("changes_14")).toBe(2);
    expect(value("max_28_ratio")).toBeCloseTo(Math.log(12 / 9), 5);
    expect(value("history_days")).toBe(4);
    expect(value("weekday")).toBe(5); // 2025-06-06 was a Friday
    expect(value("observed_today")).toBe(1);
    expect(value("rarity_tier")).toBe(5);
    expect(value("set_age_days")).toBe(toEpochDay(day(4)) - toEpochDay("2025-01-17"));
    expect(value("volume_7")).toBe(0 + 1 + 2 + 3 + 4);
  });

  it("marks unknown attributes and missing volume with -1", () => {
    const series = points.map((p) => ({ ...p, volume: null }));
    const out = new Float32Array(FEATURE_COUNT);
    writeFeatureRow(toDailyGrid(series), toEpochDay(series[10]!.date), undefined, out, 0);
    for (const name of ["rarity_tier", "set_age_days", "volume_7"] as const)
      expect(out[FEATURE_NAMES.indexOf(name)]).toBe(-1);
  });
});

describe("toDailyGrid", () => {
  it("refuses points out of order or twice on one date", () => {
    const [a, b] = jumpySeries(10, 1);
    expect(() => toDailyGrid([b!, a!])).toThrow(/ascend/);
    expect(() => toDailyGrid([a!, a!])).toThrow(/ascend/);
  });
});
