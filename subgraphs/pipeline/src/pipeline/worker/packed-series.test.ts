import { describe, expect, it } from "vitest";
import { packSeries, unpackSeries } from "./packed-series.js";

describe("packSeries", () => {
  it("round-trips every field as it was: nulls, NaN, odd dates and several sources", () => {
    const series = [
      {
        cardId: "a-1",
        points: [
          { cardId: "a-1", date: "2026-01-01", market: 1.5, low: null, high: 2, volume: 0, source: "tcgplayer" },
          { cardId: "a-1", date: "not a day", market: Number.NaN, low: -0, high: null, volume: null, source: "x" },
        ],
      },
      { cardId: "b-2", points: [] },
      {
        cardId: "c-3",
        points: [{ cardId: "c-3", date: "2026-01-01", market: 3, low: 2, high: 4, volume: 7, source: "tcgplayer" }],
      },
    ];
    const packed = packSeries(series);
    expect(packed.dates).toEqual(["2026-01-01", "not a day"]);
    expect(unpackSeries(structuredClone(packed))).toEqual(series);
  });
});
