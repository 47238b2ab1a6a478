import type { PricePoint } from "../prices/price-point.js";
import { ResponseShapeError } from "./provider-error.js";
import { countOrNull, isRecord, priceOrNull, toIsoDay } from "./provider-prices.js";

export const PPT_PREFERRED_CONDITION = "Near Mint";

type HistoryPoint = Pick<PricePoint, "date" | "market" | "volume">;

/**
 * PPT's `priceHistory` in either documented shape: a flat `{ "YYYY-MM-DD": price }` map, or
 * `conditions.<Condition>.history[{ date, market, volume }]` (Near Mint preferred). Anything else is
 * an error rather than "no history": silently finding none is how the original project lost its history.
 */
export function parsePptPriceHistory(value: unknown, where: string): HistoryPoint[] {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) throw new ResponseShapeError(`${where} is neither a date map nor { conditions }`);
  if ("conditions" in value) return nestedHistory(value.conditions, `${where}.conditions`);
  const keys = Object.keys(value);
  const notDates = keys.filter((key) => toIsoDay(key) !== key);
  if (notDates.length > 0) {
    throw new ResponseShapeError(
      `${where} is neither a date map nor { conditions }: unexpected keys ${notDates.slice(0, 5).join(", ")}`,
    );
  }
  // A null or zero price is a day without trades, not a broken response.
  const points = keys.flatMap((date) => {
    const market = priceOrNull(value[date]);
    return market === null ? [] : [{ date, market, volume: null }];
  });
  return ascendingByDate(points);
}

function nestedHistory(conditions: unknown, where: string): HistoryPoint[] {
  if (conditions === null || conditions === undefined) return [];
  if (!isRecord(conditions)) throw new ResponseShapeError(`${where} is not an object`);
  const names = Object.keys(conditions);
  const ordered = [PPT_PREFERRED_CONDITION, ...names.filter((name) => name !== PPT_PREFERRED_CONDITION)];
  for (const name of ordered) {
    const condition = conditions[name];
    if (condition === undefined) continue;
    const history = isRecord(condition) ? condition.history : undefined;
    if (!Array.isArray(history)) throw new ResponseShapeError(`${where}.${name}.history is not an array`);
    const points = history.flatMap((entry) => {
      if (!isRecord(entry)) return [];
      const date = toIsoDay(entry.date);
      const market = priceOrNull(entry.market ?? entry.price);
      return date === null || market === null ? [] : [{ date, market, volume: countOrNull(entry.volume) }];
    });
    if (points.length > 0) return ascendingByDate(points);
  }
  return [];
}

/** One point per date; when a date repeats, the later entry is the later reading. */
function ascendingByDate(points: HistoryPoint[]): HistoryPoint[] {
  const byDate = new Map(points.map((point) => [point.date, point]));
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
