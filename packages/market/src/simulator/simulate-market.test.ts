import { PassThrough } from "node:stream";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { writePriceCsv } from "./price-csv-writer.js";
import {
  SIMULATION_DEFAULT_END_DATE,
  createMarketSimulator,
  simulateMarket,
  type SimulateMarketOptions,
} from "./simulate-market.js";
import { simulationCatalog } from "./simulated-sets.js";

const catalog = simulationCatalog();
const base = { cards: 300, days: 120, seed: 1, catalog } satisfies SimulateMarketOptions;

async function csvOf(options: SimulateMarketOptions): Promise<string> {
  const out = new PassThrough();
  const [body] = await Promise.all([text(out), writePriceCsv(simulateMarket(options), out)]);
  return body;
}

describe("simulateMarket: determinism", () => {
  it("gives byte-identical CSV for the same seed and different CSV for another", async () => {
    const first = await csvOf(base);
    expect(await csvOf(base)).toBe(first);
    expect(await csvOf({ ...base, seed: 2 })).not.toBe(first);
  });

  it("makes a smaller run a prefix of a larger one", async () => {
    const small = await csvOf({ ...base, cards: 40 });
    const large = await csvOf({ ...base, cards: 300 });
    expect(large.startsWith(small)).toBe(true);
  });

  it("prices a card from the seed and its index alone, even as a clone far past the catalog", () => {
    const big = createMarketSimulator({ ...base, cards: catalog.size + 3 });
    const small = createMarketSimulator({ ...base, cards: 10 });
    expect(big.simulateCardSeries(7)).toEqual(small.simulateCardSeries(7));
    expect(big.simulateCardSeries(7)).toEqual(big.simulateCardSeries(7));
    const clone = big.simulateCardSeries(catalog.size + 2);
    expect(clone[0]!.cardId).toBe(`${big.cards[2]!.id}-s1`);
    expect(clone.map((p) => p.market)).not.toEqual(big.simulateCardSeries(2).map((p) => p.market));
  });

  it("never lets today's date in: the default end date is fixed", () => {
    const simulator = createMarketSimulator({ ...base, cards: 1 });
    expect(simulator.dates.at(-1)).toBe(SIMULATION_DEFAULT_END_DATE);
    expect(simulator.simulateCardSeries(0)).toEqual(
      createMarketSimulator({ ...base, cards: 1, endDate: SIMULATION_DEFAULT_END_DATE }).simulateCardSeries(0),
    );
  });
});

describe("simulateMarket: output", () => {
  const points = [...simulateMarket({ ...base, endDate: "2024-03-10" })];

  it("yields cards × days points, card by card, each card's days contiguous up to endDate", () => {
    expect(points).toHaveLength(300 * 120);
    const firstCard = points.slice(0, 120);
    expect(new Set(firstCard.map((p) => p.cardId)).size).toBe(1);
    expect(firstCard[0]!.date).toBe("2023-11-12");
    expect(firstCard.at(-1)!.date).toBe("2024-03-10");
    for (let i = 1; i < firstCard.length; i++) {
      const gap = Date.parse(firstCard[i]!.date) - Date.parse(firstCard[i - 1]!.date);
      expect(gap).toBe(86_400_000);
    }
    expect(points[120]!.cardId).not.toBe(points[0]!.cardId);
    expect(points.every((p, i) => p.date === firstCard[i % 120]!.date)).toBe(true);
  });

  it("prices in whole cents, at least $0.01, with low ≤ market ≤ high", () => {
    const cents = (usd: number | null) => usd !== null && Math.round(usd * 100) / 100 === usd && usd >= 0.01;
    const bad = points.filter(
      (p) => !cents(p.market) || !cents(p.low) || !cents(p.high) || p.low! > p.market || p.high! < p.market,
    );
    expect(bad).toEqual([]);
  });

  it("reports small whole-number volumes and source 'simulator'", () => {
    expect(points.every((p) => Number.isInteger(p.volume) && p.volume! >= 0)).toBe(true);
    expect(points.every((p) => p.source === "simulator")).toBe(true);
    expect(Math.max(...points.map((p) => p.volume!))).toBeLessThan(200);
  });
});

describe("simulateMarket: misuse", () => {
  it.each([
    [{ cards: 0 }, /cards must be a whole number from 1 to 1000000; got 0/],
    [{ cards: 2.5 }, /cards must be a whole number/],
    [{ days: 0 }, /days must be a whole number from 1 to 36600; got 0/],
    [{ days: Number.NaN }, /days must be a whole number/],
    [{ seed: 1.5 }, /seed must be a safe integer; got 1.5/],
    [{ seed: 2 ** 60 }, /seed must be a safe integer/],
    [{ endDate: "2025-02-30" }, /endDate must be a calendar day written YYYY-MM-DD; got "2025-02-30"/],
    [{ endDate: "31/12/2025" }, /endDate must be a calendar day/],
  ])("rejects %o up front, before any point is read", (bad, message) => {
    expect(() => simulateMarket({ ...base, ...bad })).toThrow(message);
    expect(() => createMarketSimulator({ ...base, ...bad })).toThrow(RangeError);
  });

  it("lists every problem at once", () => {
    expect(() => simulateMarket({ ...base, cards: 0, days: -1 })).toThrow(/cards must .*; days must/);
  });

  it("rejects a card index outside the run", () => {
    const simulator = createMarketSimulator({ ...base, cards: 5 });
    expect(() => simulator.simulateCardSeries(5)).toThrow(/cardIndex must be a whole number from 0 to 4; got 5/);
    expect(() => simulator.simulateCardSeries(-1)).toThrow(RangeError);
    expect(() => simulator.simulateCardSeries(0.5)).toThrow(RangeError);
  });
});
