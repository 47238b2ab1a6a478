import {
  TEST_REDIS_URL,
  createIsolatedPostgres,
  startTcpProxy,
  type IsolatedPostgres,
  type TcpProxy,
} from "@pokewatch/kit/testing";
import type { RunningStack } from "@pokewatch/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, startTestStack } from "./stack-fixture.js";

// Two gateways, each with its own subgraphs, on one PostgreSQL schema and one Redis: two replicas.
let postgres: IsolatedPostgres;
let first: RunningStack;
let second: RunningStack;

beforeAll(async () => {
  postgres = await createIsolatedPostgres();
  first = await startTestStack({ REDIS_URL: TEST_REDIS_URL }, postgres.db);
  second = await startTestStack({ REDIS_URL: TEST_REDIS_URL }, postgres.db);
});
afterAll(async () => {
  await first?.close();
  await second?.close();
  await postgres?.drop();
});

const CARD_QUERY = `{ card(id: "sv3pt5-6") { name } }`;
const asKey = (key: string) => ({ "x-api-key": key });

/** A key created through the gateway by the admin key. */
async function createKey(input: { scopes: string[]; rateLimitPerMinute: number }, by?: string): Promise<string> {
  const { body } = await postGraphQL(
    first.gatewayUrl,
    `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
    by ? asKey(by) : {},
    { variables: { input: { name: "limits e2e", ...input } } },
  );
  expect(body.errors).toBeUndefined();
  return (body.data as { createApiKey: { secret: string } }).createApiKey.secret;
}

describe("rate limits through two gateways on one Redis", () => {
  it("holds a key's quota for the sum of both gateways' traffic", async () => {
    // 1 a minute + the burst of 10: 11 points, whichever gateway is asked.
    const key = await createKey({ scopes: ["prices:read"], rateLimitPerMinute: 1 });
    for (let i = 0; i < 11; i += 1) {
      const { status } = await postGraphQL((i % 2 ? second : first).gatewayUrl, CARD_QUERY, asKey(key));
      expect(status).toBe(200);
    }
    for (const stack of [first, second]) {
      const refused = await postGraphQL(stack.gatewayUrl, CARD_QUERY, asKey(key));
      expect(refused.status).toBe(429);
      // One point comes back a minute after the first was taken, less the seconds these calls took
      // (seconds on a busy machine: the exact value is the token-bucket unit tests' to pin).
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(45);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter });
    }
  });

  it("shows the quota in viewer and in the headers", async () => {
    const key = await createKey({ scopes: ["prices:read"], rateLimitPerMinute: 60 });
    const { status, headers, body } = await postGraphQL(
      second.gatewayUrl,
      "{ viewer { rateLimitPerMinute quota { limit remaining resetAt } } }",
      asKey(key),
    );
    expect(status).toBe(200);
    const viewer = (body.data as { viewer: { quota: { limit: number; remaining: number; resetAt: string } } }).viewer;
    expect(viewer).toMatchObject({ rateLimitPerMinute: 60, quota: { limit: 70, remaining: 69 } });
    expect(Date.parse(viewer.quota.resetAt)).toBeGreaterThan(Date.now());
    expect(headers.get("x-ratelimit-limit")).toBe("70");
    expect(headers.get("x-ratelimit-remaining")).toBe("69");
    expect(headers.get("ratelimit-policy")).toBe('"key";q=70;w=70');
  });

  it("limits createApiKey to 10 an hour per key across both gateways, counting each call once", async () => {
    const admin = await createKey({ scopes: ["keys:admin", "prices:read"], rateLimitPerMinute: 1000 });
    for (let i = 0; i < 10; i += 1) {
      const { status, body } = await postGraphQL(
        (i % 2 ? second : first).gatewayUrl,
        `mutation { createApiKey(input: { name: "n${i}", scopes: ["prices:read"], rateLimitPerMinute: 60 }) { apiKey { id } } }`,
        asKey(admin),
      );
      expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
    }
    const refused = await postGraphQL(
      second.gatewayUrl,
      `mutation { createApiKey(input: { name: "eleventh", scopes: ["prices:read"], rateLimitPerMinute: 60 }) { apiKey { id } } }`,
      asKey(admin),
    );
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: "RATE_LIMITED",
      field: "Mutation.createApiKey",
    });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(3000);
  });

  it("charges cards(ids) one point per id", async () => {
    const key = await createKey({ scopes: ["prices:read"], rateLimitPerMinute: 1000 });
    const ids = Array.from({ length: 1000 }, (_, i) => `sv3pt5-${i + 1}`);
    const batch = await postGraphQL(first.gatewayUrl, "query ($ids: [ID!]!) { cards(ids: $ids) { id } }", asKey(key), {
      variables: { ids },
    });
    expect(batch.status).toBe(200);
    expect(batch.headers.get("x-ratelimit-remaining")).toBe("10");
    // 10 points left, refilling at 1,000 a minute: 200 more are refused unless 11 s went by.
    const next = await postGraphQL(second.gatewayUrl, "query ($ids: [ID!]!) { cards(ids: $ids) { id } }", asKey(key), {
      variables: { ids: ids.slice(0, 200) },
    });
    expect(next.status).toBe(429);
  });
});

describe("costs that match the work", () => {
  it("prices 100 aliased card { fairPrice } as cards(ids:) with the same 100 ids: 200 points each", async () => {
    // A bucket of 150 + 10 points: both operations are refused for their cost, which the error names.
    const key = await createKey({ scopes: ["prices:read"], rateLimitPerMinute: 150 });
    const ids = Array.from({ length: 100 }, (_, i) => `sv3pt5-${i + 1}`);
    const aliased = ids.map((id, i) => `c${i}: card(id: "${id}") { fairPrice { fairPrice } }`).join(" ");
    const viaAliases = await postGraphQL(first.gatewayUrl, `{ ${aliased} }`, asKey(key));
    const viaList = await postGraphQL(
      second.gatewayUrl,
      "query ($ids: [ID!]!) { cards(ids: $ids) { fairPrice { fairPrice } } }",
      asKey(key),
      { variables: { ids } },
    );
    for (const refused of [viaAliases, viaList]) {
      expect(refused.status).toBe(400);
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", cost: 200, limit: 160 });
    }
    // Half of them fit: 50 card fields and their 50 fairPrice fields.
    const half = ids.slice(0, 50).map((id, i) => `c${i}: card(id: "${id}") { fairPrice { fairPrice } }`);
    const fits = await postGraphQL(first.gatewayUrl, `{ ${half.join(" ")} }`, asKey(key));
    expect(fits.status).toBe(200);
    // The bucket was full (refused operations take nothing), so this is exact.
    expect(fits.headers.get("x-ratelimit-remaining")).toBe("60");
  });
});

describe("costs that match the work: nested fields", () => {
  it("charges each aliased fairPrice(date:) under one card", async () => {
    const key = await createKey({ scopes: ["prices:read"], rateLimitPerMinute: 90 });
    const days = Array.from(
      { length: 100 },
      (_, i) => `d${i}: fairPrice(date: "2026-0${1 + (i % 9)}-1${i % 10}") { fairPrice }`,
    );
    const refused = await postGraphQL(first.gatewayUrl, `{ card(id: "sv3pt5-6") { ${days.join(" ")} } }`, asKey(key));
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", cost: 101, limit: 100 });
  });
});

describe("rate limits when Redis goes away", () => {
  let proxy: TcpProxy;
  let stack: RunningStack;
  beforeAll(async () => {
    proxy = await startTcpProxy(TEST_REDIS_URL);
    stack = await startTestStack({ REDIS_URL: proxy.url, METRICS_PORT: "0" }, postgres.db);
  });
  afterAll(async () => {
    await stack?.close();
    await proxy?.dispose();
  });

  it("keeps limiting in process, never answers 5xx, and counts the Redis errors", async () => {
    const key = await createKey({ scopes: ["prices:read"], rateLimitPerMinute: 1 });
    // Verify the key through this stack while Redis still answers.
    expect((await postGraphQL(stack.gatewayUrl, CARD_QUERY, asKey(key))).status).toBe(200);
    await proxy.close();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await postGraphQL(stack.gatewayUrl, CARD_QUERY, asKey(key))).status);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(statuses).toContain(429);
    expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
    // Metrics are served on the internal METRICS_PORT listener only.
    const metrics = await (await fetch(stack.metricsUrl!)).text();
    expect(metrics).toMatch(/pokewatch_rate_limit_redis_errors_total\{limiter="quota"\} [1-9]/);
    await proxy.reopen();
  });
});
