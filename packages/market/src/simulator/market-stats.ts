import type { PricePoint } from "../prices/price-point.js";

/** The rarities the real 3-day-bucket file covers (high-end singles): its volume figures apply to them. */
export const CHASE_RARITIES: ReadonlySet<string> = new Set([
  "Special Illustration Rare",
  "Illustration Rare",
  "Hyper Rare",
  "Mega Hyper Rare",
  "Black White Rare",
]);

export interface ReturnStats {
  count: number;
  sd: number;
  medianAbs: number;
  zeroShare: number;
  p01: number;
  p05: number;
  p95: number;
  p99: number;
  p99Abs: number;
  kurtosis: number;
}

/** The figures docs/simulator.md compares with the real data, measured the same way. */
export interface MarketStats {
  cards: number;
  points: number;
  /** Share of day-on-day market changes by weekday of the later day, 0 = Sunday … 6 = Saturday. */
  changeShareByWeekday: number[];
  weekdayChangeShare: number;
  weekendChangeShare: number;
  /** Log returns over 7 calendar days, every start day; and only those that are not 0. */
  weekReturns: ReturnStats;
  weekReturnsNonZero: ReturnStats;
  /** Lag-1 autocorrelation of back-to-back (non-overlapping) 7-day returns; < 0 is mean reversion. */
  weeklyAutocorrelation: number;
  /**
   * Correlation of a price's log distance from its trailing 8-week mean with the next 4 weeks' log
   * return, every 4 weeks: < 0 means part of any deviation is undone, which a model can learn.
   */
  reversionCorrelation: number;
  /** Median market price on the last day, by rarity. */
  medianPriceByRarity: Record<string, number>;
  /** Units sold per non-overlapping 3-day bucket, chase rarities only. */
  chaseVolumePer3Days: { median: number; p90: number; zeroShare: number };
}

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function returnStats(values: readonly number[]): ReturnStats {
  const n = values.length;
  const mean = values.reduce((sum, r) => sum + r, 0) / n;
  let m2 = 0;
  let m4 = 0;
  for (const r of values) {
    const d = (r - mean) ** 2;
    m2 += d;
    m4 += d * d;
  }
  const sorted = Float64Array.from(values).sort();
  const abs = Float64Array.from(values, Math.abs).sort();
  return {
    count: n,
    sd: Math.sqrt(m2 / n),
    medianAbs: quantile(abs, 0.5),
    zeroShare: values.filter((r) => r === 0).length / n,
    p01: quantile(sorted, 0.01),
    p05: quantile(sorted, 0.05),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    p99Abs: quantile(abs, 0.99),
    kurtosis: m4 / n / (m2 / n) ** 2,
  };
}

function correlation(pairs: readonly [number, number][]): number {
  const n = pairs.length;
  const [mx, my] = pairs.reduce(([sx, sy], [x, y]) => [sx + x / n, sy + y / n], [0, 0]);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Accumulates card series (each ascending, one point per contiguous day) into `MarketStats`. */
export function createMarketStats(rarityOf: (cardId: string) => string | null) {
  const changes = Array.from({ length: 7 }, () => [0, 0]);
  const weekReturns: number[] = [];
  const weeklyPairs: [number, number][] = [];
  const reversionPairs: [number, number][] = [];
  const lastPrices = new Map<string, number[]>();
  const chaseVolumes: number[] = [];
  const weekdayOf = new Map<string, number>();
  let cards = 0;
  let points = 0;

  return {
    add(series: readonly PricePoint[]): void {
      cards++;
      points += series.length;
      for (let i = 1; i < series.length; i++) {
        const date = series[i]!.date;
        let weekday = weekdayOf.get(date);
        if (weekday === undefined) weekdayOf.set(date, (weekday = new Date(`${date}T00:00:00Z`).getUTCDay()));
        const tally = changes[weekday]!;
        tally[0]!++;
        if (series[i]!.market !== series[i - 1]!.market) tally[1]!++;
      }
      for (let i = 7; i < series.length; i++) weekReturns.push(Math.log(series[i]!.market / series[i - 7]!.market));
      for (let i = 14; i < series.length; i += 7) {
        const [a, b, c] = [series[i - 14]!.market, series[i - 7]!.market, series[i]!.market];
        weeklyPairs.push([Math.log(b / a), Math.log(c / b)]);
      }
      for (let t = 56; t + 28 < series.length; t += 28) {
        let trailing = 0;
        for (let k = t - 56; k < t; k++) trailing += Math.log(series[k]!.market) / 56;
        const now = Math.log(series[t]!.market);
        reversionPairs.push([now - trailing, Math.log(series[t + 28]!.market) - now]);
      }
      const last = series.at(-1);
      if (!last) return;
      const rarity = rarityOf(last.cardId) ?? "(none)";
      const prices = lastPrices.get(rarity) ?? [];
      prices.push(last.market);
      lastPrices.set(rarity, prices);
      if (!CHASE_RARITIES.has(rarity)) return;
      for (let i = 2; i < series.length; i += 3) {
        chaseVolumes.push((series[i - 2]!.volume ?? 0) + (series[i - 1]!.volume ?? 0) + (series[i]!.volume ?? 0));
      }
    },
    summary(): MarketStats {
      const share = (days: number[]): number => {
        const [n, c] = days.reduce(([sn, sc], d) => [sn + changes[d]![0]!, sc + changes[d]![1]!], [0, 0]);
        return c / n;
      };
      const volumes = Float64Array.from(chaseVolumes).sort();
      return {
        cards,
        points,
        changeShareByWeekday: changes.map(([n, c]) => c! / n!),
        weekdayChangeShare: share([1, 2, 3, 4, 5]),
        weekendChangeShare: share([0, 6]),
        weekReturns: returnStats(weekReturns),
        weekReturnsNonZero: returnStats(weekReturns.filter((r) => r !== 0)),
        weeklyAutocorrelation: correlation(weeklyPairs),
        reversionCorrelation: correlation(reversionPairs),
        medianPriceByRarity: Object.fromEntries(
          [...lastPrices].map(([rarity, prices]) => [rarity, quantile(Float64Array.from(prices).sort(), 0.5)]),
        ),
        chaseVolumePer3Days: {
          median: quantile(volumes, 0.5),
          p90: quantile(volumes, 0.9),
          zeroShare: volumes.filter((v) => v === 0).length / volumes.length,
        },
      };
    },
  };
}
