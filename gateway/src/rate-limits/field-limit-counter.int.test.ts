import { createRequire } from "node:module";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { applyFieldLimits, FIELD_LIMIT_KEY_PREFIX, fieldLimitKey, openRedis, type Redis } from "@pokewatch/kit";
import {
  capturingLogger,
  silentLogger,
  startTcpProxy,
  TEST_REDIS_URL,
  testIdentity,
  uniqueName,
  type TcpProxy,
} from "@pokewatch/kit/testing";
import type * as GraphQL from "graphql";
import { parse } from "graphql";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createFieldLimitCounter, type FieldLimitCall, type FieldLimitCounterOptions } from "./field-limit-counter.js";

// buildSubgraphSchema builds with graphql's CommonJS build; vitest would hand this file the ESM one.
const { execute } = createRequire(import.meta.url)("graphql") as typeof GraphQL;

const cards: FieldLimitCall = { coordinate: "Query.cards", rule: { limit: 2, duration: 60 } };
const prices: FieldLimitCall = { coordinate: "Query.fairPrices", rule: { limit: 3, duration: 60 } };

const keyIds: string[] = [];
const clients: Redis[] = [];
const proxies: TcpProxy[] = [];
const admin = (await openRedis(TEST_REDIS_URL, silentLogger()))!;
afterEach(async () => {
  while (proxies.length) await proxies.pop()!.dispose();
});
afterAll(async () => {
  const counters = keyIds.flatMap((keyId) =>
    [cards, prices].map(({ coordinate }) => `${FIELD_LIMIT_KEY_PREFIX}:${fieldLimitKey(keyId, coordinate)}`),
  );
  if (counters.length) await admin.del(...counters);
  for (const client of [admin, ...clients]) client.disconnect();
});

function newKey(): string {
  const keyId = uniqueName("key_field_limit_counter");
  keyIds.push(keyId);
  return keyId;
}

/** A Redis connection of its own, as another gateway replica would have. */
async function connect(url = TEST_REDIS_URL): Promise<Redis> {
  const redis = (await openRedis(url, silentLogger()))!;
  clients.push(redis);
  return redis;
}

/** A counter on its own connection; a generous timeout, so a loaded machine never looks like a Redis outage. */
async function replica(overrides: Partial<FieldLimitCounterOptions> = {}, url?: string) {
  return createFieldLimitCounter({
    redis: await connect(url),
    logger: silentLogger(),
    redisTimeoutMs: 2_000,
    ...overrides,
  });
}

async function proxied(overrides: Partial<FieldLimitCounterOptions> = {}) {
  const proxy = await startTcpProxy(TEST_REDIS_URL);
  proxies.push(proxy);
  const { logger, lines } = capturingLogger();
  const errors: unknown[] = [];
  const counter = await replica({ logger, onRedisError: (error) => errors.push(error), ...overrides }, proxy.url);
  return { proxy, counter, errors, lines };
}

describe("createFieldLimitCounter on the machine's Redis", () => {
  it("shares one limit between replicas, in the counter the subgraphs use", async () => {
    const [a, b] = [await replica(), await replica()];
    const key = newKey();

    expect(await a.consume(key, [cards])).toMatchObject({ allowed: true });
    expect(await b.consume(key, [cards])).toMatchObject({ allowed: true });
    expect(await a.consume(key, [cards])).toMatchObject({ allowed: false, coordinate: "Query.cards" });
    expect(await b.consume(key, [cards])).toMatchObject({ allowed: false, coordinate: "Query.cards" });

    const counter = `${FIELD_LIMIT_KEY_PREFIX}:${key}:Query.cards`;
    expect(await admin.get(counter)).toBe("2");
    expect(await admin.ttl(counter)).toBeGreaterThan(0);
  });

  it("gives points back across replicas: on a refusal, and on refund", async () => {
    const [a, b] = [await replica(), await replica()];
    const key = newKey();
    expect(await a.consume(key, [prices, prices, cards, cards, cards])).toMatchObject({ allowed: false });
    expect(await admin.get(`${FIELD_LIMIT_KEY_PREFIX}:${key}:Query.fairPrices`)).toBe("0");

    const taken = await a.consume(key, [prices, prices, prices]);
    if (!taken.allowed) throw new Error("expected the consume to pass");
    expect(await b.consume(key, [prices])).toMatchObject({ allowed: false });
    await b.refund(taken.taken);
    expect(await b.consume(key, [prices, prices, prices])).toMatchObject({ allowed: true });
  });

  it("counts in the counter a subgraph's @rateLimit reads, so a field is never counted twice over", async () => {
    const limits = await replica();
    const schema = applyFieldLimits(
      buildSubgraphSchema({
        typeDefs: parse(`
          extend schema
            @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
            @link(url: "https://github.com/ravangen/graphql-rate-limit/v1.0", import: ["@rateLimit"])
          directive @rateLimit(limit: Int! = 60, duration: Int! = 60) on OBJECT | FIELD_DEFINITION
          type Query { cards: [String] @rateLimit(limit: 2, duration: 60) }
        `),
        resolvers: { Query: { cards: () => ["c1"] } },
      }),
      { redis: await connect() },
    );
    const key = newKey();
    const call = () =>
      execute({ schema, document: parse("{ cards }"), contextValue: { identity: testIdentity({ keyId: key }) } });

    expect(await limits.consume(key, [cards])).toMatchObject({ allowed: true });
    expect((await call()).errors).toBeUndefined();
    expect((await call()).errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", field: "Query.cards" });
    expect(await limits.consume(key, [cards])).toMatchObject({ allowed: false });
  });
});

describe("Redis outages", () => {
  it("keeps limiting in memory while Redis is cut, without throwing, logs once, and uses Redis again", async () => {
    const { proxy, counter, errors, lines } = await proxied();
    const key = newKey();
    expect(await counter.consume(key, [cards])).toMatchObject({ allowed: true });

    await proxy.close();
    // The insurance counts from zero: two calls, then the limit again.
    expect(await counter.consume(key, [cards])).toMatchObject({ allowed: true });
    const taken = await counter.consume(key, [cards]);
    expect(taken).toMatchObject({ allowed: true });
    expect(await counter.consume(key, [cards])).toMatchObject({ allowed: false, coordinate: "Query.cards" });
    if (taken.allowed) await expect(counter.refund(taken.taken)).resolves.toBeUndefined();

    expect(errors.length).toBeGreaterThanOrEqual(4);
    expect(errors.every((error) => error instanceof Error)).toBe(true);
    expect(lines().filter((line) => line.includes("redis failing"))).toHaveLength(1);

    await proxy.reopen();
    const other = newKey();
    const answersAgain = async () => {
      await counter.consume(other, [prices]);
      return lines().some((line) => line.includes("redis answers again"));
    };
    await expect.poll(answersAgain, { timeout: 10_000, interval: 100 }).toBe(true);
    expect(await admin.exists(`${FIELD_LIMIT_KEY_PREFIX}:${other}:Query.fairPrices`)).toBe(1);
  });

  it("answers from memory when Redis stops answering, instead of waiting on it", async () => {
    const { proxy, counter, errors } = await proxied({ redisTimeoutMs: 200 });
    const key = newKey();
    expect(await counter.consume(key, [cards])).toMatchObject({ allowed: true });

    proxy.stall();
    expect(await counter.consume(key, [cards, cards])).toMatchObject({ allowed: true });
    expect(await counter.consume(key, [cards])).toMatchObject({ allowed: false, coordinate: "Query.cards" });
    expect(errors.length).toBeGreaterThanOrEqual(3);
    proxy.resume();
  });
});
