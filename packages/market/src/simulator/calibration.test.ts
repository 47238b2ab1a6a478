import { describe, expect, it } from "vitest";
import { createMarketStats, type MarketStats } from "./market-stats.js";
import { createMarketSimulator } from "./simulate-market.js";
import { simulationCatalog } from "./simulated-sets.js";

/**
 * Bands around the real figures of docs/simulator.md. They are wide on purpose: the simulator should
 * look like the market (sticky, heavy-tailed, thin, ordered by rarity), not reproduce one sample.
 * All 2,080 cards of the simulated sets are used because the first few hundred are all from the two newest sets.
 */
function statsFor(seed: number): MarketStats {
  const simulator = createMarketSimulator({ cards: 2080, days: 120, seed, catalog: simulationCatalog() });
  const rarityById = new Map(simulator.cards.map((card) => [card.id, card.rarity]));
  const stats = createMarketStats((id) => rarityById.get(id) ?? null);
  for (let i = 0; i < simulator.cards.length; i++) stats.add(simulator.simulateCardSeries(i));
  return stats.summary();
}

/** Real median market price by rarity: TCGplayer snapshot of 2025-03-01, Scarlet & Violet sets. */
const REAL_MEDIAN_USD: Record<string, number> = {
  Common: 0.06,
  Uncommon: 0.07,
  Rare: 0.11,
  "Double Rare": 0.815,
  "Ultra Rare": 2.535,
  "Shiny Rare": 3.49,
  "Hyper Rare": 9.68,
  "Illustration Rare": 12.06,
  "Special Illustration Rare": 31.94,
};

describe.each([1, 2024])("calibration against the real data (seed %i)", (seed) => {
  const stats = statsFor(seed);

  it("never changes a price at the weekend; changes 9–17 % of cards a weekday (real 12.6 %)", () => {
    expect(stats.weekendChangeShare).toBe(0);
    expect(stats.weekdayChangeShare).toBeGreaterThan(0.09);
    expect(stats.weekdayChangeShare).toBeLessThan(0.17);
  });

  it("catches up on Monday after the frozen weekend (real 21–32 % vs ~11 % Tue–Fri)", () => {
    const [, monday, ...rest] = stats.changeShareByWeekday;
    expect(monday!).toBeGreaterThan(1.5 * Math.max(...rest.slice(0, 4)));
  });

  it("is sticky over a week: median |r| 0, 50–70 % of card-weeks unchanged (real 0, 59.7 %)", () => {
    expect(stats.weekReturns.medianAbs).toBe(0);
    expect(stats.weekReturns.zeroShare).toBeGreaterThan(0.5);
    expect(stats.weekReturns.zeroShare).toBeLessThan(0.7);
  });

  it("has a 7-day log-return sd of 0.10–0.22 (real 0.151)", () => {
    expect(stats.weekReturns.sd).toBeGreaterThan(0.1);
    expect(stats.weekReturns.sd).toBeLessThan(0.22);
  });

  it("is heavy-tailed (real kurtosis 159; a normal's is 3)", () => {
    expect(stats.weekReturns.kurtosis).toBeGreaterThan(25);
    // A normal with the moves' typical size (median |r| of the non-zero ones) would put its 99th
    // percentile |r| at 3.82 × that median; real moves reach 11 × further, ours must reach ≥ 2 ×.
    const { medianAbs, p99Abs } = stats.weekReturnsNonZero;
    expect(p99Abs).toBeGreaterThan(2 * 3.82 * medianAbs);
  });

  it("undoes part of a deviation, so a model has something to learn, but not all of it", () => {
    // Real: weekly lag-1 autocorrelation −0.22 (daily file); monthly RAW reversion correlation −0.34.
    expect(stats.weeklyAutocorrelation).toBeLessThan(-0.05);
    expect(stats.weeklyAutocorrelation).toBeGreaterThan(-0.45);
    expect(stats.reversionCorrelation).toBeLessThan(-0.1);
    expect(stats.reversionCorrelation).toBeGreaterThan(-0.6);
  });

  it("orders price levels by rarity, each median within ×2.5 of the real one", () => {
    const median = stats.medianPriceByRarity;
    const ladder = ["Common", "Rare", "Double Rare", "Ultra Rare", "Illustration Rare", "Special Illustration Rare"];
    for (let i = 1; i < ladder.length; i++) expect(median[ladder[i]!]!).toBeGreaterThan(median[ladder[i - 1]!]!);
    expect(median["Hyper Rare"]!).toBeGreaterThan(median["Ultra Rare"]!);
    expect(median["Hyper Rare"]!).toBeLessThan(median["Special Illustration Rare"]!);
    expect(median["Mega Hyper Rare"]!).toBeGreaterThan(median["Special Illustration Rare"]!);
    for (const [rarity, real] of Object.entries(REAL_MEDIAN_USD)) {
      expect(median[rarity]!, rarity).toBeGreaterThan(real / 2.5);
      expect(median[rarity]!, rarity).toBeLessThan(real * 2.5);
    }
  });

  it("sells chase cards thinly: median 3–5 units per 3 days, 5–20 % of buckets empty (real 4, 11.8 %)", () => {
    expect(stats.chaseVolumePer3Days.median).toBeGreaterThanOrEqual(3);
    expect(stats.chaseVolumePer3Days.median).toBeLessThanOrEqual(5);
    expect(stats.chaseVolumePer3Days.zeroShare).toBeGreaterThan(0.05);
    expect(stats.chaseVolumePer3Days.zeroShare).toBeLessThan(0.2);
  });
});
