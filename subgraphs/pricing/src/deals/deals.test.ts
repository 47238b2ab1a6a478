import { loadBundledCatalog } from "@pokewatch/market";
import { fixedRatioModelVersion, priceBandModelVersion } from "@pokewatch/model/testing";
import type { Counter } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRICED_CARDS, signedQuery, startPricingTestApp, type PricingTestApp } from "../testing/pricing-test-app.js";

interface Deal {
  card: { id: string };
  date: string;
  marketPrice: number;
  fairPrice: number;
  low: number;
  high: number;
  deviationPct: number;
  signal: string;
  cached: boolean;
  model: { id: string };
}
const FIELDS = "card { id } date marketPrice fairPrice low high deviationPct signal cached model { id }";
const catalog = loadBundledCatalog();

async function count(counter: Counter<string>, outcome: string): Promise<number> {
  const { values } = await counter.get();
  return values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

const deals = async (t: PricingTestApp, args: string) => {
  const call = args ? `deals(${args})` : "deals";
  const { body } = await signedQuery<{ deals: Deal[] }>(t.app, `{ ${call} { ${FIELDS} } }`);
  expect(body.errors).toBeUndefined();
  return body.data!.deals;
};

describe("deals from one ranking per model and price day", () => {
  let t: PricingTestApp;
  beforeAll(async () => {
    // Cards at or under $20 sit 20 % under fair (BUY); dearer ones 25 % over fair (SELL).
    t = await startPricingTestApp({ model: priceBandModelVersion(20, Math.log(1.25), Math.log(0.8)) });
  });
  afterAll(() => t.close());

  it("prices the priced cards once for six concurrent calls and every call after them", async () => {
    const before = await t.onnxRuns();
    const reads = t.historyReads.length;
    const first = await Promise.all(
      ["BUY", "SELL", "HOLD", "BUY", "SELL", "BUY"].map((signal) => deals(t, `signal: ${signal}, limit: 100`)),
    );
    expect(first[0]!.length + first[1]!.length).toBe(PRICED_CARDS.length);
    // One read of each priced card's history and none of the catalog's other 19,000-odd cards; one model row each.
    const read = t.historyReads.slice(reads).flat();
    expect(catalog.size).toBe(19_783);
    expect(read.sort()).toEqual([...PRICED_CARDS].sort());
    const after = await t.onnxRuns();
    expect(after.rows - before.rows).toBe(PRICED_CARDS.length);

    for (const args of ["", "signal: SELL", "limit: 1", 'setId: "sv4pt5", signal: SELL', "signal: HOLD"]) {
      await deals(t, args);
    }
    expect(t.historyReads.slice(reads).flat()).toHaveLength(PRICED_CARDS.length);
    expect(await t.onnxRuns()).toEqual(after);
    expect(await count(t.metrics.dealsRankings, "computed")).toBe(1);
    expect((await deals(t, "signal: SELL")).every((deal) => deal.cached)).toBe(true);
  });

  it("answers exactly what pricing every card on each call answered", async () => {
    const position = new Map(catalog.cards().map((card, i) => [card.id, i]));
    const inCatalogOrder = [...PRICED_CARDS].sort((a, b) => position.get(a)! - position.get(b)!);
    const { body } = await signedQuery<{ fairPrices: Deal[] }>(
      t.app,
      `query ($r: [FairPriceRequest!]!) { fairPrices(requests: $r) { ${FIELDS} } }`,
      { variables: { r: inCatalogOrder.map((cardId) => ({ cardId })) } },
    );
    // The per-call computation: every priced card's latest fair price, in catalog order, then sorted.
    const priced = body.data!.fairPrices;
    const perCall = (signal: string, setId: string | null, limit: number) =>
      priced
        .filter((p) => p.signal === signal && (setId === null || p.card.id.startsWith(`${setId}-`)))
        .sort((a, b) => (signal === "SELL" ? b.deviationPct - a.deviationPct : a.deviationPct - b.deviationPct))
        .slice(0, limit);
    const withoutCached = (list: Deal[]) => list.map(({ cached: _cached, ...deal }) => deal);
    for (const [signal, setId, limit] of [
      ["BUY", null, 100],
      ["SELL", null, 100],
      ["SELL", "sv4pt5", 100],
      ["BUY", "sv3pt5", 2],
      ["SELL", null, 1],
    ] as const) {
      const args = `signal: ${signal}, limit: ${limit}${setId ? `, setId: "${setId}"` : ""}`;
      expect(withoutCached(await deals(t, args))).toStrictEqual(withoutCached(perCall(signal, setId, limit)));
    }
  });

  it("keeps the limit bounds and the set check", async () => {
    for (const limit of [0, 101]) {
      const { body } = await signedQuery(t.app, `{ deals(limit: ${limit}) { date } }`);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "limit" });
    }
    const unknown = await signedQuery(t.app, `{ deals(setId: "nope") { date } }`);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});

describe("deals after a promotion and a new price day", () => {
  let t: PricingTestApp;
  beforeAll(async () => {
    t = await startPricingTestApp({
      model: priceBandModelVersion(20, Math.log(1.25), Math.log(0.8)),
      pollSeconds: 1,
      deals: { pricesVersionCheckMs: 0 },
    });
  });
  afterAll(() => t.close());

  it("recomputes for the promoted model, the previous ranking answering until the new one is ready", async () => {
    const v1 = (await t.registry.production())!.id;
    expect((await deals(t, "signal: SELL")).every((deal) => deal.model.id === v1)).toBe(true);
    const v2 = await t.registry.register(fixedRatioModelVersion(Math.log(1.25)));
    await t.registry.promote(v2.id);
    const modelOfCard = async () =>
      (
        await signedQuery<{ card: { fairPrice: Deal } }>(
          t.app,
          `{ card(id: "sv3pt5-6") { fairPrice { model { id } } } }`,
        )
      ).body.data!.card.fairPrice.model.id;
    await expect.poll(modelOfCard, { timeout: 10_000, interval: 100 }).toBe(v2.id);

    expect((await deals(t, "signal: SELL")).every((deal) => deal.model.id === v1)).toBe(true);
    await expect
      .poll(async () => (await deals(t, "limit: 100")).map((deal) => deal.model.id), { timeout: 10_000, interval: 50 })
      .toEqual(PRICED_CARDS.map(() => v2.id));
    expect(await deals(t, "signal: SELL")).toEqual([]);
    expect(await count(t.metrics.dealsRankings, "computed")).toBe(2);
  });

  it("recomputes when prices of a new day arrive", async () => {
    const last = t.pricesOf("sv3pt5-6").at(-1)!;
    await t.addPrices([{ ...last, date: "2025-04-01", market: 1.5 }]);
    await expect
      .poll(async () => (await deals(t, "limit: 100")).find((deal) => deal.card.id === "sv3pt5-6")?.marketPrice, {
        timeout: 10_000,
        interval: 50,
      })
      .toBe(1.5);
    expect(await count(t.metrics.dealsRankings, "computed")).toBe(3);
  });

  it("recomputes when a collect changes prices of a day already stored, and says which observation it used", async () => {
    const last = t.pricesOf("sv3pt5-6").at(-1)!;
    await t.addPrices([{ ...last, date: "2025-04-01", market: 2.5, source: "pokemontcg.io" }]);
    const dealOf = async () => {
      const { body } = await signedQuery<{ deals: (Deal & { marketPriceDate: string; marketPriceSource: string })[] }>(
        t.app,
        `{ deals(limit: 100) { card { id } marketPrice marketPriceDate marketPriceSource } }`,
      );
      return body.data!.deals.find((deal) => deal.card.id === "sv3pt5-6");
    };
    await expect
      .poll(dealOf, { timeout: 10_000, interval: 50 })
      .toMatchObject({ marketPrice: 2.5, marketPriceDate: "2025-04-01", marketPriceSource: "pokemontcg.io" });
    expect(await count(t.metrics.dealsRankings, "computed")).toBe(4);
  });
});
