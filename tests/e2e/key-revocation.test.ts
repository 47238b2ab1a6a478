import {
  TEST_REDIS_URL,
  createIsolatedPostgres,
  startTcpProxy,
  type IsolatedPostgres,
  type TcpProxy,
} from "@pokewatch/kit/testing";
import type { RunningStack } from "@pokewatch/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { msUntilStatus, postGraphQL, startTestStack } from "./stack-fixture.js";

// How long a revoked key may keep working, per mode (docs/security.md#revoking-a-key): at once in
// one process, within a second through Redis, and while Redis is down no longer than the
// unannounced TTL (AUTH_CACHE_UNANNOUNCED_TTL_MS, 2 s by default) — never the 30 s cache TTL.
const ANNOUNCED_WITHIN_MS = 1_000;
const UNANNOUNCED_TTL_MS = 2_000;
const QUERY = `{ viewer { authenticated } }`;
const asKey = (secret: string) => ({ "x-api-key": secret });

function report(mode: string, ms: number): void {
  process.stdout.write(`revocation, ${mode}: refused ${Math.round(ms)} ms after the revoke answered\n`);
}

async function createKey(stack: RunningStack): Promise<{ id: string; secret: string }> {
  const { body } = await postGraphQL(
    stack.gatewayUrl,
    `mutation { createApiKey(input: { name: "revocation", scopes: ["prices:read"] }) { apiKey { id } secret } }`,
  );
  const created = (body.data as { createApiKey: { apiKey: { id: string }; secret: string } }).createApiKey;
  return { id: created.apiKey.id, secret: created.secret };
}

async function revoke(stack: RunningStack, keyId: string): Promise<void> {
  const { body } = await postGraphQL(stack.gatewayUrl, `mutation { revokeApiKey(id: "${keyId}") { status } }`);
  expect(body.data).toEqual({ revokeApiKey: { status: "REVOKED" } });
}

describe("one process on embedded defaults (pnpm start)", () => {
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("refuses a revoked key on the very next request: the keys service tells its gateway in process", async () => {
    const { id, secret } = await createKey(stack);
    // Verified and cached by the gateway.
    expect((await postGraphQL(stack.gatewayUrl, QUERY, asKey(secret))).status).toBe(200);
    expect((await postGraphQL(stack.gatewayUrl, QUERY, asKey(secret))).status).toBe(200);
    await revoke(stack, id);
    const first = await postGraphQL(stack.gatewayUrl, QUERY, asKey(secret));
    expect(first.status).toBe(401);
    expect(first.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    report("one process, embedded", 0);
  });

  it("refuses a secret rotated out with no grace period on the very next request", async () => {
    const { id, secret } = await createKey(stack);
    expect((await postGraphQL(stack.gatewayUrl, QUERY, asKey(secret))).status).toBe(200);
    const { body } = await postGraphQL(
      stack.gatewayUrl,
      `mutation { rotateApiKey(id: "${id}", gracePeriodSeconds: 0) { secret } }`,
    );
    const rotated = (body.data as { rotateApiKey: { secret: string } }).rotateApiKey.secret;
    expect((await postGraphQL(stack.gatewayUrl, QUERY, asKey(secret))).status).toBe(401);
    expect((await postGraphQL(stack.gatewayUrl, QUERY, asKey(rotated))).status).toBe(200);
  });
});

// Two systems on one PostgreSQL: keys are revoked through `writer`; `reader` is another gateway
// with its own keys service, which can learn of the revocation only from Redis (or its cache TTL).
describe("separate gateways on PostgreSQL + Redis", () => {
  let postgres: IsolatedPostgres;
  let writer: RunningStack;
  beforeAll(async () => {
    postgres = await createIsolatedPostgres();
    writer = await startTestStack({ REDIS_URL: TEST_REDIS_URL }, postgres.db);
  });
  afterAll(async () => {
    await writer?.close();
    await postgres?.drop();
  });

  async function cachedKeyOn(reader: RunningStack): Promise<{ id: string; secret: string }> {
    const key = await createKey(writer);
    expect((await postGraphQL(reader.gatewayUrl, QUERY, asKey(key.secret))).status).toBe(200);
    return key;
  }

  it("Redis up: the announcement reaches the other gateway within a second", async () => {
    const reader = await startTestStack({ REDIS_URL: TEST_REDIS_URL }, postgres.db);
    try {
      const { id, secret } = await cachedKeyOn(reader);
      await revoke(writer, id);
      const ms = await msUntilStatus(() => postGraphQL(reader.gatewayUrl, QUERY, asKey(secret)), 401, 5_000);
      report("Redis announcement", ms);
      expect(ms).toBeLessThan(ANNOUNCED_WITHIN_MS);
    } finally {
      await reader.close();
    }
  });

  describe("Redis down for the reader: cached keys are trusted for the unannounced TTL at most", () => {
    let proxy: TcpProxy;
    let reader: RunningStack;
    beforeAll(async () => {
      proxy = await startTcpProxy(TEST_REDIS_URL);
      reader = await startTestStack({ REDIS_URL: proxy.url }, postgres.db);
    });
    afterAll(async () => {
      await reader?.close();
      await proxy?.dispose();
    });

    it("connection cut: keeps serving valid keys (not fail-closed), refuses a revoked one within the TTL", async () => {
      const { id, secret } = await cachedKeyOn(reader);
      await proxy.close();
      const fresh = await createKey(writer);
      expect((await postGraphQL(reader.gatewayUrl, QUERY, asKey(fresh.secret))).status).toBe(200);
      expect((await postGraphQL(reader.gatewayUrl, QUERY, asKey(secret))).status).toBe(200);
      await revoke(writer, id);
      const ms = await msUntilStatus(() => postGraphQL(reader.gatewayUrl, QUERY, asKey(secret)), 401, 10_000);
      report("Redis connection cut", ms);
      expect(ms).toBeLessThanOrEqual(UNANNOUNCED_TTL_MS + 500);
      await proxy.reopen();
    });

    it("connection silent (no FIN, no reply): the heartbeat notices, and the same bound holds", async () => {
      const { id, secret } = await cachedKeyOn(reader);
      proxy.stall();
      try {
        await revoke(writer, id);
        const ms = await msUntilStatus(() => postGraphQL(reader.gatewayUrl, QUERY, asKey(secret)), 401, 10_000);
        report("Redis connection silent", ms);
        expect(ms).toBeLessThanOrEqual(UNANNOUNCED_TTL_MS + 500);
      } finally {
        proxy.resume();
      }
    });
  });
});
