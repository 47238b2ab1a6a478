import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgliteDatabase, type Database } from "@pokewatch/kit";
import { TEST_REDIS_URL, createIsolatedPostgres } from "@pokewatch/kit/testing";
import { createPriceStore, loadBundledCatalog } from "@pokewatch/market";
import { createModelRegistry } from "@pokewatch/model";
import { fixedRatioModelVersion, syntheticSeries } from "@pokewatch/model/testing";
import type { RunningStack } from "@pokewatch/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, startTestStack, TEST_ADMIN_KEY } from "./stack-fixture.js";

interface Mode {
  name: string;
  open: () => Promise<{ db: Database; env: Record<string, string>; close: () => Promise<void> }>;
}

const MODES: Mode[] = [
  {
    name: "one process on embedded defaults (PGlite, no Redis)",
    async open() {
      const db = await createPgliteDatabase();
      return { db, env: {}, close: () => db.close() };
    },
  },
  {
    name: "PostgreSQL and Redis",
    async open() {
      const postgres = await createIsolatedPostgres();
      return { db: postgres.db, env: { REDIS_URL: TEST_REDIS_URL }, close: () => postgres.drop() };
    },
  },
];

const CARDS = 12;
const DAYS = 90;
const FIRST_DAY = "2025-01-01";

interface CreatedKey {
  apiKey: { id: string; rateLimitPerMinute: number; expiresAt: string | null };
  secret: string;
}
type Errors = Array<{ message: string; extensions?: Record<string, unknown> }> | undefined;

const CREATE = `mutation ($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { apiKey { id rateLimitPerMinute expiresAt } secret }
}`;
const ROTATE = `mutation ($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 0) { secret } }`;
const REVOKE = `mutation ($id: ID!) { revokeApiKey(id: $id) { status } }`;
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const inHalfAnHour = () => new Date(Date.now() + 1_800_000).toISOString();

