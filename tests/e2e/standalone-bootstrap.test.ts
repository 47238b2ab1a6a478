import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRedis, runMigrations, type Redis } from "@pokewatch/kit";
import {
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  createIsolatedPostgres,
  silentLogger,
  type IsolatedPostgres,
} from "@pokewatch/kit/testing";
import { createPriceStore, marketMigrations } from "@pokewatch/market";
import { announceProductionModel, createModelRegistry, modelMigrations, type ModelRegistry } from "@pokewatch/model";
import { fixedRatioModelVersion, syntheticSeries } from "@pokewatch/model/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  composeEntry,
  freePort,
  startServiceProcess,
  type AppService,
  type ServiceProcess,
} from "./service-processes.js";
import { TEST_ADMIN_KEY, postGraphQL } from "./stack-fixture.js";

const SECRET = randomBytes(32).toString("base64url");
const CARD = "sv3pt5-6";
const FAIR_PRICE = `{ fairPrices(requests: [{ cardId: "${CARD}", date: "2025-03-01" }]) { fairPrice marketPrice } }`;

const services: ServiceProcess[] = [];
let postgres: IsolatedPostgres;
let registry: ModelRegistry;
let redis: Redis;
let dataDir: string;

/** A service's real entry point as its own process on a free port; resolves with its GraphQL URL once ready. */
async function startService(service: AppService, env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const started = await startServiceProcess({
    name: service,
    entry: composeEntry(service),
    env: {
      LOG_LEVEL: "info",
      HOST: "127.0.0.1",
      SUBGRAPH_SECRET: SECRET,
      ...env,
      [`${service.toUpperCase()}_PORT`]: String(port),
    },
    port,
    // Each test starts only the services it needs, so a gateway's readiness (every subgraph) never holds.
    readyPath: "/health",
  });
  services.push(started);
  return `${started.origin}/graphql`;
}

/** Pricing alone behind a gateway: `pricingEnv` decides how it hears of a promotion. */
async function pricingBehindGateway(pricingEnv: Record<string, string>, gatewayEnv: Record<string, string> = {}) {
  const pricingUrl = await startService("pricing", { DATABASE_URL: databaseUrl(), DATA_DIR: dataDir, ...pricingEnv });
  return startService("gateway", { PRICING_URL: pricingUrl, AUTH_ENABLED: "false", ...gatewayEnv });
}

const databaseUrl = () => `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${postgres.schema}`)}`;

async function untilFairPrice(gatewayUrl: string): Promise<{ fairPrice: number; marketPrice: number }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { body } = await postGraphQL(gatewayUrl, FAIR_PRICE, {}, { anonymous: true });
    const answer = (body.data?.fairPrices as { fairPrice: number; marketPrice: number }[] | undefined)?.[0];
    if (answer) return answer;
    expect(body.errors?.[0]?.extensions?.code).toBe("MODEL_UNAVAILABLE");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("pricing never served the promoted model");
}

beforeAll(async () => {
  postgres = await createIsolatedPostgres();
  dataDir = mkdtempSync(join(tmpdir(), "pw-standalone-"));
  const [series] = syntheticSeries(1, 90, 3, "2025-01-01");
  redis = createRedis({ url: TEST_REDIS_URL, logger: silentLogger() });
  await redis.connect();
  registry = createModelRegistry({ db: postgres.db });
  // Pricing migrates the same tables at its start (migrations are idempotent); the prices need them first.
  await runMigrations(postgres.db, "market", marketMigrations());
  await runMigrations(postgres.db, "model", modelMigrations());
  await createPriceStore(postgres.db).upsert(series!.points.map((p) => ({ ...p, cardId: CARD })));
}, 60_000);

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  redis?.disconnect();
  await postgres?.drop();
}, 60_000);

describe("standalone services bootstrap themselves", () => {
  it("keys: the key POKEWATCH_ADMIN_KEY names is active with every scope", async () => {
    const keysUrl = await startService("keys", { DATABASE_URL: databaseUrl(), POKEWATCH_ADMIN_KEY: TEST_ADMIN_KEY });
    const gatewayUrl = await startService("gateway", { KEYS_URL: keysUrl });
    const { status, body } = await postGraphQL(gatewayUrl, "{ viewer { key { status scopes } } }");
    expect(status).toBe(200);
    expect(body.data?.viewer).toEqual({
      key: { status: "ACTIVE", scopes: ["prices:read", "pipeline:read", "pipeline:write", "keys:admin"] },
    });
  }, 60_000);

  it("pricing: serves a model promoted after it started, told by Redis (MODEL_POLL_SECONDS=0)", async () => {
    const gatewayUrl = await pricingBehindGateway({ REDIS_URL: TEST_REDIS_URL, MODEL_POLL_SECONDS: "0" });
    await untilFairPriceIsUnavailable(gatewayUrl);
    const model = await registry.register(fixedRatioModelVersion(Math.log(1.25)), { stage: "PRODUCTION" });
    await announceProductionModel(redis, model.id);
    const answer = await untilFairPrice(gatewayUrl);
    expect(answer.fairPrice).toBeCloseTo(answer.marketPrice * 1.25, 3);
  }, 60_000);

  it("pricing: serves a newly promoted model without Redis, by polling the registry (MODEL_POLL_SECONDS=1)", async () => {
    const gatewayUrl = await pricingBehindGateway({ MODEL_POLL_SECONDS: "1" });
    const before = await untilFairPrice(gatewayUrl);
    expect(before.fairPrice).toBeCloseTo(before.marketPrice * 1.25, 3);
    const next = await registry.register(fixedRatioModelVersion(Math.log(0.8)));
    await registry.promote(next.id);
    await expect
      .poll(async () => (await untilFairPrice(gatewayUrl)).fairPrice / before.marketPrice, { timeout: 10_000 })
      .toBeCloseTo(0.8, 3);
  }, 60_000);
});

/** Before any promotion, pricing answers MODEL_UNAVAILABLE (it started on an empty registry). */
async function untilFairPriceIsUnavailable(gatewayUrl: string): Promise<void> {
  const { body } = await postGraphQL(gatewayUrl, FAIR_PRICE, {}, { anonymous: true });
  expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["MODEL_UNAVAILABLE"]);
}
