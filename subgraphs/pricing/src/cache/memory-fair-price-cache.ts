import { LRUCache } from "lru-cache";
import type { PricingMetrics } from "../metrics/pricing-metrics.js";
import { toCachedFairPrice } from "./cached-fair-price.js";
import type { CachedFairPrice, FairPriceCache } from "./fair-price-cache.js";

export interface MemoryFairPriceCacheOptions {
  /** Whole milliseconds an entry lives after it was written. */
  ttlMs: number;
  /** The most entries kept; the least recently used goes first. */
  maxEntries: number;
  metrics: PricingMetrics;
  /** A monotonic clock in milliseconds; tests pass their own to step past the TTL. @default performance.now */
  now?: () => number;
}

/**
 * The embedded cache: a bounded LRU in this process (lru-cache used directly, not as a Keyv store:
 * it is on the hot path, and Keyv would JSON-encode every entry for a Map it does not need to).
 */
export function createMemoryFairPriceCache({
  ttlMs,
  maxEntries,
  metrics,
  now,
}: MemoryFairPriceCacheOptions): FairPriceCache {
  const entries = new LRUCache<string, CachedFairPrice>({
    max: maxEntries,
    ttl: ttlMs,
    // lru-cache reuses one clock reading for a millisecond of real time; a test clock jumps, so read it each time.
    ...(now && { perf: { now }, ttlResolution: 0 }),
  });
  const hits = metrics.cacheHits.labels({ cache: "memory" });
  const misses = metrics.cacheMisses.labels({ cache: "memory" });
  return {
    kind: "memory",
    getMany(keys) {
      let found = 0;
      const values = keys.map((key) => {
        const value = entries.get(key);
        if (value) found++;
        return value;
      });
      hits.inc(found);
      misses.inc(keys.length - found);
      return Promise.resolve(values);
    },
    setMany(items) {
      for (const { key, value } of items) entries.set(key, toCachedFairPrice(value));
      return Promise.resolve();
    },
    close() {
      entries.clear();
      return Promise.resolve();
    },
  };
}
