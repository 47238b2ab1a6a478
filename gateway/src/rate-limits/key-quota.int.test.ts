import { randomUUID } from "node:crypto";
import { openRedis, type Redis } from "@pokewatch/kit";
import { capturingLogger, silentLogger, startTcpProxy, TEST_REDIS_URL } from "@pokewatch/kit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createKeyQuota, type KeyQuota, type KeyQuotaOptions, type QuotaPolicy } from "./key-quota.js";

/** Holds 5; refills one token a minute, so nothing refills while a test runs. */
const FIVE: QuotaPolicy = { perMinute: 1, burst: 4 };

let admin: Redis;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  admin = (await openRedis(TEST_REDIS_URL, silentLogger()))!;
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(() => admin.disconnect());

/** A Redis client of its own, as another gateway replica would have. */
async function redisAt(url = TEST_REDIS_URL): Promise<Redis> {
  const redis = (await openRedis(url, silentLogger()))!;
  cleanups.push(() => redis.disconnect());
  return redis;
}

/** A key prefix no other test uses; its keys are deleted after the test. */
function uniquePrefix(): string {
  const prefix = `pokewatch_test:quota:${randomUUID()}:`;
  cleanups.push(async () => {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
  });
  return prefix;
}

function quotaOn(redis: Redis, keyPrefix: string, options: Partial<KeyQuotaOptions> = {}): KeyQuota {
  // Generous, so a loaded machine never turns an answer into a timeout; the stall test sets its own.
  return createKeyQuota({ redis, keyPrefix, logger: silentLogger(), redisTimeoutMs: 2_000, ...options });
}

async function allowed(quota: KeyQuota, times: number, policy = FIVE): Promise<boolean[]> {
  const answers: boolean[] = [];
  for (let i = 0; i < times; i++) answers.push((await quota.take("key_a", 1, policy)).allowed);
  return answers;
}

/** Polls with peeks until a call has gone through Redis again. */
async function expectBackOnRedis(quota: KeyQuota, policy: QuotaPolicy): Promise<void> {
  const modeAfterPeek = async () => {
    await quota.take("key_a", 0, policy);
    return quota.mode();
  };
  await expect.poll(modeAfterPeek, { timeout: 10_000, interval: 100 }).toBe("redis");
}

describe("createKeyQuota on Redis (the machine's Redis)", () => {
  it("shares one bucket between replicas: takes through both add up to the capacity", async () => {
    const prefix = uniquePrefix();
    const a = quotaOn(await redisAt(), prefix);
    const b = quotaOn(await redisAt(), prefix);

    expect(await a.take("key_a", 2, FIVE)).toMatchObject({ allowed: true, limit: 5, remaining: 3, retryAfterMs: 0 });
    expect(await b.take("key_a", 2, FIVE)).toMatchObject({ allowed: true, remaining: 1 });
    expect(await a.take("key_a", 1, FIVE)).toMatchObject({ allowed: true, remaining: 0 });
    const refused = await b.take("key_a", 1, FIVE);
    expect(refused).toMatchObject({ allowed: false, limit: 5, remaining: 0 });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(await a.take("key_a", 1, FIVE)).toMatchObject({ allowed: false });
    expect(await b.take("key_other", 1, FIVE)).toMatchObject({ allowed: true, remaining: 4 });
    expect([a.mode(), b.mode()]).toEqual(["redis", "redis"]);
  });

  it("peeks without taking, and refuses a cost above capacity for good", async () => {
    const quota = quotaOn(await redisAt(), uniquePrefix());
    await quota.take("key_a", 1, FIVE);
    expect(await quota.take("key_a", 0, FIVE)).toMatchObject({ allowed: true, remaining: 4 });
    expect(await quota.take("key_a", 6, FIVE)).toMatchObject({ allowed: false, remaining: 4, retryAfterMs: Infinity });
    expect(await quota.take("key_a", 4, FIVE)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it("takes refunds through any replica, capped at capacity", async () => {
    const prefix = uniquePrefix();
    const a = quotaOn(await redisAt(), prefix);
    const b = quotaOn(await redisAt(), prefix);
    await a.take("key_a", 5, FIVE);

    await b.refund("key_a", 2, FIVE);
    expect(await a.take("key_a", 0, FIVE)).toMatchObject({ remaining: 2 });
    await b.refund("key_a", 50, FIVE);
    expect(await a.take("key_a", 0, FIVE)).toMatchObject({ remaining: 5 });
    // A full bucket is no key at all.
    expect(await admin.exists(`${prefix}key_a`)).toBe(0);
  });

  it("expires an idle bucket a little after it would be full again", async () => {
    const prefix = uniquePrefix();
    const quota = quotaOn(await redisAt(), prefix);
    const decision = await quota.take("key_a", 1, { perMinute: 60, burst: 0 });

    const ttl = await admin.pttl(`${prefix}key_a`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_000 + 1_000);
    expect(decision.resetAtMs - Date.now()).toBeLessThanOrEqual(1_000);
    // 59 whole tokens, and the fraction refilled since the take.
    expect(Math.floor(Number((await admin.hgetall(`${prefix}key_a`)).tokens))).toBe(59);
  });
});

describe("createKeyQuota when Redis fails", () => {
  it("limits from an insurance bucket while Redis is cut, logs once, and goes back to Redis", async () => {
    const proxy = await startTcpProxy(TEST_REDIS_URL);
    cleanups.push(() => proxy.dispose());
    const { logger, lines } = capturingLogger();
    const errors: unknown[] = [];
    const quota = quotaOn(await redisAt(proxy.url), uniquePrefix(), {
      logger,
      onRedisError: (error) => errors.push(error),
    });
    const three = { perMinute: 1, burst: 2 };
    expect(await quota.take("key_a", 1, three)).toMatchObject({ allowed: true, remaining: 2 });

    await proxy.close();
    expect(await allowed(quota, 4, three)).toEqual([true, true, true, false]);
    expect(quota.mode()).toBe("insurance");
    expect(errors).toHaveLength(4);
    const warnings = () => lines().filter((line) => line.includes('"level":40'));
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain("redis failing");

    await proxy.reopen();
    await expectBackOnRedis(quota, three);
    // The shared bucket picks up where Redis left it; insurance takes stayed in this process.
    expect(await quota.take("key_a", 0, three)).toMatchObject({ remaining: 2 });
    expect(lines().filter((line) => line.includes("redis answers again"))).toHaveLength(1);
    expect(warnings()).toHaveLength(1);
  });

  it("answers from insurance when Redis stops answering for longer than redisTimeoutMs", async () => {
    const proxy = await startTcpProxy(TEST_REDIS_URL);
    cleanups.push(() => proxy.dispose());
    const quota = quotaOn(await redisAt(proxy.url), uniquePrefix(), { redisTimeoutMs: 200 });
    await quota.take("key_a", 1, FIVE);

    proxy.stall();
    expect(await quota.take("key_a", 1, FIVE)).toMatchObject({ allowed: true, remaining: 4 });
    expect(quota.mode()).toBe("insurance");

    proxy.resume();
    await expectBackOnRedis(quota, FIVE);
  });
});
