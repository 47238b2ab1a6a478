import { fixedRatioModelVersion, priceBandModelVersion } from "@pokewatch/model/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FIRST_PRICE_DAY,
  PRICED_CARDS,
  TEST_TODAY,
  signedQuery,
  startPricingTestApp,
  type PricingTestApp,
} from "../testing/pricing-test-app.js";

// fair = market × 1.25 everywhere: market sits 20 % under fair, a BUY.
const UNDER_FAIR = Math.log(1.25);

interface FairPriceBody {
  date: string;
  marketPrice: number;
  fairPrice: number;
  low: number;
  high: number;
  deviationPct: number;
  signal: string;
  cached: boolean;
  model: { id: string };
  card: { id: string };
}
const FIELDS = "date marketPrice fairPrice low high deviationPct signal cached model { id } card { id }";

describe("fair prices from the production model", () => {
  let t: PricingTestApp;
  let modelId: string;
  beforeAll(async () => {
    t = await startPricingTestApp({ model: fixedRatioModelVersion(UNDER_FAIR) });
    modelId = (await t.registry.production())!.id;
  });
  afterAll(() => t.close());

  it("prices a card on a day: the model's fair price, its interval, the deviation and the signal", async () => {
    const market = t.pricesOf("sv3pt5-6").findLast((p) => p.date <= "2025-02-10")!.market;
    const { body } = await signedQuery<{ card: { fairPrice: FairPriceBody } }>(
      t.app,
      `{ card(id: "sv3pt5-6") { fairPrice(date: "2025-02-10") { ${FIELDS} } } }`,
    );
    expect(body.errors).toBeUndefined();
    const price = body.data!.card.fairPrice;
    expect(price).toMatchObject({ date: "2025-02-10", marketPrice: market, signal: "BUY", model: { id: modelId } });
    expect(price.fairPrice).toBeCloseTo(market * 1.25, 3);
    expect(price.low).toBeCloseTo(market * 1.25 * 0.9, 3);
    expect(price.high).toBeCloseTo(market * 1.25 * 1.1, 3);
    expect(price.deviationPct).toBeCloseTo(-20, 1);
  });

  it("answers from the cache the second time, and says so", async () => {
    const query = `{ card(id: "sv3pt5-1") { fairPrice(date: "2025-03-01") { fairPrice cached } } }`;
    const first = await signedQuery<{ card: { fairPrice: FairPriceBody } }>(t.app, query);
    const second = await signedQuery<{ card: { fairPrice: FairPriceBody } }>(t.app, query);
    expect(first.body.data!.card.fairPrice.cached).toBe(false);
    expect(second.body.data!.card.fairPrice).toEqual({ ...first.body.data!.card.fairPrice, cached: true });
  });

  it("defaults the date to the card's latest day with data", async () => {
    const { body } = await signedQuery<{ card: { fairPrice: FairPriceBody; marketPrice: { date: string } } }>(
      t.app,
      `{ card(id: "sv4pt5-1") { fairPrice { date } marketPrice { date } } }`,
    );
    const latest = t.pricesOf("sv4pt5-1").at(-1)!.date;
    expect(body.data!.card).toEqual({ fairPrice: { date: latest }, marketPrice: { date: latest } });
  });

  it("serves market prices and a date range of the history", async () => {
    const { body } = await signedQuery<{
      card: { marketPrice: { date: string; market: number }; priceHistory: { date: string }[] };
    }>(
      t.app,
      `{ card(id: "sv3pt5-2") { marketPrice(date: "2025-01-20") { date market source } priceHistory(from: "2025-01-10", to: "2025-01-19") { date } } }`,
    );
    const points = t.pricesOf("sv3pt5-2");
    expect(body.data!.card.marketPrice).toMatchObject({ date: points.findLast((p) => p.date <= "2025-01-20")!.date });
    expect(body.data!.card.priceHistory.map((p) => p.date)).toEqual(
      points.filter((p) => p.date >= "2025-01-10" && p.date <= "2025-01-19").map((p) => p.date),
    );
  });

  it("serves a card of an old set, never priced, with NOT_FOUND for its fair price and no market price", async () => {
    const { body } = await signedQuery<{ card: Record<string, unknown> }>(
      t.app,
      `{ card(id: "base1-4") { name imageUrl set { name releaseDate } marketPrice { market } priceHistory { date } fairPrice { fairPrice } } }`,
    );
    expect(body.data!.card).toEqual({
      name: "Charizard",
      imageUrl: "https://images.pokemontcg.io/base1/4.png",
      set: { name: "Base", releaseDate: "1999-01-09" },
      marketPrice: null,
      priceHistory: [],
      fairPrice: null,
    });
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ["card", "fairPrice"],
        message: 'Card "base1-4" has no prices yet, so it has no fair price',
        extensions: expect.objectContaining({ code: "NOT_FOUND" }),
      }),
    ]);
  });

  it("answers each bad request of fairPrices with null, its own code and path, while the rest answer", async () => {
    const { body } = await signedQuery<{ fairPrices: (FairPriceBody | null)[] }>(
      t.app,
      `query ($r: [FairPriceRequest!]!) { fairPrices(requests: $r) { card { id } date } }`,
      {
        variables: {
          r: [
            { cardId: "sv3pt5-3", date: "2025-02-01" },
            { cardId: "nope-1", date: "2025-02-01" },
            { cardId: "sv3pt5-3", date: "2030-01-01" },
            { cardId: "sv3pt5-4", date: "2024-12-31" },
            { cardId: "sv8-1" },
            { cardId: "sv3pt5-4" },
          ],
        },
      },
    );
    expect(body.data!.fairPrices).toEqual([
      { card: { id: "sv3pt5-3" }, date: "2025-02-01" },
      null,
      null,
      null,
      null,
      { card: { id: "sv3pt5-4" }, date: t.pricesOf("sv3pt5-4").at(-1)!.date },
    ]);
    const byIndex = Object.fromEntries(body.errors!.map((e) => [e.path![1], e.extensions!.code]));
    expect(byIndex).toEqual({ 1: "NOT_FOUND", 2: "BAD_USER_INPUT", 3: "BAD_USER_INPUT", 4: "NOT_FOUND" });
    expect(body.errors!.every((e) => e.path![0] === "fairPrices")).toBe(true);
    expect(body.errors!.find((e) => e.path![1] === 3)!.message).toContain(FIRST_PRICE_DAY);
  });

  it("refuses more than 1000 requests and a malformed Date with BAD_USER_INPUT", async () => {
    const r = Array.from({ length: 1001 }, () => ({ cardId: "sv3pt5-6" }));
    const many = await signedQuery(t.app, `query ($r: [FairPriceRequest!]!) { fairPrices(requests: $r) { date } }`, {
      variables: { r },
    });
    expect(many.body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "requests" });
    const malformed = await signedQuery(
      t.app,
      `{ fairPrices(requests: [{ cardId: "sv3pt5-6", date: "2025-02-30" }]) { date } }`,
    );
    expect(malformed.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("takes today but not tomorrow, and says which observation today's market price is", async () => {
    const { body } = await signedQuery<{
      card: { today: FairPriceBody & { marketPriceDate: string; marketPriceSource: string }; tomorrow: null };
    }>(
      t.app,
      `{ card(id: "sv3pt5-6") { today: fairPrice(date: "${TEST_TODAY}") { date marketPrice marketPriceDate marketPriceSource } tomorrow: fairPrice(date: "2025-04-16") { date } } }`,
    );
    const newest = t.pricesOf("sv3pt5-6").at(-1)!;
    // Prices stand until the market moves them: today is priced from the newest stored observation.
    expect(newest.date < TEST_TODAY).toBe(true);
    expect(body.data!.card.today).toEqual({
      date: TEST_TODAY,
      marketPrice: newest.market,
      marketPriceDate: newest.date,
      marketPriceSource: newest.source,
    });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ path: ["card", "tomorrow"], extensions: { code: "BAD_USER_INPUT" } });
  });
});

