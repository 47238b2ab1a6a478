import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRedis, type Redis } from "@pokewatch/kit";
import { createIsolatedPostgres, silentLogger, TEST_REDIS_URL, type IsolatedPostgres } from "@pokewatch/kit/testing";
import { createPriceStore } from "@pokewatch/market";
import { announceProductionModel, createModelRegistry, type ModelRegistry } from "@pokewatch/model";
import { fixedRatioModelVersion, syntheticSeries } from "@pokewatch/model/testing";
import type { RunningStack } from "@pokewatch/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, startTestStack } from "./stack-fixture.js";

const CARDS = ["sv3pt5-6", "sv3pt5-25", "sv4pt5-1"];
const DAY = "2025-03-01";
const QUERY = `{
  fairPrices(requests: [${CARDS.map((id) => `{ cardId: "${id}", date: "${DAY}" }`).join(", ")}]) {
    card { id name }
    fairPrice marketPrice signal cached
    model { id version stage createdAt metrics { mape baselineMape intervalCoverage } }
  }
}`;
interface Answer {
  fairPrices: {
    card: { id: string; name: string };
    fairPrice: number;
    marketPrice: number;
    signal: string;
    cached: boolean;
    model: { id: string; version: number; stage: string };
  }[];
}

let postgres: IsolatedPostgres;
let stack: RunningStack;
let registry: ModelRegistry;
let redis: Redis;
beforeAll(async () => {
  postgres = await createIsolatedPostgres();
  const dataDir = mkdtempSync(join(tmpdir(), "pokewatch-e2e-"));
  // MODEL_POLL_SECONDS=0: only the Redis announcement can make pricing swap, so the test proves it.
  stack = await startTestStack({ REDIS_URL: TEST_REDIS_URL, DATA_DIR: dataDir, MODEL_POLL_SECONDS: "0" }, postgres.db);
  const series = syntheticSeries(CARDS.length, 90, 3, "2025-01-01");
  await createPriceStore(postgres.db).upsert(
    series.flatMap((s, i) => s.points.map((p) => ({ ...p, cardId: CARDS[i]! }))),
  );
  registry = createModelRegistry({ db: postgres.db });
  redis = createRedis({ url: TEST_REDIS_URL, logger: silentLogger() });
  await redis.connect();
});
afterAll(async () => {
  redis?.disconnect();
  await stack?.close();
  await postgres?.drop();
});

const ask = () => postGraphQL(stack.gatewayUrl, QUERY);

async function untilModel(id: string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { body } = await ask();
    const prices = (body.data as unknown as Answer | null)?.fairPrices;
    if (prices?.[0]?.model.id === id) return prices;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`pricing never served model ${id}`);
}

describe("fair prices through the gateway (PostgreSQL, Redis)", () => {
  it("answers MODEL_UNAVAILABLE with HTTP 200 while the registry is empty", async () => {
    const { status, body } = await ask();
    expect(status).toBe(200);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual([
      "MODEL_UNAVAILABLE",
      "MODEL_UNAVAILABLE",
      "MODEL_UNAVAILABLE",
    ]);
  });

  it("serves a promoted model once it is announced, joined with the pipeline's ModelVersion", async () => {
    const first = await registry.register(fixedRatioModelVersion(Math.log(1.25)), { stage: "PRODUCTION" });
    await announceProductionModel(redis, first.id);
    const prices = await untilModel(first.id);
    expect(prices).toHaveLength(3);
    for (const price of prices) {
      expect(price.fairPrice).toBeCloseTo(price.marketPrice * 1.25, 3);
      expect(price).toMatchObject({
        signal: "BUY",
        model: { id: first.id, version: first.version, stage: "PRODUCTION" },
      });
    }
    expect(prices.map((p) => p.card.name)).toContain("Charizard ex");
    const again = (await ask()).body.data as unknown as Answer;
    expect(again.fairPrices.every((p) => p.cached)).toBe(true);
  });

  it("swaps to a newly promoted model without a restart; the old cache entries are not reused", async () => {
    const second = await registry.register(fixedRatioModelVersion(Math.log(0.8)));
    await registry.promote(second.id);
    await announceProductionModel(redis, second.id);
    const prices = await untilModel(second.id);
    for (const price of prices) {
      expect(price.cached).toBe(false);
      expect(price.fairPrice).toBeCloseTo(price.marketPrice * 0.8, 3);
      expect(price.signal).toBe("SELL");
    }
  });
});
