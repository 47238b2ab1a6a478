import { silentLogger } from "@pokewatch/kit/testing";
import type { Counter } from "prom-client";
import { describe, expect, it } from "vitest";
import { createPricingMetrics, type PricingMetrics } from "../metrics/pricing-metrics.js";
import { decodeCachedFairPrice } from "./cached-fair-price.js";
import {
  createFairPriceCache,
  fairPriceCacheKey,
  type CachedFairPrice,
  type CreateFairPriceCacheOptions,
} from "./fair-price-cache.js";
import { createMemoryFairPriceCache } from "./memory-fair-price-cache.js";

const price = (fairPrice: number, date = "2024-03-01"): CachedFairPrice => ({
  date,
  marketPrice: 12.34,
  marketPriceDate: date,
  marketPriceSource: "pokemontcg.io",
  fairPrice,
  low: fairPrice * 0.9,
  high: fairPrice * 1.1,
});

async function count(counter: Counter<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  const match = values.find((v) => Object.entries(labels).every(([name, value]) => v.labels[name] === value));
  return match?.value ?? 0;
}

async function memoryCache(overrides: Partial<CreateFairPriceCacheOptions> = {}) {
  const metrics = createPricingMetrics();
  const options = { ttlSeconds: 60, maxEntries: 100, metrics, logger: silentLogger(), ...overrides };
  return { metrics, cache: await createFairPriceCache(options) };
}

describe("fairPriceCacheKey", () => {
  it("differs by model version, card and date", () => {
    const keys = [
      fairPriceCacheKey("mv_a", "sv3pt5-6", "2024-03-01"),
      fairPriceCacheKey("mv_b", "sv3pt5-6", "2024-03-01"),
      fairPriceCacheKey("mv_a", "sv3pt5-7", "2024-03-01"),
      fairPriceCacheKey("mv_a", "sv3pt5-6", "2024-03-02"),
    ];
    expect(new Set(keys).size).toBe(4);
    expect(keys[0]).toBe("mv_a:sv3pt5-6:2024-03-01");
  });

  it("cannot be forged by a ':' inside an id", () => {
    expect(fairPriceCacheKey("mv_a:x", "y", "2024-03-01")).not.toBe(fairPriceCacheKey("mv_a", "x:y", "2024-03-01"));
  });
});

describe("createFairPriceCache without REDIS_URL (in-process LRU)", () => {
  it("is the memory kind and round-trips values exactly", async () => {
    const { cache } = await memoryCache();
    const value = price(0.1 + 0.2);
    await cache.setMany([{ key: "k1", value }]);

    const [hit] = await cache.getMany(["k1"]);
    expect(cache.kind).toBe("memory");
    expect(hit).toStrictEqual(value);
  });

  it("answers one value per key in order, undefined for a miss, and counts hits and misses", async () => {
    const { cache, metrics } = await memoryCache();
    await cache.setMany([
      { key: "a", value: price(1) },
      { key: "c", value: price(3) },
    ]);

    const values = await cache.getMany(["a", "b", "c", "d"]);

    expect(values.map((v) => v?.fairPrice)).toEqual([1, undefined, 3, undefined]);
    expect(await count(metrics.cacheHits, { cache: "memory" })).toBe(2);
    expect(await count(metrics.cacheMisses, { cache: "memory" })).toBe(2);
    expect(await count(metrics.cacheErrors, { cache: "memory" })).toBe(0);
  });

  it("keeps the entries of two model versions apart", async () => {
    const { cache } = await memoryCache();
    const v1 = fairPriceCacheKey("mv_1", "sv3pt5-6", "2024-03-01");
    const v2 = fairPriceCacheKey("mv_2", "sv3pt5-6", "2024-03-01");
    await cache.setMany([{ key: v1, value: price(10) }]);

    expect(await cache.getMany([v1, v2])).toEqual([price(10), undefined]);
    await cache.setMany([{ key: v2, value: price(20) }]);
    expect((await cache.getMany([v1, v2])).map((v) => v?.fairPrice)).toEqual([10, 20]);
  });

  it("stores a copy of the five fields, out of reach of the writer and the readers", async () => {
    const { cache } = await memoryCache();
    const written = { ...price(5), cardId: "sv3pt5-6" };
    await cache.setMany([{ key: "k", value: written }]);
    written.fairPrice = 999;

    const [read] = await cache.getMany(["k"]);
    expect(read).toStrictEqual(price(5));
    expect(() => {
      read!.fairPrice = 1;
    }).toThrow(TypeError);
    expect((await cache.getMany(["k"]))[0]!.fairPrice).toBe(5);
  });

  it("evicts the least recently used entry at maxEntries", async () => {
    const { cache } = await memoryCache({ maxEntries: 2 });
    await cache.setMany([
      { key: "a", value: price(1) },
      { key: "b", value: price(2) },
    ]);
    await cache.getMany(["a"]); // a is now the most recently used

    await cache.setMany([{ key: "c", value: price(3) }]);

    expect((await cache.getMany(["a", "b", "c"])).map((v) => v?.fairPrice)).toEqual([1, undefined, 3]);
  });

  it("forgets everything on close", async () => {
    const { cache } = await memoryCache();
    await cache.setMany([{ key: "a", value: price(1) }]);
    await cache.close();
    expect(await cache.getMany(["a"])).toEqual([undefined]);
  });

  it("answers an empty list for no keys and accepts no entries", async () => {
    const { cache, metrics } = await memoryCache();
    await cache.setMany([]);
    expect(await cache.getMany([])).toEqual([]);
    expect(await count(metrics.cacheMisses, { cache: "memory" })).toBe(0);
  });
});

