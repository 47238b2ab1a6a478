import { createClient } from "@keyv/redis";
import {
  capturingLogger,
  silentLogger,
  startTcpProxy,
  TEST_REDIS_URL,
  uniqueName,
  type TcpProxy,
} from "@pokewatch/kit/testing";
import type { Counter } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createPricingMetrics } from "../metrics/pricing-metrics.js";
import {
  createFairPriceCache,
  fairPriceCacheKey,
  type CachedFairPrice,
  type CreateFairPriceCacheOptions,
  type FairPriceCache,
} from "./fair-price-cache.js";

const namespace = uniqueName("pokewatch_test_fair_price");
const admin = createClient({ url: TEST_REDIS_URL });
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  await admin.connect();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  for await (const keys of admin.scanIterator({ MATCH: `${namespace}:*` })) if (keys.length) await admin.del(keys);
  admin.destroy();
});

const price = (fairPrice: number): CachedFairPrice => ({
  date: "2024-03-01",
  marketPrice: 0.1 + 0.2,
  marketPriceDate: "2024-02-28",
  marketPriceSource: "pokemontcg.io",
  fairPrice,
  low: 1e-7,
  high: 123_456.789_012_345,
});

async function count(counter: Counter<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  const match = values.find((v) => Object.entries(labels).every(([name, value]) => v.labels[name] === value));
  return match?.value ?? 0;
}

async function open(overrides: Partial<CreateFairPriceCacheOptions> = {}) {
  const metrics = createPricingMetrics();
  const cache = await createFairPriceCache({
    redisUrl: TEST_REDIS_URL,
    namespace,
    ttlSeconds: 60,
    maxEntries: 10,
    // Generous, so a loaded machine never turns a hit into a timeout; the slow-Redis test sets its own.
    timeoutMs: 2_000,
    metrics,
    logger: silentLogger(),
    ...overrides,
  });
  cleanups.push(() => cache.close());
  const errors = (operation: "get" | "set") => count(metrics.cacheErrors, { cache: "redis", operation });
  return { cache, metrics, errors };
}

/** Retries `write` and reads `key` until the cache answers it, within a few seconds. */
async function expectHitAgain(cache: FairPriceCache, key: string, value: CachedFairPrice) {
  await expect
    .poll(
      async () => {
        await cache.setMany([{ key, value }]);
        return (await cache.getMany([key]))[0];
      },
      { timeout: 10_000, interval: 100 },
    )
    .toStrictEqual(value);
}

