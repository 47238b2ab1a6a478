import type { Logger } from "@pokewatch/kit";
import type { PricingMetrics } from "../metrics/pricing-metrics.js";
import { createMemoryFairPriceCache } from "./memory-fair-price-cache.js";
import { createRedisFairPriceCache } from "./redis-fair-price-cache.js";

/** What one cached fair price holds (enough to answer FairPrice without reading prices again). */
export interface CachedFairPrice {
  date: string;
  marketPrice: number;
  /** The day of the observation `marketPrice` is: `date` or the last day before it with a price. */
  marketPriceDate: string;
  /** Where that observation came from (`pokemontcg.io`, `simulator`, an imported file's source). */
  marketPriceSource: string;
  fairPrice: number;
  low: number;
  high: number;
}

/** Fair prices by key, in Redis (shared by every replica) or in this process; never a reason to fail a request. */
export interface FairPriceCache {
  readonly kind: "redis" | "memory";
  /**
   * One value per key, in order; undefined = miss. Never throws: on a cache failure it counts the
   * error (`cacheErrors{cache,operation:"get"}`), logs once per outage and answers all-miss. Counts
   * hits and misses in `cacheHits` / `cacheMisses` with `cache=kind`.
   */
  getMany(keys: readonly string[]): Promise<Array<CachedFairPrice | undefined>>;
  /** Stores with the configured TTL. Never throws (errors counted with `operation:"set"`). */
  setMany(entries: ReadonlyArray<{ key: string; value: CachedFairPrice }>): Promise<void>;
  close(): Promise<void>;
}

export interface CreateFairPriceCacheOptions {
  /** REDIS_URL; without it a bounded in-process LRU. */
  redisUrl?: string | undefined;
  /** CACHE_TTL_SECONDS: how long an entry lives after it was written (fractions allowed, rounded to ms). */
  ttlSeconds: number;
  /** LRU bound (entries) for the in-process cache. */
  maxEntries: number;
  metrics: PricingMetrics;
  logger: Logger;
  /** Redis key namespace. @default "pokewatch:fair-price" */
  namespace?: string;
  /** Longest a cache call may take before it is treated as failed and the request goes on uncached. @default 100 */
  timeoutMs?: number;
}

export const DEFAULT_FAIR_PRICE_CACHE_NAMESPACE = "pokewatch:fair-price";
export const DEFAULT_FAIR_PRICE_CACHE_TIMEOUT_MS = 100;

/**
 * The fair-price cache: Redis when `redisUrl` is set, else a bounded LRU in this process. Async
 * because the Redis path waits for its first connection attempt, so a healthy Redis serves the first
 * request; a refused connection settles at once and an unanswered one after 2 s, then the cache
 * starts cold (every call a miss) and connects in the background. Rejects only on bad options.
 */
export async function createFairPriceCache(options: CreateFairPriceCacheOptions): Promise<FairPriceCache> {
  const {
    redisUrl,
    ttlSeconds,
    maxEntries,
    metrics,
    logger,
    namespace = DEFAULT_FAIR_PRICE_CACHE_NAMESPACE,
    timeoutMs = DEFAULT_FAIR_PRICE_CACHE_TIMEOUT_MS,
  } = options;
  assertValidOptions({ redisUrl, ttlSeconds, maxEntries, namespace, timeoutMs });
  // Both stores want whole milliseconds (lru-cache rejects fractions, Redis PX too).
  const ttlMs = Math.max(1, Math.round(ttlSeconds * 1000));
  if (!redisUrl) return createMemoryFairPriceCache({ ttlMs, maxEntries, metrics });
  return createRedisFairPriceCache({ url: redisUrl, ttlMs, metrics, logger, namespace, timeoutMs });
}

/**
 * The cache key: carries the model version, so promoting a new model invalidates by construction.
 * Each part is URI-encoded, so a `:` inside an id can never make two keys collide.
 */
export function fairPriceCacheKey(modelVersionId: string, cardId: string, date: string): string {
  return `${encodeURIComponent(modelVersionId)}:${encodeURIComponent(cardId)}:${encodeURIComponent(date)}`;
}

function assertValidOptions(options: {
  redisUrl: string | undefined;
  ttlSeconds: number;
  maxEntries: number;
  namespace: string;
  timeoutMs: number;
}): void {
  const { redisUrl, ttlSeconds, maxEntries, namespace, timeoutMs } = options;
  const fail = (contract: string, got: string) => {
    throw new TypeError(`createFairPriceCache: ${contract}; got ${got}`);
  };
  if (!isPositive(ttlSeconds)) fail("ttlSeconds (CACHE_TTL_SECONDS) must be a positive number", String(ttlSeconds));
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
    fail("maxEntries must be a positive whole number of entries", String(maxEntries));
  if (!isPositive(timeoutMs)) fail("timeoutMs must be a positive number of milliseconds", String(timeoutMs));
  if (typeof namespace !== "string" || namespace === "")
    fail("namespace must be a non-empty string", JSON.stringify(namespace));
  if (redisUrl && !isRedisUrl(redisUrl))
    fail("redisUrl (REDIS_URL) must be a redis:// or rediss:// URL", showUrl(redisUrl));
}

function isPositive(value: number): boolean {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

function isRedisUrl(url: string): boolean {
  return URL.canParse(url) && ["redis:", "rediss:"].includes(new URL(url).protocol);
}

/** The URL as an error message may show it: never with its password. */
function showUrl(url: string): string {
  if (!URL.canParse(url)) return "a value that is not a URL (not shown: it may hold a password)";
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "redacted";
  return JSON.stringify(parsed.href);
}
