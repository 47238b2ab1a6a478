import { generateApiKeySecret, renderMetrics } from "@pokewatch/kit";
import { TEST_SECRET, silentLogger } from "@pokewatch/kit/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp } from "../gateway-app.js";
import type { TrustProxy } from "../http/trust-proxy.js";
import type { GatewayAuthOptions } from "./gateway-auth.js";
import { WHOAMI_QUERY, startIdentityProbe, type IdentityProbe } from "./testing/identity-probe.js";
import { startKeysService, type TestKeysService } from "./testing/keys-service.js";

// The failed-auth throttle through the gateway, with in-process buckets (no Redis): each gateway
// built here counts on its own. The Redis-shared count is in failed-auth-gateway.int.test.ts.
let probe: IdentityProbe;
let keys: TestKeysService;
const opened: FastifyInstance[] = [];

beforeAll(async () => {
  probe = await startIdentityProbe(TEST_SECRET, silentLogger());
  keys = await startKeysService(TEST_SECRET);
});
afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
});
afterAll(async () => {
  await probe?.close();
  await keys?.close();
});

const LIMIT = 5;

async function gateway({
  trustProxy,
  ...auth
}: Partial<GatewayAuthOptions> & { trustProxy?: TrustProxy } = {}): Promise<FastifyInstance> {
  const app = await createGatewayApp({
    supergraphSdl: probe.supergraphSdl,
    secret: TEST_SECRET,
    logger: silentLogger(),
    subgraphUrls: { probe: probe.url },
    auth: { enabled: true, keysUrl: keys.url, failedAuth: { perMinute: LIMIT }, ...auth },
    ...(trustProxy !== undefined && { trustProxy }),
  });
  opened.push(app);
  return app;
}

