import type { Redis } from "@pokewatch/kit";
import { capturingLogger, silentLogger } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { createKeyQuota, type KeyQuotaOptions, type QuotaPolicy } from "./key-quota.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");
/** One token a second, holding 60. */
const ONE_A_SECOND: QuotaPolicy = { perMinute: 60, burst: 0 };

function memoryQuota(options: Partial<KeyQuotaOptions> = {}) {
  const clock = { at: T0, now: () => clock.at };
  const quota = createKeyQuota({ logger: silentLogger(), clock: clock.now, ...options });
  return { quota, clock };
}

async function takeAll(take: () => Promise<{ allowed: boolean }>, times: number): Promise<boolean[]> {
  const answers: boolean[] = [];
  for (let i = 0; i < times; i++) answers.push((await take()).allowed);
  return answers;
}

describe("createKeyQuota without Redis", () => {
  it("keeps buckets in process", async () => {
    const { quota } = memoryQuota();
    expect(quota.mode()).toBe("memory");
    expect(await quota.take("key_a", 1, ONE_A_SECOND)).toEqual({
      allowed: true,
      limit: 60,
      remaining: 59,
      resetAtMs: T0 + 1_000,
      retryAfterMs: 0,
    });
  });

  it("keeps each key's bucket apart", async () => {
    const { quota } = memoryQuota();
    const tiny = { perMinute: 1, burst: 1 };
    expect(await takeAll(() => quota.take("key_a", 1, tiny), 3)).toEqual([true, true, false]);
    expect(await takeAll(() => quota.take("key_b", 1, tiny), 3)).toEqual([true, true, false]);
  });

  it("meters with the policy each call brings", async () => {
    const { quota } = memoryQuota();
    await quota.take("key_a", 2, { perMinute: 1, burst: 1 });
    expect(await quota.take("key_a", 1, { perMinute: 1, burst: 1 })).toMatchObject({ allowed: false, limit: 2 });
    // The key's limit was raised: the same bucket now refills toward the new capacity.
    expect(await quota.take("key_a", 0, ONE_A_SECOND)).toMatchObject({ limit: 60, remaining: 0 });
  });

  it("refills on the injected clock", async () => {
    const { quota, clock } = memoryQuota();
    await quota.take("key_a", 60, ONE_A_SECOND);
    expect(await quota.take("key_a", 1, ONE_A_SECOND)).toMatchObject({ allowed: false, retryAfterMs: 1_000 });
    clock.at += 1_000;
    expect(await quota.take("key_a", 1, ONE_A_SECOND)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it("gives refunded tokens back, capped at capacity", async () => {
    const { quota } = memoryQuota();
    const policy = { perMinute: 1, burst: 4 };
    await quota.take("key_a", 5, policy);
    await quota.refund("key_a", 2, policy);
    expect(await quota.take("key_a", 0, policy)).toMatchObject({ remaining: 2 });
    await quota.refund("key_a", 50, policy);
    expect(await quota.take("key_a", 0, policy)).toMatchObject({ remaining: 5 });
    await quota.refund("key_new", 3, policy);
    expect(await quota.take("key_new", 0, policy)).toMatchObject({ remaining: 5 });
  });

  it("keeps the most recent keys' buckets exact when the LRU bound evicts older ones", async () => {
    const { quota } = memoryQuota({ maxLocalBuckets: 2 });
    const tiny = { perMinute: 1, burst: 0 };
    for (const keyId of ["key_old", "key_b", "key_c"]) await quota.take(keyId, 1, tiny);

    expect(await quota.take("key_c", 1, tiny)).toMatchObject({ allowed: false });
    expect(await quota.take("key_b", 1, tiny)).toMatchObject({ allowed: false });
    // Evicted: starts full again, the price of a bounded store.
    expect(await quota.take("key_old", 1, tiny)).toMatchObject({ allowed: true });
  });
});

/** A stand-in for ioredis whose script calls fail while `down`; not the real thing (see the .int test). */
function flakyRedis() {
  const stub = {
    down: true,
    evalsha: () =>
      stub.down ? Promise.reject(new Error("Stream isn't writeable")) : Promise.resolve([1, 59, 1_000, 0]),
    eval: () => Promise.reject(new Error("not expected")),
  };
  return { stub, redis: stub as unknown as Redis };
}

describe("createKeyQuota when Redis fails", () => {
  it("answers from an insurance bucket, logging once on the way in and once on the way out", async () => {
    const { stub, redis } = flakyRedis();
    const { logger, lines } = capturingLogger();
    const errors: unknown[] = [];
    const { quota } = memoryQuota({ redis, logger, onRedisError: (error) => errors.push(error) });
    const tiny = { perMinute: 1, burst: 1 };

    expect(await takeAll(() => quota.take("key_a", 1, tiny), 3)).toEqual([true, true, false]);
    await quota.refund("key_a", 1, tiny);
    expect(await quota.take("key_a", 1, tiny)).toMatchObject({ allowed: true });
    expect(quota.mode()).toBe("insurance");
    expect(errors).toHaveLength(5);
    expect(lines().filter((line) => line.includes('"level":40'))).toHaveLength(1);

    stub.down = false;
    expect(await quota.take("key_a", 1, tiny)).toMatchObject({ allowed: true, remaining: 59 });
    expect(quota.mode()).toBe("redis");
    await quota.take("key_a", 1, tiny);
    expect(lines().filter((line) => line.includes('"level":30'))).toHaveLength(1);
    expect(lines().join("\n")).not.toContain("key_a");
  });

  it("answers from insurance when Redis is slower than redisTimeoutMs", async () => {
    const redis = { evalsha: () => new Promise(() => {}) } as unknown as Redis;
    const { quota } = memoryQuota({ redis, redisTimeoutMs: 5 });
    expect(await quota.take("key_a", 1, ONE_A_SECOND)).toMatchObject({ allowed: true, remaining: 59 });
    expect(quota.mode()).toBe("insurance");
  });
});

describe("createKeyQuota misuse", () => {
  it("rejects bad options when created, naming the contract", () => {
    expect(() => memoryQuota({ maxLocalBuckets: 0 })).toThrow("maxLocalBuckets must be an integer above 0; got 0");
    expect(() => memoryQuota({ redisTimeoutMs: -1 })).toThrow("redisTimeoutMs must be an integer above 0; got -1");
  });

  it("rejects a bad cost or policy instead of metering it", async () => {
    const { quota } = memoryQuota();
    await expect(quota.take("key_a", -1, ONE_A_SECOND)).rejects.toThrow("cost must be a non-negative integer");
    await expect(quota.refund("key_a", 0.5, ONE_A_SECOND)).rejects.toThrow("cost must be a non-negative integer");
    await expect(quota.take("key_a", 1, { perMinute: 0, burst: 0 })).rejects.toThrow("perMinute must be");
    const { redis } = flakyRedis();
    const withRedis = memoryQuota({ redis }).quota;
    await expect(withRedis.take("key_a", -1, ONE_A_SECOND)).rejects.toThrow("cost must be a non-negative integer");
    expect(withRedis.mode()).toBe("redis");
  });
});
