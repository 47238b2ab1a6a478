import { generateApiKeySecret } from "@pokewatch/kit";
import { TEST_REDIS_URL, createIsolatedPostgres, uniqueName, type IsolatedPostgres } from "@pokewatch/kit/testing";
import type { RunningStack } from "@pokewatch/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, startTestStack } from "./stack-fixture.js";

// Two systems on one PostgreSQL and one Redis, each behind a proxy on loopback (TRUST_PROXY), with
// 3 failed authentications a minute per client address, counted under a Redis prefix of this run.
const PER_MINUTE = 3;
let postgres: IsolatedPostgres;
let first: RunningStack;
let second: RunningStack;

beforeAll(async () => {
  postgres = await createIsolatedPostgres();
  const env = { REDIS_URL: TEST_REDIS_URL, TRUST_PROXY: "loopback", AUTH_FAILURES_PER_MINUTE: String(PER_MINUTE) };
  const failedAuthKeyPrefix = `${uniqueName("e2e_auth_failures")}:`;
  first = await startTestStack(env, postgres.db, { failedAuthKeyPrefix });
  second = await startTestStack(env, postgres.db, { failedAuthKeyPrefix });
});
afterAll(async () => {
  await first?.close();
  await second?.close();
  await postgres?.drop();
});

const QUERY = `{ viewer { authenticated } }`;
const from = (client: string, key = generateApiKeySecret()) => ({ "x-api-key": key, "x-forwarded-for": client });

describe("failed-auth throttle across two gateways on Redis, behind a trusted proxy", () => {
  it("refuses an address with 429 and Retry-After on both gateways once it failed 3 times in all", async () => {
    const { body } = await postGraphQL(
      first.gatewayUrl,
      `mutation { createApiKey(input: { name: "throttle", scopes: ["prices:read"] }) { secret } }`,
    );
    const known = (body.data as { createApiKey: { secret: string } }).createApiKey.secret;
    const client = "198.51.100.77";
    // The client's own key, verified on both gateways before its address is throttled.
    for (const stack of [first, second]) {
      expect((await postGraphQL(stack.gatewayUrl, QUERY, from(client, known))).status).toBe(200);
    }

    for (const stack of [first, second, first]) {
      expect((await postGraphQL(stack.gatewayUrl, QUERY, from(client))).status).toBe(401);
    }
    for (const stack of [second, first]) {
      const refused = await postGraphQL(stack.gatewayUrl, QUERY, from(client));
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe(String(60 / PER_MINUTE));
      expect(refused.body.errors?.[0]?.extensions).toEqual({ code: "RATE_LIMITED", retryAfter: 60 / PER_MINUTE });
    }

    // Another client behind the same proxy is counted apart; the throttled client's known key still works.
    expect((await postGraphQL(second.gatewayUrl, QUERY, from("198.51.100.78"))).status).toBe(401);
    expect((await postGraphQL(second.gatewayUrl, QUERY, from(client, known))).status).toBe(200);
  });
});
