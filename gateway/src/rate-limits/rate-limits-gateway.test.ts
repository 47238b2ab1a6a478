import { createHash } from "node:crypto";
import { TEST_SECRET, silentLogger } from "@pokewatch/kit/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startKeysService, type TestKeysService } from "../auth/testing/keys-service.js";
import { createGatewayApp } from "../gateway-app.js";
import { startLimitsProbe, type LimitsProbe } from "./testing/limits-probe.js";

let probe: LimitsProbe;
let keys: TestKeysService;
const opened: FastifyInstance[] = [];

beforeAll(async () => {
  probe = await startLimitsProbe(TEST_SECRET, silentLogger());
  keys = await startKeysService(TEST_SECRET);
});
afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
});
afterAll(async () => {
  await probe?.close();
  await keys?.close();
});

/** A gateway over the probe, auth on against the real keys service, limits in process. */
async function gatewayWith({ burst = 2, clock }: { burst?: number; clock?: () => number } = {}) {
  const app = await createGatewayApp({
    supergraphSdl: probe.supergraphSdl,
    secret: TEST_SECRET,
    logger: silentLogger(),
    subgraphUrls: { probe: probe.url },
    auth: { enabled: true, keysUrl: keys.url },
    rateLimits: { burst, ...(clock && { clock }) },
  });
  opened.push(app);
  return app;
}

