import type { DealsRanking, RankedPrice } from "./ranked-deals.js";

/**
 * Where computed rankings are shared: Redis (every replica reads what one computed) or this
 * process. Never a reason to fail a request: a store that cannot answer is a miss.
 */
export interface DealsRankingStore {
  readonly kind: "redis" | "memory";
  /** The ranking of this model and price day, or undefined (none, expired, unreadable). Never throws. */
  get(modelVersionId: string, pricesVersion: string | null): Promise<DealsRanking | undefined>;
  /** Keeps it for `ttlMs`. Never throws. */
  set(ranking: DealsRanking, ttlMs: number): Promise<void>;
}

/** The key of one ranking: model and day URI-encoded, so no id can make two keys collide. */
export function dealsRankingKey(modelVersionId: string, pricesVersion: string | null): string {
  return `${encodeURIComponent(modelVersionId)}:${pricesVersion ?? "none"}`;
}

/** The in-process store (without REDIS_URL): the last few rankings, each until its TTL. */
export function createMemoryDealsRankingStore({
  now = Date.now,
  maxEntries = 4,
}: { now?: () => number; maxEntries?: number } = {}): DealsRankingStore {
  const entries = new Map<string, { ranking: DealsRanking; expiresAt: number }>();
  return {
    kind: "memory",
    get(modelVersionId, pricesVersion) {
      const key = dealsRankingKey(modelVersionId, pricesVersion);
      const entry = entries.get(key);
      if (entry && entry.expiresAt <= now()) entries.delete(key);
      return Promise.resolve(entry && entry.expiresAt > now() ? entry.ranking : undefined);
    },
    set(ranking, ttlMs) {
      const key = dealsRankingKey(ranking.modelVersionId, ranking.pricesVersion);
      entries.delete(key);
      entries.set(key, { ranking, expiresAt: now() + ttlMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return Promise.resolve();
    },
  };
}

/** A ranking read back from a shared store, or undefined when it is not one (foreign writer, older format). */
export function decodeDealsRanking(raw: unknown): DealsRanking | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const value = raw as Record<string, unknown>;
  if (typeof value.modelVersionId !== "string" || !Number.isFinite(value.computedAt)) return undefined;
  if (value.pricesVersion !== null && typeof value.pricesVersion !== "string") return undefined;
  if (!Array.isArray(value.prices) || !value.prices.every(isRankedPrice)) return undefined;
  return value as unknown as DealsRanking;
}

function isRankedPrice(raw: unknown): raw is RankedPrice {
  if (typeof raw !== "object" || raw === null) return false;
  const price = raw as Record<string, unknown>;
  return (
    typeof price.cardId === "string" &&
    typeof price.date === "string" &&
    typeof price.marketPriceDate === "string" &&
    typeof price.marketPriceSource === "string" &&
    [price.marketPrice, price.fairPrice, price.low, price.high].every(Number.isFinite)
  );
}
