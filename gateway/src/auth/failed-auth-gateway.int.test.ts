import { randomUUID } from "node:crypto";
import { generateApiKeySecret, openRedis, type Redis } from "@pokewatch/kit";
import { TEST_REDIS_URL, TEST_SECRET, silentLogger, startTcpProxy } from "@pokewatch/kit/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp } from "../gateway-app.js";
import { WHOAMI_QUERY, startIdentityProbe, type IdentityProbe } from "./testing/identity-probe.js";
import { startKeysService, type TestKeysService } from "./testing/keys-service.js";

// Gateway replicas on the machine's Redis, behind a proxy on loopback (TRUST_PROXY=loopback): the
// client is the address X-Forwarded-For names. Each test counts under a prefix of its own.
const LIMIT = 4;
let probe: IdentityProbe;
let keys: TestKeysService;
let admin: Redis;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  probe = await startIdentityProbe(TEST_SECRET, silentLogger());
  keys = await startKeysService(TEST_SECRET);
  admin = (await openRedis(TEST_REDIS_URL, silentLogger()))!;
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  admin?.disconnect();
  await probe?.close();
  await keys?.close();
});

function uniquePrefix(): string {
  const prefix = `pokewatch_test:auth-failures:${randomUUID()}:`;
  cleanups.push(async () => {
    const stored = await admin.keys(`${prefix}*`);
    if (stored.length) await admin.del(...stored);
  });
  return prefix;
}

async function replica(keyPrefix: string, redisUrl = TEST_REDIS_URL): Promise<FastifyInstance> {
  const redis = (await openRedis(redisUrl, silentLogger()))!;
  const app = await createGatewayApp({
    supergraphSdl: probe.supergraphSdl,
    secret: TEST_SECRET,
    logger: silentLogger(),
    subgraphUrls: { probe: probe.url },
    trustProxy: "loopback",
    // A generous Redis bound, so a loaded machine never makes a replica count on its own.
    auth: {
      enabled: true,
      keysUrl: keys.url,
      redis,
      failedAuth: { perMinute: LIMIT, keyPrefix, redisTimeoutMs: 2_000 },
    },
  });
  cleanups.push(async () => {
    await app.close();
    redis.disconnect();
  });
  return app;
}

async function askFrom(app: FastifyInstance, client: string) {
  const response = await app.inject({
    method: "POST",
    url: "/graphql",
    remoteAddress: "127.0.0.1",
    headers: { "content-type": "application/json", "x-api-key": generateApiKeySecret(), "x-forwarded-for": client },
    payload: { query: WHOAMI_QUERY },
  });
  return { status: response.statusCode, retryAfter: response.headers["retry-after"] };
}

describe("failed-auth throttle on Redis", () => {
  it("counts an address' failures across replicas, and refuses it on every replica once over", async () => {
    const prefix = uniquePrefix();
    const [a, b] = [await replica(prefix), await replica(prefix)];
    for (let i = 0; i < LIMIT; i += 1) expect((await askFrom(i % 2 === 0 ? a : b, "198.51.100.7")).status).toBe(401);
    expect(await askFrom(a, "198.51.100.7")).toEqual({ status: 429, retryAfter: String(60 / LIMIT) });
    expect(await askFrom(b, "198.51.100.7")).toEqual({ status: 429, retryAfter: String(60 / LIMIT) });
    // Another client behind the same proxy is counted apart, on both replicas.
    expect((await askFrom(a, "198.51.100.8")).status).toBe(401);
    expect((await askFrom(b, "198.51.100.8")).status).toBe(401);
    expect(await admin.exists(`${prefix}198.51.100.7`)).toBe(1);
  });

  it("keeps throttling from in-process buckets while Redis is down", async () => {
    const proxy = await startTcpProxy(TEST_REDIS_URL);
    cleanups.push(() => proxy.dispose());
    const app = await replica(uniquePrefix(), proxy.url);
    await proxy.close();
    for (let i = 0; i < LIMIT; i += 1) expect((await askFrom(app, "198.51.100.9")).status).toBe(401);
    expect((await askFrom(app, "198.51.100.9")).status).toBe(429);
  });
});
