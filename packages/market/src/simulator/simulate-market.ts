import type { Catalog } from "../catalog/catalog.js";
import type { PricePoint } from "../prices/price-point.js";
import { parseIsoDay } from "../calendar-day.js";
import { calendarDays, type CalendarDays } from "./calendar-days.js";
import { SET_STREAM, simulateCardPoints } from "./card-series.js";
import { rarityTier } from "./rarity-tiers.js";
import { createSeededRandom, hashString } from "./seeded-random.js";
import { simulatedCards, type SimulatedCard } from "./simulated-cards.js";
import { simulationCatalog } from "./simulated-sets.js";

/** A fixed default, so the output never depends on the day it is generated. */
export const SIMULATION_DEFAULT_END_DATE = "2025-12-31";
export const SIMULATION_MAX_CARDS = 1_000_000;
export const SIMULATION_MAX_DAYS = 36_600;

export interface SimulateMarketOptions {
  /** How many cards: the catalog's own, then clones (see `simulatedCards`). */
  cards: number;
  /** How many calendar days, ending on `endDate` inclusive. */
  days: number;
  /** Any safe integer; the same seed gives byte-identical output. */
  seed: number;
  /** Last simulated day, `YYYY-MM-DD`. @default SIMULATION_DEFAULT_END_DATE */
  endDate?: string;
  /** @default simulationCatalog(): the bundled catalog's SIMULATED_SETS */
  catalog?: Catalog;
}

export interface MarketSimulator {
  readonly cards: readonly SimulatedCard[];
  readonly dates: readonly string[];
  /** Card `cardIndex`'s points, ascending by date; depends only on the seed and the index. */
  simulateCardSeries(cardIndex: number): PricePoint[];
}

export interface SimulateMarketProblem {
  option: "cards" | "days" | "seed" | "endDate";
  /** Completes a sentence that starts with the option's name. */
  problem: string;
}

/** Every problem with `options`, so a caller (or the CLI) can report them together. */
export function simulateMarketProblems(options: SimulateMarketOptions): SimulateMarketProblem[] {
  const problems: SimulateMarketProblem[] = [];
  const { cards, days, seed, endDate } = options;
  if (!Number.isInteger(cards) || cards < 1 || cards > SIMULATION_MAX_CARDS) {
    problems.push({
      option: "cards",
      problem: `must be a whole number from 1 to ${SIMULATION_MAX_CARDS}; got ${cards}`,
    });
  }
  if (!Number.isInteger(days) || days < 1 || days > SIMULATION_MAX_DAYS) {
    problems.push({ option: "days", problem: `must be a whole number from 1 to ${SIMULATION_MAX_DAYS}; got ${days}` });
  }
  if (!Number.isSafeInteger(seed)) problems.push({ option: "seed", problem: `must be a safe integer; got ${seed}` });
  if (endDate !== undefined && parseIsoDay(endDate) === null) {
    const got = JSON.stringify(endDate);
    problems.push({ option: "endDate", problem: `must be a calendar day written YYYY-MM-DD; got ${got}` });
  }
  return problems;
}

/** A seeded market over `cards` × `days`; each card's series is generated on demand. */
export function createMarketSimulator(options: SimulateMarketOptions): MarketSimulator {
  const problems = simulateMarketProblems(options);
  if (problems.length > 0) {
    throw new RangeError(`simulateMarket: ${problems.map((p) => `${p.option} ${p.problem}`).join("; ")}`);
  }
  const { seed } = options;
  const cards = simulatedCards(options.cards, options.catalog ?? simulationCatalog());
  const calendar: CalendarDays = calendarDays(options.endDate ?? SIMULATION_DEFAULT_END_DATE, options.days);
  const setZ = new Map<string, number>();
  const releaseDay = new Map<string, number>();
  for (const card of cards) {
    if (setZ.has(card.setId)) continue;
    setZ.set(card.setId, createSeededRandom(seed, SET_STREAM, hashString(card.setId)).normal());
    releaseDay.set(card.setId, parseIsoDay(card.setReleaseDate) ?? calendar.epochDays[0]!);
  }

  return {
    cards,
    dates: calendar.dates,
    simulateCardSeries(cardIndex) {
      const card = cards[cardIndex];
      if (!Number.isInteger(cardIndex) || !card) {
        throw new RangeError(`cardIndex must be a whole number from 0 to ${cards.length - 1}; got ${cardIndex}`);
      }
      const input = {
        seed,
        cardIndex,
        cardId: card.id,
        tier: rarityTier(card.rarity),
        releaseEpochDay: releaseDay.get(card.setId)!,
        setZ: setZ.get(card.setId)!,
      };
      return simulateCardPoints(input, calendar);
    },
  };
}

/**
 * Every simulated point, card by card (each card's days ascending), so `cards: 100` is a prefix of
 * `cards: 1000`. Only one card's series is held at a time. Bad options throw here, not on first read.
 */
export function simulateMarket(options: SimulateMarketOptions): Generator<PricePoint, void, undefined> {
  return allPoints(createMarketSimulator(options));
}

function* allPoints(simulator: MarketSimulator): Generator<PricePoint, void, undefined> {
  for (let i = 0; i < simulator.cards.length; i++) yield* simulator.simulateCardSeries(i);
}
