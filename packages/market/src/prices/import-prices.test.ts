import { describe, expect, it } from "vitest";
import { sourceOfFile } from "./import-prices.js";

describe("sourceOfFile", () => {
  it.each([
    ["/data/tcgplayer_daily_2025-05-29_to_2025-07-01.csv", "tcgplayer_daily_2025-05-29_to_2025-07-01"],
    ["monthly_raw_2020-12_to_2026-03.CSV", "monthly_raw_2020-12_to_2026-03"],
    ["exports/prices.2025.csv", "prices.2025"],
    ["prices", "prices"],
    // Nothing but an extension, or blank before it: the name itself, never a blank source.
    ["/data/.csv", ".csv"],
    ["/data/ .csv", ".csv"],
  ])("names the rows of %s %j", (path, source) => {
    expect(sourceOfFile(path)).toBe(source);
  });
});
