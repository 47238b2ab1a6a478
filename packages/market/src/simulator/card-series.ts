import type { PricePoint } from "../prices/price-point.js";
import type { CalendarDays } from "./calendar-days.js";
import { ageLogFactor, type RarityTier } from "./rarity-tiers.js";
import { createSeededRandom } from "./seeded-random.js";

/** Stream domains, so a card's stream and a set's stream never coincide for the same index. */
export const CARD_STREAM = 1;
export const SET_STREAM = 2;

/**
 * The dynamics, tuned so the output matches the real figures in docs/simulator.md. Changing one
 * changes every seed's output: the calibration tests say whether it is still realistic.
 */
export const MARKET_MODEL = {
  /** Median daily log-volatility of the latent value; cards differ by a lognormal factor. */
  dailyVol: 0.003,
  dailyVolSd: 0.5,
  /** Latent deviations from the card's fair level halve in this many days (mean reversion). */
  reversionHalfLifeDays: 90,
  /** Daily chance of a lasting jump (reprint news, tournament results) and its log-sd. */
  jumpChance: 1 / 165,
  jumpSd: 0.3,
  /** Daily chance of a hype spike, its mean log size, share upwards, and its half-life in days. */
  hypeChance: 1 / 330,
  hypeMean: 0.6,
  hypeUpShare: 0.85,
  hypeHalfLifeDays: 45,
  /** Median chance a weekday refreshes the market price (compounded over the weekend for Monday). */
  updateHazard: 0.075,
  updateHazardSd: 1.0,
  /** Noise of a refreshed market price around the latent value: thin markets, few sales. */
  observationSd: 0.015,
  observationCentsSd: 0.7,
  /** Log-sd of a card's sales rate around its tier's median: a few cards sell far more than most. */
  volumeSd: 1.0,
} as const;

/** What the simulator knows about one card before drawing its path. */
export interface CardSeriesInput {
  seed: number;
  cardIndex: number;
  cardId: string;
  tier: RarityTier;
  /** Days since 1970-01-01 of the set's release. */
  releaseEpochDay: number;
  /** The set's standard-normal popularity draw, shared by all its cards. */
  setZ: number;
}

const toCents = (usd: number): number => Math.max(1, Math.round(usd * 100));

/** One card's daily points over `calendar`: a function of the seed and the card's index only. */
export function simulateCardPoints(input: CardSeriesInput, calendar: CalendarDays): PricePoint[] {
  const m = MARKET_MODEL;
  const { tier } = input;
  const rnd = createSeededRandom(input.seed, CARD_STREAM, input.cardIndex);
  // Card-level draws, always in this order so a card's path never depends on anything else.
  const level = Math.log(tier.medianUsd) + tier.cardSd * rnd.normal() + tier.setSd * input.setZ;
  const vol = m.dailyVol * Math.exp(m.dailyVolSd * rnd.normal());
  const hazard = Math.min(0.9, m.updateHazard * tier.updateRate * Math.exp(m.updateHazardSd * rnd.normal()));
  const mondayChance = 1 - (1 - hazard) ** 3;
  const volumeMean = tier.volumePerDay * Math.exp(m.volumeSd * rnd.normal());
  const lowRatio = Math.min(1, tier.lowRatio * Math.exp(0.2 * rnd.normal()));
  const highRatio = Math.max(1, tier.highRatio * Math.exp(0.2 * rnd.normal()));

  const reversion = 0.5 ** (1 / m.reversionHalfLifeDays);
  const hypeDecay = 0.5 ** (1 / m.hypeHalfLifeDays);
  let deviation = (vol / Math.sqrt(1 - reversion * reversion)) * rnd.normal();
  let hype = 0;
  let marketCents = 0;
  let lowCents = 0;
  let highCents = 0;

  const { dates, epochDays, weekdays } = calendar;
  const points: PricePoint[] = new Array<PricePoint>(dates.length);
  for (let day = 0; day < dates.length; day++) {
    deviation = reversion * deviation + vol * rnd.studentT4();
    if (rnd.uniform() < m.jumpChance) deviation += m.jumpSd * rnd.normal();
    hype *= hypeDecay;
    if (rnd.uniform() < m.hypeChance) {
      hype += (rnd.uniform() < m.hypeUpShare ? 1 : -1) * m.hypeMean * -Math.log(rnd.uniform());
    }
    const weekday = weekdays[day]!;
    // Weekends never refresh (as in the real daily file); Monday catches up three days of sales.
    const refresh =
      day === 0 || (weekday !== 0 && weekday !== 6 && rnd.uniform() < (weekday === 1 ? mondayChance : hazard));
    if (refresh) {
      const ageYears = (epochDays[day]! - input.releaseEpochDay) / 365.25;
      const latent = level + ageLogFactor(tier, ageYears) + deviation + hype;
      const observed = Math.exp(latent + m.observationSd * rnd.normal()) + (m.observationCentsSd * rnd.normal()) / 100;
      const cents = toCents(observed);
      if (cents !== marketCents || day === 0) {
        marketCents = cents;
        lowCents = Math.min(cents, toCents((observed * lowRatio) / (1 + 0.1 * Math.abs(rnd.normal()))));
        highCents = Math.max(cents, toCents(observed * highRatio * (1 + 0.1 * Math.abs(rnd.normal()))));
      }
    }
    points[day] = {
      cardId: input.cardId,
      date: dates[day]!,
      market: marketCents / 100,
      low: lowCents / 100,
      high: highCents / 100,
      volume: rnd.poisson(volumeMean * Math.exp(hype)),
      source: "simulator",
    };
  }
  return points;
}