describe("batching: one read, one multi-get, one model run per operation", () => {
  let t: PricingTestApp;
  beforeAll(async () => {
    t = await startPricingTestApp({ model: fixedRatioModelVersion(UNDER_FAIR) });
  });
  afterAll(() => t.close());

  const days = (n: number) => Array.from({ length: n }, (_, i) => `2025-03-${String(i + 1).padStart(2, "0")}`);

  it("fairPrices: 200 prices cold are 1 multi-get, 1 history read of the distinct cards and 1 ONNX run; warm, 1 multi-get only", async () => {
    const requests = PRICED_CARDS.flatMap((cardId) => days(25).map((date) => ({ cardId, date })));
    const query = `query ($r: [FairPriceRequest!]!) { fairPrices(requests: $r) { fairPrice cached } }`;
    const before = await t.onnxRuns();
    const cold = await signedQuery<{ fairPrices: FairPriceBody[] }>(t.app, query, { variables: { r: requests } });
    expect(cold.body.errors).toBeUndefined();
    expect(t.cacheGets).toEqual([200]);
    expect(t.historyReads).toEqual([PRICED_CARDS]);
    expect(await t.onnxRuns()).toEqual({ runs: before.runs + 1, rows: before.rows + 200 });

    const warm = await signedQuery<{ fairPrices: FairPriceBody[] }>(t.app, query, { variables: { r: requests } });
    expect(warm.body.data!.fairPrices.every((p) => p.cached)).toBe(true);
    expect(warm.body.data!.fairPrices.map((p) => p.fairPrice)).toEqual(
      cold.body.data!.fairPrices.map((p) => p.fairPrice),
    );
    expect(t.cacheGets).toEqual([200, 200]);
    expect(t.historyReads).toHaveLength(1);
    expect((await t.onnxRuns()).runs).toBe(before.runs + 1);
  });

  it("a list field and _entities from the gateway batch the same way", async () => {
    const representations = PRICED_CARDS.map((id) => ({ __typename: "Card", id }));
    const runs = (await t.onnxRuns()).runs;
    const [reads, gets] = [t.historyReads.length, t.cacheGets.length];
    const { body } = await signedQuery<{ _entities: { fairPrice: FairPriceBody; marketPrice: { market: number } }[] }>(
      t.app,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Card { fairPrice(date: "2025-02-14") { cached } marketPrice { market } } } }`,
      { variables: { r: representations } },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!._entities).toHaveLength(PRICED_CARDS.length);
    expect(t.historyReads.slice(reads)).toEqual([PRICED_CARDS]);
    expect(t.cacheGets.slice(gets)).toEqual([PRICED_CARDS.length]);
    expect((await t.onnxRuns()).runs).toBe(runs + 1);

    const list = await signedQuery<{ cards: { fairPrice: FairPriceBody }[] }>(
      t.app,
      `query ($ids: [ID!]!) { cards(ids: $ids) { fairPrice(date: "2025-02-15") { cached } } }`,
      { variables: { ids: PRICED_CARDS } },
    );
    expect(list.body.data!.cards.every((c) => c.fairPrice.cached === false)).toBe(true);
    expect(t.historyReads.slice(reads)).toHaveLength(2);
    expect((await t.onnxRuns()).runs).toBe(runs + 2);
  });
});

describe("signals and deals", () => {
  let t: PricingTestApp;
  beforeAll(async () => {
    // Cards at or under $20 sit 20 % under fair (BUY); dearer ones 25 % over fair (SELL).
    t = await startPricingTestApp({ model: priceBandModelVersion(20, Math.log(1.25), Math.log(0.8)) });
  });
  afterAll(() => t.close());

  it("deals lists BUY cards most underpriced first, SELL cards most overpriced first, bounded by limit", async () => {
    const { body } = await signedQuery<{ buy: FairPriceBody[]; sell: FairPriceBody[]; one: FairPriceBody[] }>(
      t.app,
      `{ buy: deals { card { id } signal marketPrice deviationPct }
         sell: deals(signal: SELL) { card { id } signal marketPrice deviationPct }
         one: deals(signal: SELL, limit: 1) { card { id } } }`,
    );
    expect(body.errors).toBeUndefined();
    const latest = (id: string) => t.pricesOf(id).at(-1)!.market;
    const cheap = PRICED_CARDS.filter((id) => latest(id) <= 20);
    const dear = PRICED_CARDS.filter((id) => latest(id) > 20);
    expect(cheap.length).toBeGreaterThan(0);
    expect(dear.length).toBeGreaterThan(0);
    expect(body.data!.buy.map((d) => d.card.id).sort()).toEqual(cheap.sort());
    expect(body.data!.sell.map((d) => d.card.id).sort()).toEqual(dear.sort());
    expect(body.data!.buy.every((d) => d.signal === "BUY" && d.deviationPct < -10)).toBe(true);
    expect(body.data!.one).toHaveLength(1);
  });

  it("deals refuses a bad limit and an unknown set, and keeps to a set when asked", async () => {
    const { body } = await signedQuery(t.app, `{ deals(limit: 0) { date } }`);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "limit" });
    const unknown = await signedQuery(t.app, `{ deals(setId: "nope") { date } }`);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const inSet = await signedQuery<{ deals: FairPriceBody[] }>(
      t.app,
      `{ deals(setId: "sv4pt5", signal: SELL, limit: 100) { card { id } } }`,
    );
    expect(inSet.body.data!.deals.every((d) => d.card.id.startsWith("sv4pt5-"))).toBe(true);
  });

  it("takes the thresholds from the settings", async () => {
    const strict = await startPricingTestApp({
      model: fixedRatioModelVersion(Math.log(1.25)),
      settings: { thresholds: { buyPct: -25, sellPct: 15 } },
    });
    try {
      const { body } = await signedQuery<{ card: { fairPrice: FairPriceBody } }>(
        strict.app,
        `{ card(id: "sv3pt5-6") { fairPrice { signal deviationPct } } }`,
      );
      expect(body.data!.card.fairPrice).toMatchObject({ signal: "HOLD" });
    } finally {
      await strict.close();
    }
  });
});

describe("without a production model", () => {
  let t: PricingTestApp;
  beforeAll(async () => {
    t = await startPricingTestApp({ model: null });
  });
  afterAll(() => t.close());

  it("answers MODEL_UNAVAILABLE for fair prices and still serves cards and market prices", async () => {
    const { status, body } = await signedQuery<{
      card: { name: string; marketPrice: { date: string }; fairPrice: null };
    }>(t.app, `{ card(id: "sv3pt5-6") { name marketPrice { date } fairPrice { fairPrice } } }`);
    expect(status).toBe(200);
    const latest = t.pricesOf("sv3pt5-6").at(-1)!.date;
    expect(body.data!.card).toEqual({ name: "Charizard ex", marketPrice: { date: latest }, fairPrice: null });
    expect(body.errors?.[0]).toMatchObject({ path: ["card", "fairPrice"], extensions: { code: "MODEL_UNAVAILABLE" } });
    const deals = await signedQuery(t.app, `{ deals { date } }`);
    expect(deals.body.errors?.[0]?.extensions?.code).toBe("MODEL_UNAVAILABLE");
  });
});
