import { createRedis, type Redis } from "@pokewatch/kit";
import {
  capturingLogger,
  silentLogger,
  startTcpProxy,
  TEST_REDIS_URL,
  uniqueName,
  type TcpProxy,
} from "@pokewatch/kit/testing";
import { priceBandModelVersion } from "@pokewatch/model/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { dealsRankerHarness } from "../testing/deals-ranker-harness.js";
import { PRICED_CARDS, signedQuery, startPricingTestApp } from "../testing/pricing-test-app.js";
import type { DealsRanking } from "./ranked-deals.js";
import { createRedisDealsRankingStore } from "./redis-deals-ranking-store.js";

const namespace = uniqueName("pokewatch_test_deals");
const admin = createRedis({ url: TEST_REDIS_URL, logger: silentLogger() });
const cleanups: Array<() => Promise<void>> = [];
beforeAll(() => admin.connect());
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  const keys = await admin.keys(`${namespace}*`);
  if (keys.length) await admin.del(keys);
  admin.disconnect();
});

/** A replica's Redis client, as the service opens it (fails fast while Redis is away). */
async function client(url = TEST_REDIS_URL): Promise<Redis> {
  const redis = createRedis({ url, logger: silentLogger() });
  await redis.connect().catch(() => {});
  cleanups.push(() => Promise.resolve(redis.disconnect()));
  return redis;
}

function replica(
  redis: Redis,
  options: { ns?: string; logger?: ReturnType<typeof capturingLogger>["logger"]; waitMs?: number } = {},
) {
  const store = createRedisDealsRankingStore({
    redis,
    logger: options.logger ?? silentLogger(),
    namespace: options.ns ?? namespace,
  });
  const made = dealsRankerHarness({ store, ...(options.waitMs && { waitMs: options.waitMs }) });
  cleanups.push(() => made.ranker.close());
  return { ...made, store };
}

const ranking = (modelVersionId: string): DealsRanking => ({
  modelVersionId,
  pricesVersion: "2025-03-31",
  computedAt: Date.now(),
  prices: [
    {
      cardId: "sv1-1",
      date: "2025-03-31",
      marketPrice: 10,
      marketPriceDate: "2025-03-30",
      marketPriceSource: "pokemontcg.io",
      fairPrice: 12.5,
      low: 11,
      high: 14,
    },
  ],
});

describe("deals rankings shared through Redis", () => {
  it("is computed by one replica and read by the others", async () => {
    const ns = uniqueName(`${namespace}:share`);
    const one = replica(await client(), { ns });
    const two = replica(await client(), { ns });
    const fromOne = await one.ranker.deals("BUY", null, 20);
    const fromTwo = await two.ranker.deals("BUY", null, 20);
    expect(one.computations).toEqual(["mv_1@2025-03-31"]);
    expect(two.computations).toEqual([]);
    expect(fromTwo).toStrictEqual(fromOne.map((deal) => ({ ...deal, cached: true })));
    // A promotion: the first replica to be asked computes, the other reads it.
    one.state.model = two.state.model = "mv_2";
    await two.ranker.deals("SELL", null, 20);
    await two.ranker.idle();
    await one.ranker.deals("SELL", null, 20);
    await one.ranker.idle();
    expect(two.computations).toEqual(["mv_2@2025-03-31"]);
    expect(one.computations).toEqual(["mv_1@2025-03-31"]);
    expect((await one.ranker.deals("SELL", null, 20)).map((deal) => deal.modelVersionId)).toEqual([
      "mv_2",
      "mv_2",
      "mv_2",
    ]);
  });

  it("round-trips a ranking under its model and day with the TTL, and reads a foreign value as a miss", async () => {
    const { store } = replica(await client());
    await store.set(ranking("mv_rt"), 60_000);
    expect((await store.get("mv_rt", "2025-03-31"))!.prices).toStrictEqual(ranking("mv_rt").prices);
    expect(await store.get("mv_rt", "2025-04-01")).toBeUndefined();
    expect(await store.get("mv_other", "2025-03-31")).toBeUndefined();
    const ttl = await admin.pttl(`${namespace}:v2:mv_rt:2025-03-31`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await admin.set(`${namespace}:v1:mv_bad:2025-03-31`, JSON.stringify({ prices: "nope" }));
    await admin.set(`${namespace}:v1:mv_junk:2025-03-31`, "{not json");
    expect(await store.get("mv_bad", "2025-03-31")).toBeUndefined();
    expect(await store.get("mv_junk", "2025-03-31")).toBeUndefined();
  });

  it("computes and serves on its own while Redis is away, logging the outage once", async () => {
    const proxy: TcpProxy = await startTcpProxy(TEST_REDIS_URL);
    cleanups.push(() => proxy.dispose());
    const redis = await client(proxy.url);
    await proxy.close();
    const { logger, lines } = capturingLogger();
    // A store call to a Redis that vanished may take its whole timeout (2 s) before the ranking is computed.
    const { ranker, computations, state } = replica(redis, { logger, waitMs: 5_000 });
    expect(await ranker.deals("BUY", null, 20)).toHaveLength(3);
    state.model = "mv_2";
    await ranker.deals("SELL", null, 20);
    await ranker.idle();
    expect(await ranker.deals("SELL", null, 20)).toHaveLength(3);
    expect(computations).toEqual(["mv_1@2025-03-31", "mv_2@2025-03-31"]);
    expect(lines().filter((line) => line.includes("deals ranking store: redis unavailable"))).toHaveLength(1);
  });
});

describe("the pricing app with Redis", () => {
  it("stores its ranking in Redis for the other replicas", async () => {
    const redis = await client();
    const ns = uniqueName(`${namespace}:app`);
    const t = await startPricingTestApp({
      model: priceBandModelVersion(20, Math.log(1.25), Math.log(0.8)),
      redis,
      deals: { namespace: ns },
    });
    cleanups.push(() => t.close());
    const { body } = await signedQuery<{ deals: { card: { id: string } }[] }>(
      t.app,
      `{ deals(signal: SELL, limit: 100) { card { id } } }`,
    );
    expect(body.errors).toBeUndefined();
    const model = (await t.registry.production())!.id;
    const keys = await admin.keys(`${ns}:*`);
    expect(keys).toHaveLength(1);
    // The prices' version: the latest day with data, then when a price last changed.
    expect(keys[0]).toMatch(new RegExp(`^${ns}:v2:${model}:\\d{4}-\\d{2}-\\d{2}@\\d{4}-\\d{2}-\\d{2} [\\d:.+]+$`));
    const stored = JSON.parse((await admin.get(keys[0]!))!) as DealsRanking;
    expect(stored.modelVersionId).toBe(model);
    expect(stored.prices.map((p) => p.cardId).sort()).toEqual([...PRICED_CARDS].sort());
    expect(body.data!.deals.every((deal) => PRICED_CARDS.includes(deal.card.id))).toBe(true);
  });
});