describe("Redis fair-price cache (the machine's Redis)", () => {
  it("round-trips values exactly, one per key in order, and counts hits and misses", async () => {
    const { cache, metrics, errors } = await open();
    await cache.setMany([
      { key: "a", value: price(1.5) },
      { key: "c", value: price(3) },
    ]);

    const values = await cache.getMany(["a", "b", "c"]);

    expect(cache.kind).toBe("redis");
    expect(values).toStrictEqual([price(1.5), undefined, price(3)]);
    expect(await count(metrics.cacheHits, { cache: "redis" })).toBe(2);
    expect(await count(metrics.cacheMisses, { cache: "redis" })).toBe(1);
    expect([await errors("get"), await errors("set")]).toEqual([0, 0]);
  });

  it("shares entries between replicas and keeps two model versions apart", async () => {
    const writer = (await open()).cache;
    const reader = (await open()).cache;
    const v1 = fairPriceCacheKey("mv_1", "sv3pt5-6", "2024-03-01");
    const v2 = fairPriceCacheKey("mv_2", "sv3pt5-6", "2024-03-01");
    await writer.setMany([{ key: v1, value: price(10) }]);
    expect(await reader.getMany([v1, v2])).toStrictEqual([price(10), undefined]);

    await writer.setMany([{ key: v2, value: price(20) }]);
    expect(await reader.getMany([v1, v2])).toStrictEqual([price(10), price(20)]);
  });

  it("writes each entry under the namespace with the TTL", async () => {
    const { cache } = await open({ ttlSeconds: 60 });
    await cache.setMany([{ key: "ttl", value: price(1) }]);

    const ttl = await admin.pTTL(`${namespace}:ttl`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("misses once the TTL has passed, and Redis has dropped the entry", async () => {
    const { cache } = await open({ ttlSeconds: 0.2 });
    await cache.setMany([{ key: "short", value: price(1) }]);

    await expect.poll(() => cache.getMany(["short"]), { timeout: 5_000, interval: 50 }).toEqual([undefined]);
    expect(await admin.exists(`${namespace}:short`)).toBe(0);
  });

  it("reads a value another writer left in a foreign format as a miss", async () => {
    const { cache, errors } = await open();
    await admin.set(`${namespace}:foreign`, JSON.stringify({ value: { fairPrice: "12" } }));
    expect(await cache.getMany(["foreign"])).toEqual([undefined]);
    expect(await errors("get")).toBe(0);
  });

  it("answers every call as a miss after close, and close can be called twice", async () => {
    const { cache } = await open();
    await cache.setMany([{ key: "closed", value: price(1) }]);
    await cache.close();
    await cache.close();
    await expect(cache.setMany([{ key: "closed", value: price(2) }])).resolves.toBeUndefined();
    expect(await cache.getMany(["closed"])).toEqual([undefined]);
  });
});

describe("Redis outages", () => {
  it("starts without Redis, answers uncached, logs once, then uses Redis when it appears", async () => {
    const proxy = await startProxy();
    await proxy.close();
    const { logger, lines } = capturingLogger();
    const { cache, metrics, errors } = await open({ redisUrl: proxy.url, logger });

    expect(cache.kind).toBe("redis");
    expect(await cache.getMany(["x", "y"])).toEqual([undefined, undefined]);
    await expect(cache.setMany([{ key: "x", value: price(1) }])).resolves.toBeUndefined();
    expect(await cache.getMany(["x"])).toEqual([undefined]);
    expect(await errors("get")).toBe(2);
    expect(await errors("set")).toBe(1);
    expect(await count(metrics.cacheMisses, { cache: "redis" })).toBe(3);
    expect(lines().filter((line) => line.includes("redis unavailable"))).toHaveLength(1);

    await proxy.reopen();
    await expectHitAgain(cache, "x", price(1));
    expect(lines().some((line) => line.includes("redis connection restored"))).toBe(true);
  });

  it("fails fast while Redis is away and uses it again, without a restart, once it is back", async () => {
    const proxy = await startProxy();
    const { cache, errors } = await open({ redisUrl: proxy.url });
    await cache.setMany([{ key: "kept", value: price(7) }]);
    expect(await cache.getMany(["kept"])).toStrictEqual([price(7)]);

    await proxy.close();
    expect(await cache.getMany(["kept"])).toEqual([undefined]);
    await expect(cache.setMany([{ key: "lost", value: price(8) }])).resolves.toBeUndefined();
    expect(await errors("get")).toBe(1);
    expect(await errors("set")).toBe(1);

    await proxy.reopen();
    await expect.poll(() => cache.getMany(["kept"]), { timeout: 10_000, interval: 100 }).toStrictEqual([price(7)]);
  });

  it("gives up on a Redis that stops answering after timeoutMs, then uses it again", async () => {
    const proxy = await startProxy();
    const { cache, errors } = await open({ redisUrl: proxy.url, timeoutMs: 200 });
    await cache.setMany([{ key: "slow", value: price(3) }]);

    proxy.stall();
    expect(await cache.getMany(["slow"])).toEqual([undefined]);
    await expect(cache.setMany([{ key: "slow", value: price(4) }])).resolves.toBeUndefined();
    expect([await errors("get"), await errors("set")]).toEqual([1, 1]);

    proxy.resume();
    await expectHitAgain(cache, "slow", price(5));
  });

  it("never logs the Redis URL's password", async () => {
    const proxy = await startProxy();
    await proxy.close();
    const { logger, lines } = capturingLogger();
    const redisUrl = proxy.url.replace("redis://", "redis://default:hunter2-secret@");
    const { cache } = await open({ redisUrl, logger });
    await cache.getMany(["x"]);

    expect(lines().some((line) => line.includes("redis unavailable"))).toBe(true);
    expect(lines().join("\n")).not.toContain("hunter2");
  });
});

/** A proxy in front of the test Redis, closed after the test. */
async function startProxy(): Promise<TcpProxy> {
  const proxy = await startTcpProxy(TEST_REDIS_URL);
  cleanups.push(() => proxy.dispose());
  return proxy;
}
