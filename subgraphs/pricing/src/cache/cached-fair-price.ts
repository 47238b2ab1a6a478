import type { CachedFairPrice } from "./fair-price-cache.js";

const PRICE_FIELDS = ["marketPrice", "fairPrice", "low", "high"] as const;

/**
 * Exactly the seven fields an entry holds, copied and frozen: both stores keep the same shape, and
 * neither the writer's later edits nor a reader's reach the cached value.
 */
export function toCachedFairPrice(value: CachedFairPrice): CachedFairPrice {
  const { date, marketPrice, marketPriceDate, marketPriceSource, fairPrice, low, high } = value;
  return Object.freeze({ date, marketPrice, marketPriceDate, marketPriceSource, fairPrice, low, high });
}

/**
 * A value read back from a shared store, or undefined when it is not a fair price (a foreign writer,
 * an older format, a non-finite number that JSON turned into null): a miss, never a crash.
 */
export function decodeCachedFairPrice(raw: unknown): CachedFairPrice | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const value = raw as Record<string, unknown>;
  if ([value.date, value.marketPriceDate, value.marketPriceSource].some((field) => typeof field !== "string"))
    return undefined;
  if (!PRICE_FIELDS.every((field) => Number.isFinite(value[field]))) return undefined;
  return toCachedFairPrice(value as unknown as CachedFairPrice);
}
