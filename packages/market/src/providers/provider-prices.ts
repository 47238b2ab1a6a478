import { parseIsoDay } from "../calendar-day.js";
import type { PricePoint } from "../prices/price-point.js";
import { ResponseShapeError } from "./provider-error.js";

/** What a provider call yields: the points it could build, and the cards it could not price, with why. */
export interface ProviderPrices {
  points: PricePoint[];
  skipped: SkippedCard[];
}

export interface SkippedCard {
  cardId: string;
  reason: string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function expectRecord(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new ResponseShapeError(`${where} is not an object`);
  return value;
}

/** A usable price: a finite number above zero. Providers send null, 0 and strings for "no price". */
export function priceOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;
}

export function countOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : null;
}

/** `YYYY-MM-DD` from `YYYY-MM-DD`, `YYYY/MM/DD` or an ISO date-time; null unless it names a real calendar day. */
export function toIsoDay(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const day = value.slice(0, 10).replace(/\//g, "-");
  if (value.length > 10 && value[10] !== "T" && value[10] !== " ") return null;
  return parseIsoDay(day) === null ? null : day;
}
