import { API_KEY_SCOPES, createLocalKeyChanges, generateApiKeySecret } from "@pokewatch/kit";
import { TEST_SECRET, capturingLogger, silentLogger } from "@pokewatch/kit/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp } from "../gateway-app.js";
import type { GatewayAuthOptions } from "./gateway-auth.js";
import { WHOAMI_QUERY, startIdentityProbe, type IdentityProbe } from "./testing/identity-probe.js";
import { startKeysService, type TestKeysService } from "./testing/keys-service.js";

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

async function gatewayWith(auth: Partial<GatewayAuthOptions> = {}, logger = silentLogger()) {
  const app = await createGatewayApp({
    supergraphSdl: probe.supergraphSdl,
    secret: TEST_SECRET,
    logger,
    subgraphUrls: { probe: probe.url },
    auth: { enabled: true, keysUrl: keys.url, ...auth },
  });
  opened.push(app);
  return app;
}

async function ask(app: FastifyInstance, headers: Record<string, string> = {}) {
  const response = await app.inject({
    method: "POST",
    url: "/graphql",
    headers: { "content-type": "application/json", ...headers },
    payload: { query: WHOAMI_QUERY },
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: response.json<{
      data?: { whoami: Record<string, unknown> } | null;
      errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    }>(),
  };
}

/** A stored key: its id and secret. */
async function addKey(input: { scopes?: string[]; rateLimitPerMinute?: number } = {}) {
  const { record, secret } = await keys.store.create({ name: "gateway test", scopes: ["prices:read"], ...input });
  return { id: record.id, secret };
}

function counts() {
  return { verify: keys.calls.verify, subgraph: probe.calls() };
}

describe("gateway auth: accepted keys", () => {
  it("accepts x-api-key and signs keyId, scopes and rateLimitPerMinute onto the subgraph call", async () => {
    const { id, secret } = await addKey({ scopes: ["prices:read"], rateLimitPerMinute: 120 });
    const { status, body } = await ask(await gatewayWith(), { "x-api-key": secret });
    expect(status).toBe(200);
    expect(body.data?.whoami).toEqual({
      keyId: id,
      scopes: ["prices:read"],
      rateLimitPerMinute: 120,
      plan: null,
    });
    expect(keys.calls.refusedSignatures).toBe(0);
  });

  it("accepts Authorization: Bearer", async () => {
    const { id, secret } = await addKey();
    const { body } = await ask(await gatewayWith(), { authorization: `Bearer ${secret}` });
    expect(body.data?.whoami).toMatchObject({ keyId: id });
  });

  it("answers a repeated key from its cache, without asking the keys service again", async () => {
    const { id, secret } = await addKey();
    const app = await gatewayWith();
    await ask(app, { "x-api-key": secret });
    const before = keys.calls.verify;
    const { body } = await ask(app, { "x-api-key": secret });
    expect(body.data?.whoami).toMatchObject({ keyId: id });
    expect(keys.calls.verify).toBe(before);
  });

  it("without Redis, trusts a cached key for the unannounced TTL only, so an unannounced revocation ends there", async () => {
    const clock = { at: Date.now(), now: () => clock.at };
    const { id, secret } = await addKey();
    const app = await gatewayWith({ cacheTtlMs: 30_000, unannouncedTtlMs: 2_000, clock });
    expect((await ask(app, { "x-api-key": secret })).status).toBe(200);
    await keys.store.revoke(id);
    expect((await ask(app, { "x-api-key": secret })).status).toBe(200);
    clock.at += 2_000;
    const refused = await ask(app, { "x-api-key": secret });
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.message).toBe("The API key is unknown, expired or revoked");
  });

  it("drops a key announced by a keys service in the same process at once, before any TTL", async () => {
    const clock = { at: Date.now(), now: () => clock.at };
    const localKeyChanges = createLocalKeyChanges();
    const { id, secret } = await addKey();
    const app = await gatewayWith({ cacheTtlMs: 30_000, unannouncedTtlMs: 2_000, clock, localKeyChanges });
    expect((await ask(app, { "x-api-key": secret })).status).toBe(200);
    await keys.store.revoke(id);
    localKeyChanges.announce(id);
    expect((await ask(app, { "x-api-key": secret })).status).toBe(401);
  });

  it("reports usage in one POST for many requests, on the flush, and the key's lastUsedAt is kept", async () => {
    const { id, secret } = await addKey();
    const app = await gatewayWith({ usageFlushIntervalMs: 60_000 });
    const before = keys.calls.usage;
    const started = Date.now();
    for (let i = 0; i < 10; i += 1) await ask(app, { "x-api-key": secret });
    expect(keys.calls.usage).toBe(before);
    expect((await keys.store.findById(id))?.lastUsedAt).toBeNull();
    await app.close();
    expect(keys.calls.usage).toBe(before + 1);
    const lastUsedAt = (await keys.store.findById(id))?.lastUsedAt;
    expect(lastUsedAt?.getTime()).toBeGreaterThanOrEqual(started - 1000);
  });
});

