import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_REDIS_URL, createIsolatedPostgres, type IsolatedPostgres } from "@pokewatch/kit/testing";
import { createCatalog, loadBundledCatalog, type Catalog } from "@pokewatch/market";
import {
  fakeMarketPrice,
  fakePokemonTcgHandler,
  sendFakeJson,
  startFakeProviderServer,
  type FakeHandler,
  type FakeProviderServer,
} from "@pokewatch/market/testing";
import type { RunningStack } from "@pokewatch/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, startTestStack, type GraphQLResult, until } from "./stack-fixture.js";

// Real prices end to end, offline: the pipeline's collect step reads pokemontcg.io pages (built on
// the recorded responses) and Pokémon Price Tracker histories from fake servers on port 0, the run
// trains on them, and fair prices through the gateway carry the provider's source and date.

/** Two whole-set ids, but only their first cards: the fake API serves exactly this catalog. */
function smallCatalog(setIds: string[], cardsPerSet: number): Catalog {
  const bundled = loadBundledCatalog();
  return createCatalog({
    source: "collect e2e",
    sets: setIds.map((id) => bundled.set(id)!),
    cards: setIds.flatMap((id) => bundled.cards(id).slice(0, cardsPerSet)),
  });
}
const catalog = smallCatalog(["me2", "sv6pt5"], 15);
const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
// pokemontcg.io dates a price by its own last update, here yesterday: not the collection day.
const updatedDay = isoDay(Date.now() - DAY_MS);

/** PPT's nested history for any card, `days` days ending the day before pokemontcg.io's update. */
const pptHistory: FakeHandler = (request, res) => {
  const days = Number(request.query.get("days"));
  const key = `${request.query.get("set")}#${request.query.get("cardNumber")}`;
  const level = fakeMarketPrice(key);
  const end = Date.parse(`${updatedDay}T00:00:00Z`) - DAY_MS;
  const history = Array.from({ length: days }, (_, i) => ({
    date: isoDay(end - (days - 1 - i) * DAY_MS),
    market: Math.round(level * (1 + 0.05 * Math.sin(i / 5)) * 100) / 100,
    volume: 2,
  }));
  sendFakeJson(res, 200, { data: { priceHistory: { conditions: { "Near Mint": { history } } } } });
};

let postgres: IsolatedPostgres;
let stack: RunningStack;
let tcg: FakeProviderServer;
let ppt: FakeProviderServer;
const dataDir = mkdtempSync(join(tmpdir(), "collect-gateway-"));

