import type { PricePoint } from "@pokewatch/market";
import { toEpochDay } from "./epoch-day.js";

/**
 * A card's prices on a calendar grid, one slot per day from its first to its last observation.
 * Days without an observation carry the last known price forward: a market price stands until
 * the market moves it, which is how the sources publish it.
 */
export interface DailyGrid {
  /** Epoch day of slot 0 (the first observation). */
  startDay: number;
  /** Market price per day, forward-filled. */
  market: Float64Array;
  /** 1 where the day had a real observation. */
  observed: Uint8Array;
  /** Units sold per day; NaN when the source does not report volume. */
  volume: Float64Array;
  /** First slot that carried a volume (Infinity when none did): before it, volume is unknown, not 0. */
  firstVolumeSlot: number;
}

/** Builds the grid from points ascending by date (one per date; the price store guarantees both). */
export function toDailyGrid(points: readonly PricePoint[]): DailyGrid {
  if (points.length === 0) throw new Error("a daily grid needs at least one price point");
  const startDay = toEpochDay(points[0]!.date);
  const length = toEpochDay(points[points.length - 1]!.date) - startDay + 1;
  const market = new Float64Array(length);
  const observed = new Uint8Array(length);
  const volume = new Float64Array(length).fill(Number.NaN);
  let firstVolumeSlot = Number.POSITIVE_INFINITY;
  let previous = -1;
  for (const point of points) {
    const slot = toEpochDay(point.date) - startDay;
    if (slot <= previous) throw new Error(`price points must ascend by date, one per date (at ${point.date})`);
    market.fill(market[previous] ?? point.market, previous + 1, slot);
    market[slot] = point.market;
    observed[slot] = 1;
    if (point.volume !== null) {
      volume[slot] = point.volume;
      firstVolumeSlot = Math.min(firstVolumeSlot, slot);
    }
    previous = slot;
  }
  return { startDay, market, observed, volume, firstVolumeSlot };
}