async function ask(app: FastifyInstance, headers: Record<string, string> = {}, remoteAddress = "203.0.113.10") {
  const response = await app.inject({
    method: "POST",
    url: "/graphql",
    remoteAddress,
    headers: { "content-type": "application/json", ...headers },
    payload: { query: WHOAMI_QUERY },
  });
  const body = response.json<{ errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>();
  return { status: response.statusCode, headers: response.headers, body };
}

const forged = () => ({ "x-api-key": generateApiKeySecret() });

async function validKey(): Promise<Record<string, string>> {
  const { secret } = await keys.store.create({ name: "throttle test", scopes: ["prices:read"] });
  return { "x-api-key": secret };
}

async function fail(app: FastifyInstance, times: number, remoteAddress?: string, headers = forged) {
  for (let i = 0; i < times; i += 1) expect((await ask(app, headers(), remoteAddress)).status).toBe(401);
}

describe("failed-auth throttle at the gateway", () => {
  it("answers 429 RATE_LIMITED with Retry-After once an address has failed its limit, before any key lookup", async () => {
    const app = await gateway();
    await fail(app, LIMIT);
    const lookups = keys.calls.verify;
    const refused = await ask(app, forged());
    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toBe(String(60 / LIMIT));
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: "RATE_LIMITED", retryAfter: 60 / LIMIT });
    expect(refused.body.errors?.[0]?.message).toMatch(/Too many failed authentications from this address/);
    expect(keys.calls.verify).toBe(lookups);
    // What the metrics listener (METRICS_PORT) serves for this app.
    expect(await renderMetrics([app])).toMatch(/pokewatch_rate_limited_total\{limit="auth-failures"\} 1/);
  });

  it("counts every kind of failure: missing, malformed, unknown and revoked keys", async () => {
    const app = await gateway();
    const { record, secret } = await keys.store.create({ name: "revoked", scopes: ["prices:read"] });
    await keys.store.revoke(record.id);
    expect((await ask(app, {})).status).toBe(401);
    expect((await ask(app, { "x-api-key": "pw_live_short" })).status).toBe(401);
    expect((await ask(app, { authorization: "Basic dXNlcjpwYXNz" })).status).toBe(401);
    expect((await ask(app, forged())).status).toBe(401);
    expect((await ask(app, { "x-api-key": secret })).status).toBe(401);
    expect((await ask(app, {})).status).toBe(429);
  });

  it("does not count valid keys, cached or not", async () => {
    const app = await gateway();
    for (let i = 0; i < LIMIT * 2; i += 1) expect((await ask(app, await validKey())).status).toBe(200);
    await fail(app, LIMIT);
    expect((await ask(app, forged())).status).toBe(429);
  });

  it("keeps serving keys already verified while the address is throttled; a new valid key waits like the rest", async () => {
    const app = await gateway({ cacheTtlMs: 30_000 });
    const known = await validKey();
    expect((await ask(app, known)).status).toBe(200);
    await fail(app, LIMIT);
    expect((await ask(app, forged())).status).toBe(429);
    expect((await ask(app, known)).status).toBe(200);
    expect((await ask(app, await validKey())).status).toBe(429);
  });

  it("lets a key verified before through to be checked again when its cached trust has lapsed", async () => {
    const clock = { at: Date.now(), now: () => clock.at };
    const app = await gateway({ cacheTtlMs: 30_000, unannouncedTtlMs: 2_000, clock });
    const known = await validKey();
    expect((await ask(app, known)).status).toBe(200);
    await fail(app, LIMIT);
    clock.at += 2_000;
    const lookups = keys.calls.verify;
    expect((await ask(app, known)).status).toBe(200);
    expect(keys.calls.verify).toBe(lookups + 1);
  });

  it("counts per client address: another address is not throttled", async () => {
    const app = await gateway();
    await fail(app, LIMIT, "203.0.113.20");
    expect((await ask(app, forged(), "203.0.113.20")).status).toBe(429);
    expect((await ask(app, forged(), "203.0.113.21")).status).toBe(401);
    // One IPv6 host holds a /64: its addresses share one bucket.
    await fail(app, LIMIT, "2001:db8:5:6::1");
    expect((await ask(app, forged(), "2001:db8:5:6::ffff")).status).toBe(429);
    expect((await ask(app, forged(), "2001:db8:5:7::1")).status).toBe(401);
  });

  it("ignores X-Forwarded-For without TRUST_PROXY: a client cannot pick a fresh bucket per request", async () => {
    const app = await gateway();
    for (let i = 0; i < LIMIT; i += 1) {
      expect((await ask(app, { ...forged(), "x-forwarded-for": `198.51.100.${i}` }, "203.0.113.30")).status).toBe(401);
    }
    const refused = await ask(app, { ...forged(), "x-forwarded-for": "198.51.100.99" }, "203.0.113.30");
    expect(refused.status).toBe(429);
  });

  it("with TRUST_PROXY naming the proxy, counts the address X-Forwarded-For gives, and only from that proxy", async () => {
    const app = await gateway({ trustProxy: "10.0.0.0/8" });
    const viaProxy = (client: string) => ({ ...forged(), "x-forwarded-for": client });
    await fail(app, LIMIT, "10.1.2.3", () => viaProxy("198.51.100.1"));
    expect((await ask(app, viaProxy("198.51.100.1"), "10.1.2.3")).status).toBe(429);
    // Another client behind the same proxy has a bucket of its own.
    expect((await ask(app, viaProxy("198.51.100.2"), "10.1.2.3")).status).toBe(401);
    // A peer that is not the proxy cannot claim another client's address: its own bucket counts.
    await fail(app, LIMIT, "203.0.113.40", () => viaProxy("198.51.100.3"));
    expect((await ask(app, viaProxy("198.51.100.4"), "203.0.113.40")).status).toBe(429);
  });

  it("gives the point back when the keys service cannot answer (not the client's failure)", async () => {
    const app = await gateway({ keysUrl: "http://127.0.0.1:1" });
    for (let i = 0; i < LIMIT * 2; i += 1) expect((await ask(app, forged())).status).toBe(503);
  });
});