describe.each(MODES)("key lifecycle through the gateway: $name", (mode) => {
  let stack: RunningStack;
  let close: () => Promise<void>;
  let cardIds: string[];

  beforeAll(async () => {
    const opened = await mode.open();
    close = opened.close;
    const dataDir = mkdtempSync(join(tmpdir(), "pokewatch-e2e-"));
    // Real quotas: keys get RATE_LIMIT_RPM (60) unless created with more; the admin key gets the maximum.
    stack = await startTestStack(
      { ...opened.env, DATA_DIR: dataDir, MODEL_POLL_SECONDS: "1", RATE_LIMIT_RPM: "60" },
      opened.db,
    );
    cardIds = loadBundledCatalog()
      .cards()
      .slice(0, CARDS)
      .map((card) => card.id);
    const series = syntheticSeries(CARDS, DAYS, 7, FIRST_DAY);
    await createPriceStore(opened.db).upsert(
      series.flatMap((s, i) => s.points.map((p) => ({ ...p, cardId: cardIds[i]! }))),
    );
    const registry = createModelRegistry({ db: opened.db });
    await registry.register(fixedRatioModelVersion(Math.log(1.1)), { stage: "PRODUCTION" });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await close?.();
  });

  const send = (query: string, variables: Record<string, unknown>, key = TEST_ADMIN_KEY) =>
    postGraphQL(stack.gatewayUrl, query, { "x-api-key": key }, { variables });
  async function create(input: Record<string, unknown>, key = TEST_ADMIN_KEY): Promise<CreatedKey> {
    const { body } = await send(CREATE, { input }, key);
    expect(body.errors).toBeUndefined();
    return (body.data as { createApiKey: CreatedKey }).createApiKey;
  }
  const firstError = (errors: Errors) => ({ code: errors?.[0]?.extensions?.code, message: errors?.[0]?.message });

  it("the admin key holds the highest rate, so the docs' batch-key example works as written", async () => {
    const viewer = await send(`{ viewer { rateLimitPerMinute } }`, {});
    expect(viewer.body.data).toEqual({ viewer: { rateLimitPerMinute: 100_000 } });
    // docs/api-keys.md, verbatim.
    const { body } = await postGraphQL(
      stack.gatewayUrl,
      `mutation {
        createApiKey(input: { name: "price sync job", scopes: ["prices:read"], rateLimitPerMinute: 600 }) {
          apiKey { id maskedKey scopes }
          secret
        }
      }`,
    );
    expect(body.errors).toBeUndefined();
  });

  it("a batch client with a 6,000-a-minute key sends fairPrices with 1,000 requests and gets 1,000 answers", async () => {
    const batch = await create({ name: "batch job", scopes: ["prices:read"], rateLimitPerMinute: 6_000 });
    const requests = Array.from({ length: 1_000 }, (_, i) => ({
      cardId: cardIds[i % CARDS]!,
      date: new Date(Date.parse(FIRST_DAY) + (10 + Math.floor(i / CARDS)) * 86_400_000).toISOString().slice(0, 10),
    }));
    const query = `query ($requests: [FairPriceRequest!]!) { fairPrices(requests: $requests) { card { id } fairPrice } }`;
    await expect
      .poll(async () => firstError((await send(query, { requests: requests.slice(0, 1) }, batch.secret)).body.errors), {
        timeout: 15_000,
        interval: 250,
      })
      .toEqual({ code: undefined, message: undefined });
    const { status, body } = await send(query, { requests }, batch.secret);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const answers = (body.data as { fairPrices: Array<{ card: { id: string }; fairPrice: number }> }).fairPrices;
    expect(answers).toHaveLength(1_000);
    expect(answers.every((answer, i) => answer.card.id === requests[i]!.cardId && answer.fairPrice > 0)).toBe(true);
  });

  it("create refuses what the caller does not have: a scope, a higher rate (its default too), a longer life", async () => {
    const manager = await create({
      name: "limited manager",
      scopes: ["keys:admin", "prices:read"],
      rateLimitPerMinute: 5,
      expiresAt: inAnHour(),
    });
    const attempt = async (input: Record<string, unknown>) =>
      firstError((await send(CREATE, { input: { name: "child", ...input } }, manager.secret)).body.errors);
    expect(await attempt({ scopes: ["pipeline:read"], rateLimitPerMinute: 5, expiresAt: inAnHour() })).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining('scope "pipeline:read"'),
    });
    expect(await attempt({ scopes: ["prices:read"], rateLimitPerMinute: 6, expiresAt: inAnHour() })).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("the calling key allows 5"),
    });
    // Without its own rate a key gets RATE_LIMIT_RPM (60): more than this caller has.
    expect(await attempt({ scopes: ["prices:read"], expiresAt: inAnHour() })).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("rateLimitPerMinute 60: the calling key allows 5"),
    });
    expect(await attempt({ scopes: ["prices:read"], rateLimitPerMinute: 5 })).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("outlasts the calling key"),
    });
    const within = await attempt({ scopes: ["prices:read"], rateLimitPerMinute: 5, expiresAt: inHalfAnHour() });
    expect(within).toEqual({ code: undefined, message: undefined });
  });

  it("rotate applies the same rules: a slow, short-lived key cannot take over a faster or longer-lived key", async () => {
    const manager = await create({
      name: "rotating manager",
      scopes: ["keys:admin", "prices:read"],
      rateLimitPerMinute: 5,
      expiresAt: inAnHour(),
    });
    const faster = await create({ name: "sync", scopes: ["prices:read"], rateLimitPerMinute: 60 });
    const rotated = await send(ROTATE, { id: faster.apiKey.id }, manager.secret);
    expect(firstError(rotated.body.errors)).toMatchObject({ code: "FORBIDDEN" });
    expect(rotated.body.data ?? null).toBeNull();
    // The key's secret did not change hands: the old one still works.
    expect((await send(`{ viewer { key { id } } }`, {}, faster.secret)).body.data).toEqual({
      viewer: { key: { id: faster.apiKey.id } },
    });
  });

  it("a revoked key can neither create, rotate nor revoke, even in the moment after its revocation", async () => {
    const manager = await create({
      name: "soon revoked",
      scopes: ["keys:admin", "prices:read"],
      rateLimitPerMinute: 60,
    });
    const target = await create({ name: "target", scopes: ["prices:read"], rateLimitPerMinute: 60 });
    // The gateway has verified (and may cache) the manager's key.
    expect((await send(`{ viewer { key { id } } }`, {}, manager.secret)).status).toBe(200);
    expect(firstError((await send(REVOKE, { id: manager.apiKey.id })).body.errors).code).toBeUndefined();
    const attempts = await Promise.all([
      send(CREATE, { input: { name: "replacement", scopes: ["prices:read"] } }, manager.secret),
      send(ROTATE, { id: target.apiKey.id }, manager.secret),
      send(REVOKE, { id: target.apiKey.id }, manager.secret),
    ]);
    for (const { body } of attempts) {
      expect(body.data ?? null).toBeNull();
      expect(firstError(body.errors).code).toBe("UNAUTHENTICATED");
    }
    expect((await send(`{ apiKey(id: "${target.apiKey.id}") { status } }`, {})).body.data).toEqual({
      apiKey: { status: "ACTIVE" },
    });
  });
});
