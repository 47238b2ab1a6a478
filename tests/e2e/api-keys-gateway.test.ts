import { TEST_REDIS_URL, createIsolatedPostgres, type IsolatedPostgres } from "@pokewatch/kit/testing";
import type { RunningStack } from "@pokewatch/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { msUntilStatus, postGraphQL, startTestStack } from "./stack-fixture.js";

// Two gateways, each with its own keys service, on one PostgreSQL schema and one Redis: what two
// replicas of the system look like.
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

interface CreatedKey {
  apiKey: { id: string; scopes: string[]; maskedKey: string };
  secret: string;
}

async function createKey(stack: RunningStack, scopes: string[], by?: string): Promise<CreatedKey> {
  const { body } = await postGraphQL(
    stack.gatewayUrl,
    `mutation { createApiKey(input: { name: "e2e", scopes: ${JSON.stringify(scopes)} }) {
      apiKey { id scopes maskedKey } secret } }`,
    by ? asKey(by) : {},
  );
  expect(body.errors).toBeUndefined();
  return (body.data as { createApiKey: CreatedKey }).createApiKey;
}

describe("API keys through two gateways on one Redis", () => {
  it("refuses calls without a valid key: 401, UNAUTHENTICATED and WWW-Authenticate", async () => {
    const missing = await postGraphQL(first.gatewayUrl, CARD_QUERY, {}, { anonymous: true });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer realm="pokewatch"/);
    expect(missing.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    const malformed = await postGraphQL(first.gatewayUrl, CARD_QUERY, asKey("pw_live_not-a-key"));
    expect(malformed.status).toBe(401);
    expect(malformed.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(JSON.stringify(malformed.body)).not.toContain("pw_live_not-a-key");
  });

  it("serves a created key on both gateways, as x-api-key or Bearer", async () => {
    const { secret } = await createKey(first, ["prices:read"]);
    const viaFirst = await postGraphQL(first.gatewayUrl, CARD_QUERY, asKey(secret));
    const viaSecond = await postGraphQL(second.gatewayUrl, CARD_QUERY, { authorization: `Bearer ${secret}` });
    expect(viaFirst.body).toEqual({ data: { card: { name: "Charizard ex" } } });
    expect(viaSecond.body).toEqual({ data: { card: { name: "Charizard ex" } } });
  });

  it("a key revoked through one gateway is refused by the other within a second", async () => {
    const { apiKey, secret } = await createKey(first, ["prices:read"]);
    // Both gateways have verified (and cached) the key.
    expect((await postGraphQL(first.gatewayUrl, CARD_QUERY, asKey(secret))).status).toBe(200);
    expect((await postGraphQL(second.gatewayUrl, CARD_QUERY, asKey(secret))).status).toBe(200);

    const revoked = await postGraphQL(first.gatewayUrl, `mutation { revokeApiKey(id: "${apiKey.id}") { status } }`);
    expect(revoked.body.data).toEqual({ revokeApiKey: { status: "REVOKED" } });

    const elapsed = await msUntilStatus(() => postGraphQL(second.gatewayUrl, CARD_QUERY, asKey(secret)), 401, 1000);
    expect(elapsed).toBeLessThan(1000);
    expect((await postGraphQL(first.gatewayUrl, CARD_QUERY, asKey(secret))).status).toBe(401);
  });

  it("after a rotation the old secret works on both gateways until the grace period ends", async () => {
    const { apiKey, secret: oldSecret } = await createKey(first, ["prices:read"]);
    expect((await postGraphQL(second.gatewayUrl, CARD_QUERY, asKey(oldSecret))).status).toBe(200);

    const { body } = await postGraphQL(
      first.gatewayUrl,
      `mutation { rotateApiKey(id: "${apiKey.id}", gracePeriodSeconds: 2) { apiKey { id } secret } }`,
    );
    const rotated = (body.data as { rotateApiKey: { apiKey: { id: string }; secret: string } }).rotateApiKey;
    expect(rotated.apiKey.id).toBe(apiKey.id);
    expect(rotated.secret).not.toBe(oldSecret);

    for (const stack of [first, second]) {
      expect((await postGraphQL(stack.gatewayUrl, CARD_QUERY, asKey(rotated.secret))).status).toBe(200);
      expect((await postGraphQL(stack.gatewayUrl, CARD_QUERY, asKey(oldSecret))).status).toBe(200);
    }
    const elapsed = await msUntilStatus(() => postGraphQL(second.gatewayUrl, CARD_QUERY, asKey(oldSecret)), 401, 4000);
    expect(elapsed).toBeLessThan(4000);
    expect((await postGraphQL(first.gatewayUrl, CARD_QUERY, asKey(oldSecret))).status).toBe(401);
    expect((await postGraphQL(second.gatewayUrl, CARD_QUERY, asKey(rotated.secret))).status).toBe(200);
  });
});

describe("scopes through the gateway", () => {
  it("refuses a field whose scope the key lacks with 403 FORBIDDEN naming the scope", async () => {
    const { secret } = await createKey(first, ["prices:read"]);
    const { status, body } = await postGraphQL(first.gatewayUrl, `{ schedules { cron } }`, asKey(secret));
    expect(status).toBe(403);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(body.errors?.[0]?.message).toContain("pipeline:read");

    const admin = await postGraphQL(first.gatewayUrl, `{ apiKeys { edges { node { id } } } }`, asKey(secret));
    expect(admin.status).toBe(403);
    expect(admin.body.errors?.[0]?.message).toContain("keys:admin");
  });

  it("lets a key manage keys only within its own scopes", async () => {
    const { secret: keyAdmin } = await createKey(first, ["keys:admin"]);
    const { body } = await postGraphQL(
      first.gatewayUrl,
      `mutation { createApiKey(input: { name: "wider", scopes: ["prices:read"] }) { secret } }`,
      asKey(keyAdmin),
    );
    expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(body.errors?.[0]?.message).toContain("prices:read");
    const narrower = await createKey(first, ["keys:admin"], keyAdmin);
    expect(narrower.apiKey.scopes).toEqual(["keys:admin"]);
  });

  it("viewer shows the calling key and its limits, never its secret", async () => {
    const { apiKey, secret } = await createKey(first, ["prices:read"]);
    const { body } = await postGraphQL(
      second.gatewayUrl,
      `{ viewer { authenticated scopes rateLimitPerMinute key { id maskedKey scopes } } }`,
      asKey(secret),
    );
    expect(body.data).toEqual({
      viewer: {
        authenticated: true,
        scopes: ["prices:read"],
        rateLimitPerMinute: 100_000, // the test stacks' RATE_LIMIT_RPM
        key: { id: apiKey.id, maskedKey: apiKey.maskedKey, scopes: ["prices:read"] },
      },
    });
    expect(JSON.stringify(body)).not.toContain(secret);
  });
});

describe("without Redis", () => {
  it("the gateway's cache TTL bounds how long a revoked key keeps working", async () => {
    const embedded = await startTestStack({ AUTH_CACHE_TTL_SECONDS: "1" });
    try {
      const { apiKey, secret } = await createKey(embedded, ["prices:read"]);
      expect((await postGraphQL(embedded.gatewayUrl, CARD_QUERY, asKey(secret))).status).toBe(200);
      await postGraphQL(embedded.gatewayUrl, `mutation { revokeApiKey(id: "${apiKey.id}") { id } }`);
      const elapsed = await msUntilStatus(() => postGraphQL(embedded.gatewayUrl, CARD_QUERY, asKey(secret)), 401, 3000);
      expect(elapsed).toBeLessThan(1500);
    } finally {
      await embedded.close();
    }
  });
});