beforeAll(async () => {
  tcg = await startFakeProviderServer(fakePokemonTcgHandler({ catalog, updatedAt: updatedDay.replace(/-/g, "/") }));
  ppt = await startFakeProviderServer(pptHistory);
  postgres = await createIsolatedPostgres();
  stack = await startTestStack(
    {
      REDIS_URL: TEST_REDIS_URL,
      MODEL_POLL_SECONDS: "0",
      DATA_DIR: dataDir,
      PRICE_SOURCE: "auto",
      POKEMONTCG_API_URL: `${tcg.url}/v2`,
      POKEMON_PRICE_API_KEY: "ppt_e2e_key",
      PPT_API_URL: `${ppt.url}/api/v2`,
      PRICE_BACKFILL_DAYS: "60",
      PPT_MAX_CALLS_PER_RUN: "100",
    },
    postgres.db,
    { catalog, pipeline: { trees: 5 } },
  );
});
afterAll(async () => {
  await stack?.close();
  await postgres?.drop();
  await tcg?.close();
  await ppt?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Run {
  id: string;
  status: string;
  error: string | null;
  promoted: boolean;
  steps: { name: string; status: string; message: string | null }[];
}

const ask = (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
  postGraphQL(stack.gatewayUrl, query, headers, variables ? { variables } : {});

async function finishedRun(trigger: GraphQLResult): Promise<Run> {
  expect(trigger.body.errors).toBeUndefined();
  const { id } = (trigger.body.data as { triggerPipelineRun: { id: string } }).triggerPipelineRun;
  return until(async () => {
    const { body } = await ask(
      `query ($id: ID!) { pipelineRun(id: $id) { id status error promoted steps { name status message } } }`,
      { id },
    );
    const run = (body.data as { pipelineRun: Run }).pipelineRun;
    return run.status === "SUCCEEDED" || run.status === "FAILED" ? run : undefined;
  }, 90_000);
}

describe("collecting real-shaped prices through the pipeline", () => {
  it("stores pokemontcg.io prices dated by tcgplayer.updatedAt, backfills history, trains, and serves them", async () => {
    const run = await finishedRun(await ask(`mutation { triggerPipelineRun { id } }`));
    expect(run.error).toBeNull();
    expect(run).toMatchObject({ status: "SUCCEEDED", promoted: true });
    const collect = run.steps[0]!;
    expect(collect).toMatchObject({ name: "collect", status: "SUCCEEDED" });
    expect(collect.message).toContain(
      "pokemontcg.io: 2 of 2 sets collected (30 prices, 30 new, 0 changed, 0 cards without a price)",
    );
    expect(collect.message).toContain("pokemonpricetracker: 30 of 30 cards collected (1,800 prices, 1,800 new");
    expect(collect.message).not.toContain("simulat");
    // One pokemontcg.io request per set (15 cards fit a page), one PPT call per card.
    expect(tcg.requests.map((r) => r.query.get("q")).sort()).toEqual(["set.id:me2", "set.id:sv6pt5"]);
    expect(ppt.requests).toHaveLength(30);
    expect(ppt.requests[0]!.headers.authorization).toBe("Bearer ppt_e2e_key");
    const ingest = run.steps.find((step) => step.name === "ingest")!;
    expect(ingest.message).toBe("30 cards, 1,830 prices (pokemonpricetracker, pokemontcg.io)");

    // Pricing loads the promoted model on the Redis announcement; the fair price is dated by the data.
    const cardId = catalog.cards()[0]!.id;
    const card = await until(async () => {
      const { body } = await ask(
        `query ($id: ID!) { card(id: $id) { marketPrice { date market source } fairPrice { date marketPrice fairPrice } } }`,
        { id: cardId },
      );
      const found = (body.data as { card: { fairPrice: unknown } | null } | null)?.card;
      return found?.fairPrice ? found : undefined;
    }, 30_000);
    expect(card).toMatchObject({
      marketPrice: { date: updatedDay, market: fakeMarketPrice(cardId), source: "pokemontcg.io" },
      fairPrice: { date: updatedDay, marketPrice: fakeMarketPrice(cardId), fairPrice: expect.any(Number) },
    });
  });

  it("fetches nothing new on a second run the same day", async () => {
    const created = await ask(
      `mutation { createApiKey(input: { name: "second trigger", scopes: ["pipeline:read", "pipeline:write"] }) { secret } }`,
    );
    const secret = (created.body.data as { createApiKey: { secret: string } }).createApiKey.secret;
    const [tcgBefore, pptBefore] = [tcg.requests.length, ppt.requests.length];
    const run = await finishedRun(
      await ask(`mutation { triggerPipelineRun { id } }`, undefined, { "x-api-key": secret }),
    );

    expect(run.status).toBe("SUCCEEDED");
    expect(tcg.requests).toHaveLength(tcgBefore);
    expect(ppt.requests).toHaveLength(pptBefore);
    const collect = run.steps[0]!;
    expect(collect.status).toMatch(/^(SUCCEEDED|CACHED)$/);
    if (collect.status === "SUCCEEDED") expect(collect.message).toContain("2 already collected that day");
    // Nothing new stored: every later step up to the model reuses the first run's outputs.
    expect(Object.fromEntries(run.steps.map((step) => [step.name, step.status]))).toMatchObject({
      ingest: "CACHED",
      validate: "CACHED",
      features: "CACHED",
      train: "CACHED",
    });
  });
});