describe("createMemoryFairPriceCache TTL", () => {
  function withClock(metrics: PricingMetrics = createPricingMetrics()) {
    let now = 1_000;
    const cache = createMemoryFairPriceCache({ ttlMs: 60_000, maxEntries: 10, metrics, now: () => now });
    return { cache, advance: (ms: number) => (now += ms) };
  }

  it("serves an entry until ttl has passed since it was written, then misses", async () => {
    const { cache, advance } = withClock();
    await cache.setMany([{ key: "a", value: price(1) }]);

    advance(59_999);
    expect(await cache.getMany(["a"])).toEqual([price(1)]);
    advance(2);
    expect(await cache.getMany(["a"])).toEqual([undefined]);
  });

  it("restarts the TTL when an entry is written again, not when it is read", async () => {
    const { cache, advance } = withClock();
    await cache.setMany([{ key: "a", value: price(1) }]);
    advance(40_000);
    await cache.getMany(["a"]);
    await cache.setMany([{ key: "b", value: price(2) }]);

    advance(30_000);
    expect((await cache.getMany(["a", "b"])).map((v) => v?.fairPrice)).toEqual([undefined, 2]);
  });
});

describe("decodeCachedFairPrice", () => {
  it("accepts a fair price and rejects anything else as a miss", () => {
    expect(decodeCachedFairPrice({ ...price(1), extra: true })).toStrictEqual(price(1));
    for (const raw of [undefined, null, "x", 1, {}, { ...price(1), low: null }, { ...price(1), date: 20240301 }]) {
      expect(decodeCachedFairPrice(raw)).toBeUndefined();
    }
  });
});

describe("createFairPriceCache misuse", () => {
  const base = () => ({ ttlSeconds: 60, maxEntries: 10, metrics: createPricingMetrics(), logger: silentLogger() });

  it.each([
    [{ ttlSeconds: 0 }, /ttlSeconds \(CACHE_TTL_SECONDS\) must be a positive number; got 0/],
    [{ ttlSeconds: -5 }, /ttlSeconds .* got -5/],
    [{ ttlSeconds: Number.NaN }, /ttlSeconds .* got NaN/],
    [{ maxEntries: 0 }, /maxEntries must be a positive whole number of entries; got 0/],
    [{ maxEntries: 1.5 }, /maxEntries .* got 1.5/],
    [{ timeoutMs: 0 }, /timeoutMs must be a positive number of milliseconds; got 0/],
    [{ namespace: "" }, /namespace must be a non-empty string; got ""/],
    [
      { redisUrl: "http://127.0.0.1:6379" },
      /redisUrl \(REDIS_URL\) must be a redis:\/\/ or rediss:\/\/ URL; got "http/,
    ],
  ])("rejects %j, stating the contract and the bad value", async (bad, message) => {
    await expect(createFairPriceCache({ ...base(), ...bad })).rejects.toThrow(message);
  });

  it("never shows the password of a bad REDIS_URL", async () => {
    const attempt = createFairPriceCache({ ...base(), redisUrl: "http://user:hunter2@redis.internal:6379" });
    await expect(attempt).rejects.toThrow(/user:redacted@redis\.internal/);
    await expect(attempt).rejects.not.toThrow(/hunter2/);
    await expect(createFairPriceCache({ ...base(), redisUrl: "not a url hunter2" })).rejects.toThrow(
      /not a URL \(not shown/,
    );
  });
});