describe("gateway auth: refused requests", () => {
  it("answers a request without a key 401 UNAUTHENTICATED with a WWW-Authenticate challenge, calling nothing", async () => {
    const app = await gatewayWith();
    const before = counts();
    const { status, headers, body } = await ask(app);
    expect(status).toBe(401);
    expect(headers["www-authenticate"]).toBe('Bearer realm="pokewatch"');
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    expect(body.errors?.[0]?.message).toMatch(/x-api-key/);
    expect(counts()).toEqual(before);
  });

  it("refuses malformed keys without asking the keys service, and never echoes them", async () => {
    const app = await gatewayWith();
    const well = generateApiKeySecret();
    const badChecksum = `${well.slice(0, -1)}${well.endsWith("0") ? "1" : "0"}`;
    const cases: Record<string, string>[] = [
      { "x-api-key": "pw_live_short" },
      { "x-api-key": badChecksum },
      { authorization: "Basic dXNlcjpwYXNz" },
      { "x-api-key": well, authorization: `Bearer ${generateApiKeySecret()}` },
    ];
    const before = counts();
    for (const headers of cases) {
      const { status, headers: answered, body } = await ask(app, headers);
      expect(status).toBe(401);
      expect(answered["www-authenticate"]).toBe('Bearer realm="pokewatch", error="invalid_token"');
      expect(body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      expect(JSON.stringify(body)).not.toContain(Object.values(headers)[0]!.replace(/^(Bearer|Basic) /, ""));
    }
    expect(counts()).toEqual(before);
  });

  it("refuses an unknown key 401, asking the keys service once", async () => {
    const app = await gatewayWith();
    const unknown = generateApiKeySecret();
    const before = counts();
    for (let i = 0; i < 3; i += 1) {
      const { status, headers, body } = await ask(app, { "x-api-key": unknown });
      expect(status).toBe(401);
      expect(headers["www-authenticate"]).toContain('error="invalid_token"');
      expect(JSON.stringify(body)).not.toContain(unknown);
    }
    expect(counts()).toEqual({ ...before, verify: before.verify + 1 });
  });

  it("refuses a revoked key", async () => {
    const { id, secret } = await addKey();
    await keys.store.revoke(id);
    expect((await ask(await gatewayWith(), { "x-api-key": secret })).status).toBe(401);
  });

  it("answers 503 SERVICE_UNAVAILABLE, never 500 nor a pass, when the keys service is down", async () => {
    const app = await gatewayWith({ keysUrl: "http://127.0.0.1:1" });
    const before = probe.calls();
    const { status, body } = await ask(app, { "x-api-key": generateApiKeySecret() });
    expect(status).toBe(503);
    expect(body.errors?.[0]?.extensions).toEqual({ code: "SERVICE_UNAVAILABLE", serviceName: "keys" });
    expect(JSON.stringify(body)).not.toContain("127.0.0.1");
    expect(probe.calls()).toBe(before);
  });
});

describe("gateway auth: signing", () => {
  it("answers 503 when the keys service refuses the gateway's signature (a SUBGRAPH_SECRET mismatch)", async () => {
    const app = await createGatewayApp({
      supergraphSdl: probe.supergraphSdl,
      secret: "another-secret-of-at-least-32-characters",
      logger: silentLogger(),
      subgraphUrls: { probe: probe.url },
      auth: { enabled: true, keysUrl: keys.url },
    });
    opened.push(app);
    const before = keys.calls.refusedSignatures;
    const { status, body } = await ask(app, { "x-api-key": (await addKey()).secret });
    expect(status).toBe(503);
    expect(body.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect(keys.calls.refusedSignatures).toBe(before + 1);
  });
});

describe("gateway auth: off and logs", () => {
  it("with auth off, every caller is anonymous with every scope", async () => {
    const { body } = await ask(await gatewayWith({ enabled: false }));
    expect(body.data?.whoami).toEqual({
      keyId: null,
      scopes: [...API_KEY_SCOPES],
      rateLimitPerMinute: null,
      plan: null,
    });
  });

  it("refuses to start with auth off in production", async () => {
    await expect(
      createGatewayApp({
        supergraphSdl: probe.supergraphSdl,
        secret: TEST_SECRET,
        logger: silentLogger(),
        subgraphUrls: { probe: probe.url },
        nodeEnv: "production",
        auth: { enabled: false },
      }),
    ).rejects.toThrow(/AUTH_ENABLED=false is refused with NODE_ENV=production/);
  });

  it("with auth off, logs a loud warning when the gateway is built", async () => {
    const { logger, lines } = capturingLogger("gateway");
    await gatewayWith({ enabled: false }, logger);
    const warning = lines().find((line) => line.includes("AUTH_ENABLED=false"));
    expect(warning && (JSON.parse(warning) as { level: unknown }).level).toBe(40);
  });

  it("never writes a presented secret to the log", async () => {
    const { logger, lines } = capturingLogger("gateway");
    const { secret } = await addKey();
    const app = await gatewayWith({}, logger);
    app.addHook("onRequest", (request, _reply, done) => {
      request.log.info({ req: { headers: request.headers }, headers: request.headers }, "request headers");
      done();
    });
    await ask(app, { "x-api-key": secret });
    await ask(app, { authorization: `Bearer ${secret}` });
    await ask(app, { "x-api-key": `${secret}x` });
    const log = lines().join("\n");
    expect(log).toMatch(/request headers/);
    expect(log).not.toContain(secret.slice(8));
  });
});
