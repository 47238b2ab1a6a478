/**
 * How price level, spread, volume and ageing differ by rarity. Levels and spreads come from the
 * real TCGplayer snapshot of 2025-03-01 (Scarlet & Violet sets, median set age about a year); the
 * age curve from the monthly RAW history (same card, months since release); see docs/simulator.md.
 */
export interface RarityTier {
  rarity: string;
  /** Median market price (USD) of a card of this rarity whose set is one year old. */
  medianUsd: number;
  /** Log-sd of a card's level around the median, on top of its set's shared level. */
  cardSd: number;
  /** Log-sd of the level a whole set shares: some sets are simply more wanted. */
  setSd: number;
  /** Log premium of a card at release over its one-year level, and the years it takes to fade to 1/e. */
  launchPremium: number;
  launchFadeYears: number;
  /** Log drift per year before the set turns one, and after. */
  driftFirstYear: number;
  driftLater: number;
  /** Median lowest and highest listing as a multiple of market (TCGplayer `low` and `high`). */
  lowRatio: number;
  highRatio: number;
  /** Median units sold per day. Only the chase figure is measured (4 per 3 days); the rest are guesses. */
  volumePerDay: number;
  /** Multiplier on how often the market price is refreshed; cheap cards sell more often. */
  updateRate: number;
}

type TierRow = [number, number, number, number, number, number, number, number, number, number, number];
// prettier-ignore
const TIERS: Record<string, TierRow> = {
  //                            median  cardSd  setSd  launch  fade  early  later  low   high  vol/day  update
  "Common":                    [0.06,   0.33,   0.15,  0.3,    0.33, 0,     0,     0.17, 99,   2.0,     1.2],
  "Uncommon":                  [0.07,   0.42,   0.15,  0.3,    0.33, 0,     0,     0.17, 99,   1.5,     1.2],
  "Rare":                      [0.11,   0.38,   0.15,  0.3,    0.33, 0,     0,     0.11, 55,   1.2,     1.2],
  "Double Rare":               [0.82,   0.75,   0.35,  0.1,    0.33, -0.02, -0.04, 0.33, 11.2, 1.5,     1.0],
  "ACE SPEC Rare":             [0.96,   0.75,   0.35,  0.1,    0.33, -0.02, -0.04, 0.35, 13.9, 1.2,     1.0],
  "Shiny Ultra Rare":          [1.6,    0.6,    0.3,   0.2,    0.33, -0.1,  -0.05, 0.58, 12.1, 1.0,     1.0],
  "Ultra Rare":                [2.5,    0.66,   0.35,  0.2,    0.33, -0.12, -0.12, 0.59, 7.4,  1.2,     1.0],
  "Shiny Rare":                [3.5,    0.4,    0.3,   0.2,    0.33, -0.1,  -0.05, 0.66, 3.8,  1.0,     1.0],
  "Hyper Rare":                [9.7,    0.55,   0.4,   0.3,    0.33, 0,     -0.12, 0.78, 3.5,  1.2,     0.9],
  "Illustration Rare":         [12.1,   0.68,   0.4,   0.1,    0.33, 0.05,  0.3,   0.77, 3.35, 1.3,     0.9],
  "Special Illustration Rare": [31.9,   1.1,    0.5,   0.5,    0.33, 0,     0.15,  0.9,  2.67, 1.33,    0.8],
  "Mega Hyper Rare":           [200,    0.4,    0.2,   1.2,    0.1,  -0.2,  0.1,   0.9,  2.5,  1.33,    0.7],
  "Black White Rare":          [330,    0.2,    0.1,   0.3,    0.33, -0.1,  0.1,   0.9,  2.5,  1.33,    0.7],
  // Promos and anything unknown: the snapshot's promo figures, a wide spread around ~$1.
  "Promo":                     [1.2,    1.2,    0.3,   0.2,    0.33, -0.05, -0.05, 0.56, 10.1, 1.0,     1.0],
};

function tierFromRow(rarity: string, row: TierRow): RarityTier {
  const [medianUsd, cardSd, setSd, launchPremium, launchFadeYears, driftFirstYear, driftLater, lowRatio] = row;
  return {
    rarity,
    medianUsd,
    cardSd,
    setSd,
    launchPremium,
    launchFadeYears,
    driftFirstYear,
    driftLater,
    lowRatio,
    highRatio: row[8],
    volumePerDay: row[9],
    updateRate: row[10],
  };
}

const BY_RARITY = new Map(Object.entries(TIERS).map(([rarity, row]) => [rarity, tierFromRow(rarity, row)]));
const FALLBACK = BY_RARITY.get("Promo")!;

/** The tier of a catalog rarity; unknown or missing rarities are priced like promos. */
export function rarityTier(rarity: string | null): RarityTier {
  return (rarity && BY_RARITY.get(rarity)) || FALLBACK;
}

/** Every tier, cheapest median first. */
export function rarityTiers(): RarityTier[] {
  return [...BY_RARITY.values()].sort((a, b) => a.medianUsd - b.medianUsd);
}

/**
 * Log price relative to the one-year level, at `ageYears` since release: a launch premium fading
 * over the first months plus a drift, which turns positive after the first year for the chase
 * rarities (the real dip-then-recover pattern). Ages before release count as release day.
 */
export function ageLogFactor(tier: RarityTier, ageYears: number): number {
  const age = Math.max(0, ageYears);
  const fade = tier.launchPremium * (Math.exp(-age / tier.launchFadeYears) - Math.exp(-1 / tier.launchFadeYears));
  return fade + (age < 1 ? tier.driftFirstYear : tier.driftLater) * (age - 1);
}