async function keyWith(rateLimitPerMinute: number): Promise<string> {
  return (await keys.store.create({ name: "limits test", scopes: ["prices:read"], rateLimitPerMinute })).secret;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

async function ask(app: FastifyInstance, key: string, payload: unknown): Promise<Answer> {
  const response = await app.inject({
    method: "POST",
    url: "/graphql",
    headers: { "content-type": "application/json", "x-api-key": key },
    payload: payload as Record<string, unknown>,
  });
  return { status: response.statusCode, headers: response.headers, body: response.json() };
}

const query = (app: FastifyInstance, key: string, text: string, variables?: Record<string, unknown>) =>
  ask(app, key, { query: text, variables });

describe("rate limits at the gateway: the key's quota", () => {
  it("sends X-RateLimit-* and the IETF RateLimit headers on every response", async () => {
    const now = 1_800_000_000_000;
    const app = await gatewayWith({ clock: () => now });
    const key = await keyWith(60);
    const { status, headers, body } = await query(app, key, "{ whoami { keyId quotaRemaining } }");
    expect(status).toBe(200);
    expect(headers["x-ratelimit-limit"]).toBe("62");
    expect(headers["x-ratelimit-remaining"]).toBe("61");
    expect(Number(headers["x-ratelimit-reset"])).toBe(Math.ceil((now + 1000) / 1000));
    // 62 points, refilled in 62 s at 60 a minute.
    expect(headers["ratelimit-policy"]).toBe('"key";q=62;w=62');
    expect(headers.ratelimit).toBe('"key";r=61;t=1');
    // The subgraphs get the same numbers in the signed identity (viewer.quota).
    expect(body.data?.whoami).toMatchObject({ quotaRemaining: 61 });

    const invalid = await query(app, key, "{ nope }");
    expect(invalid.status).toBe(400);
    expect(invalid.headers["x-ratelimit-remaining"]).toBe("61");
  });

  it("answers 429 RATE_LIMITED with Retry-After once the bucket is empty, calling no subgraph, and refills", async () => {
    let now = 1_800_000_000_000;
    const app = await gatewayWith({ clock: () => now });
    const key = await keyWith(1);
    for (let i = 0; i < 3; i += 1) expect((await query(app, key, "{ whoami { keyId } }")).status).toBe(200);
    const before = probe.calls();
    const refused = await query(app, key, "{ whoami { keyId } }");
    expect(refused.status).toBe(429);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors).toEqual([
      {
        message: expect.stringMatching(/quota of 1 points a minute is used up.*retry in 60 s/) as string,
        extensions: { code: "RATE_LIMITED", retryAfter: 60, requestId: expect.any(String) as string },
      },
    ]);
    expect(refused.headers["retry-after"]).toBe("60");
    expect(refused.headers["x-ratelimit-remaining"]).toBe("0");
    expect(probe.calls()).toBe(before);

    now += 60_000;
    expect((await query(app, key, "{ whoami { keyId } }")).status).toBe(200);
  });

  it("charges a @listCost field one point per list item, so a batch cannot dodge the quota", async () => {
    const app = await gatewayWith({ clock: () => 1_800_000_000_000 });
    const key = await keyWith(100);
    const ids = Array.from({ length: 40 }, (_, i) => i);
    const first = await query(app, key, "query ($ids: [Int!]!) { items(ids: $ids) }", { ids });
    expect(first.status).toBe(200);
    expect(first.headers["x-ratelimit-remaining"]).toBe(String(102 - 40));
    // Two aliased batches in one operation: 60 + 5 = 65 points, more than the 62 left.
    const before = probe.calls();
    const both = await query(
      app,
      key,
      `{ a: items(ids: [${ids.concat(ids.slice(0, 20)).join(",")}]) b: items(ids: [1,2,3,4,5]) }`,
    );
    expect(both.status).toBe(429);
    expect(probe.calls()).toBe(before);
    expect(both.headers["x-ratelimit-remaining"]).toBe("62");
  });

  it("multiplies nested list costs, prices merged selections once, and reads Int sizes such as first", async () => {
    const app = await gatewayWith({ clock: () => 1_800_000_000_000 });
    const key = await keyWith(1000);
    // 4 pages (4 points) × 3 ids on each page (12 points).
    const nested = await query(app, key, "{ pages(first: 4) { items(ids: [1, 2, 3]) } }");
    expect(nested.status).toBe(200);
    expect(nested.headers["x-ratelimit-remaining"]).toBe(String(1002 - 16));
    // The default of `first` (10) counts when it is left out.
    await query(app, key, "{ pages { number } }");
    // The same selection twice runs once, and is charged once.
    const ids = Array.from({ length: 100 }, (_, i) => i);
    const merged = await query(app, key, "query ($ids: [Int!]!) { items(ids: $ids) items(ids: $ids) }", { ids });
    expect(merged.status).toBe(200);
    expect(merged.headers["x-ratelimit-remaining"]).toBe(String(1002 - 16 - 10 - 100));
  });

  it("never answers 500 when an argument cannot be coerced: the operation fails as it would without limits", async () => {
    const key = await keyWith(1000);
    const text = "query ($ids: [Int!] = [1]) { items(ids: $ids) }";
    const limited = await query(await gatewayWith(), key, text, { ids: null });
    const unlimited = await createGatewayApp({
      supergraphSdl: probe.supergraphSdl,
      secret: TEST_SECRET,
      logger: silentLogger(),
      subgraphUrls: { probe: probe.url },
      auth: { enabled: true, keysUrl: keys.url },
      rateLimits: { enabled: false },
    });
    opened.push(unlimited);
    const plain = await query(unlimited, key, text, { ids: null });
    expect(limited.status).toBe(200);
    expect({ status: limited.status, data: limited.body.data }).toEqual({
      status: plain.status,
      data: plain.body.data,
    });
    expect(limited.headers["x-ratelimit-remaining"]).toBe("1001");
  });

  it("gives an operation's points back when its subgraph does not answer", async () => {
    const clock = () => 1_800_000_000_000;
    const down = await createGatewayApp({
      supergraphSdl: probe.supergraphSdl,
      secret: TEST_SECRET,
      logger: silentLogger(),
      // Nothing listens on port 9 (discard) here: the fetch fails at once.
      subgraphUrls: { probe: "http://127.0.0.1:9/graphql" },
      auth: { enabled: true, keysUrl: keys.url },
      rateLimits: { burst: 2, clock },
    });
    opened.push(down);
    const key = await keyWith(1000);
    const failed = await query(down, key, "{ items(ids: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) }");
    expect(failed.body.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", serviceName: "probe" });
    expect(failed.headers["x-ratelimit-remaining"]).toBe("1002");
    const served = await query(await gatewayWith({ clock }), key, "{ items(ids: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) }");
    expect(served.status).toBe(200);
    expect(served.headers["x-ratelimit-remaining"]).toBe("992");
  });

  it("refuses an operation that costs more than the bucket can ever hold with 400 BAD_USER_INPUT", async () => {
    const app = await gatewayWith();
    const key = await keyWith(5);
    const ids = Array.from({ length: 10 }, (_, i) => i);
    const { status, body } = await query(app, key, "query ($ids: [Int!]!) { items(ids: $ids) }", { ids });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toEqual({
      code: "BAD_USER_INPUT",
      cost: 10,
      limit: 7,
      requestId: expect.any(String) as string,
    });
    expect(body.errors?.[0]?.message).toMatch(/Split it into smaller batches/);
  });
});

describe("rate limits at the gateway: @rateLimit fields", () => {
  it("counts each selection, through fragments and aliases, not what @skip leaves out", async () => {
    const app = await gatewayWith();
    const key = await keyWith(1000);
    const skipped = await query(app, key, "{ whoami { keyId } limited @skip(if: true) }");
    expect(skipped.status).toBe(200);
    const twice = await query(app, key, "{ a: limited ...F } fragment F on Query { b: limited }");
    expect(twice.status).toBe(200);
    const before = probe.calls();
    const third = await query(app, key, "{ ... on Query { limited } }");
    expect(third.status).toBe(429);
    expect(third.headers["retry-after"]).toMatch(/^\d+$/);
    expect(third.body.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", field: "Query.limited" });
    expect(Number(third.body.errors?.[0]?.extensions?.retryAfter)).toBeGreaterThan(0);
    expect(third.body.errors?.[0]?.message).toMatch(/^Query\.limited allows 2 calls per 60 s for each key/);
    expect(probe.calls()).toBe(before);
  });

  it("counts a selection GraphQL merges once", async () => {
    const app = await gatewayWith();
    const key = await keyWith(1000);
    expect((await query(app, key, "{ limited limited ...F } fragment F on Query { limited }")).status).toBe(200);
    expect((await query(app, key, "{ limited }")).status).toBe(200);
    expect((await query(app, key, "{ limited }")).status).toBe(429);
  });

  it("gives back the points a refused operation took", async () => {
    const app = await gatewayWith({ clock: () => 1_800_000_000_000 });
    const key = await keyWith(1000);
    // Three selections against a limit of two: refused; the two field points and the quota point
    // taken are returned.
    const before = (await query(app, key, "{ whoami { keyId } }")).headers["x-ratelimit-remaining"];
    const refused = await query(app, key, "{ a: limited b: limited c: limited }");
    expect(refused.status).toBe(429);
    expect(refused.headers["x-ratelimit-remaining"]).toBe(before);
    // 999 of the 1,001 points left, then an operation of 5 the quota refuses: the `limited` point
    // it took meanwhile is returned too.
    const ids = Array.from({ length: 999 }, (_, i) => i);
    expect((await query(app, key, "query ($ids: [Int!]!) { items(ids: $ids) }", { ids })).status).toBe(200);
    const overQuota = await query(app, key, "query ($ids: [Int!]!) { limited items(ids: $ids) }", {
      ids: ids.slice(0, 5),
    });
    expect(overQuota.status).toBe(429);
    expect(overQuota.body.errors?.[0]?.extensions?.field).toBeUndefined();
    expect((await query(app, key, "{ a: limited b: limited }")).status).toBe(200);
  });

  it("tells the subgraphs the fields were counted, so they never count them again", async () => {
    const app = await gatewayWith();
    const { body } = await query(app, await keyWith(1000), "{ whoami { fieldLimitsCounted } }");
    expect(body.data?.whoami).toEqual({ fieldLimitsCounted: true });
  });
});

describe("rate limits at the gateway: no way around them", () => {
  it("counts automatic persisted queries like any other operation", async () => {
    const app = await gatewayWith();
    const key = await keyWith(1000);
    const text = "{ limited }";
    const sha256Hash = createHash("sha256").update(text).digest("hex");
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    expect((await ask(app, key, { query: text, extensions })).status).toBe(200);
    expect((await ask(app, key, { extensions })).status).toBe(200);
    const before = probe.calls();
    const third = await ask(app, key, { extensions });
    expect(third.status).toBe(429);
    expect(probe.calls()).toBe(before);
  });

  it("refuses batched HTTP requests outright, so a batch cannot carry extra operations", async () => {
    const app = await gatewayWith();
    const key = await keyWith(1000);
    const before = probe.calls();
    const response = await app.inject({
      method: "POST",
      url: "/graphql",
      headers: { "content-type": "application/json", "x-api-key": key },
      payload: JSON.stringify([{ query: "{ limited }" }, { query: "{ limited }" }, { query: "{ limited }" }]),
    });
    expect(response.statusCode).toBe(400);
    expect(probe.calls()).toBe(before);
  });
});

describe("rate limits at the gateway: switched off", () => {
  it("limits nothing and sends no quota headers", async () => {
    const app = await createGatewayApp({
      supergraphSdl: probe.supergraphSdl,
      secret: TEST_SECRET,
      logger: silentLogger(),
      subgraphUrls: { probe: probe.url },
      auth: { enabled: true, keysUrl: keys.url },
      rateLimits: { enabled: false },
    });
    opened.push(app);
    const key = await keyWith(1);
    for (let i = 0; i < 5; i += 1) {
      const { status, headers } = await query(app, key, "{ limited }");
      expect(status).toBe(200);
      expect(headers["x-ratelimit-limit"]).toBeUndefined();
    }
  });
});
