import { describe, expect, it } from "vitest";
import { loadFixture, sendJson, useFixtureServer, type FixtureHandler } from "./fixture-server.js";
import { createPokemonTcgClient, type PokemonTcgClientOptions } from "./pokemontcg-client.js";
import { ProviderError } from "./provider-error.js";
import { pickTcgplayerVariant } from "./tcgplayer-prices.js";

const AMPHAROS = loadFixture("pokemontcgio_v2_card_pl1-1.json") as { data: Record<string, unknown> };
const VENUSAUR = loadFixture("pokemontcgio_v2_card_sv3pt5-3.json") as { data: Record<string, unknown> };
const FAST = { backoff: { baseMs: 1, maxMs: 5 }, maxRetryAfterMs: 20 };
const KEY = "pk_test_0123456789abcdef";

async function clientFor(handler: FixtureHandler, options: PokemonTcgClientOptions = {}) {
  const server = await useFixtureServer(handler);
  return { server, client: createPokemonTcgClient({ ...FAST, ...options, baseUrl: `${server.url}/v2` }) };
}

const byCardId: FixtureHandler = (req, res) => {
  const card = { "/v2/cards/pl1-1": AMPHAROS, "/v2/cards/sv3pt5-3": VENUSAUR }[req.path];
  if (card) sendJson(res, 200, card);
  else sendJson(res, 404, { error: { message: "Not Found", code: 404 } });
};

describe("getCard on recorded responses", () => {
  it("prices Ampharos (pl1-1) from holofoil, ahead of reverseHolofoil", async () => {
    const { client } = await clientFor(byCardId);
    await expect(client.getCard("pl1-1")).resolves.toEqual({
      points: [
        {
          cardId: "pl1-1",
          date: "2021-03-19",
          market: 3.93,
          low: 5.68,
          high: 8.99,
          volume: null,
          source: "pokemontcg.io",
        },
      ],
      skipped: [],
    });
  });

  it("prices Venusaur ex (sv3pt5-3) from its only variant, ignoring the cardmarket block", async () => {
    const { client } = await clientFor(byCardId);
    const { points } = await client.getCard("sv3pt5-3");
    expect(points).toEqual([
      {
        cardId: "sv3pt5-3",
        date: "2025-02-25",
        market: 1,
        low: 0.48,
        high: 8.95,
        volume: null,
        source: "pokemontcg.io",
      },
    ]);
  });

  it("skips and reports a card without a TCGplayer price instead of failing", async () => {
    const bare = { data: { ...AMPHAROS.data, tcgplayer: undefined } };
    const { client } = await clientFor((_req, res) => sendJson(res, 200, bare));
    await expect(client.getCard("pl1-1")).resolves.toEqual({
      points: [],
      skipped: [{ cardId: "pl1-1", reason: "no tcgplayer market price" }],
    });
  });

  it("dates a price without updatedAt with the injected clock", async () => {
    const tcgplayer = { prices: { normal: { market: 2.5, low: null, high: null } } };
    const { client } = await clientFor((_req, res) => sendJson(res, 200, { data: { id: "sv1-1", tcgplayer } }), {
      now: () => new Date("2025-06-01T23:30:00Z"),
    });
    const { points } = await client.getCard("sv1-1");
    expect(points[0]).toMatchObject({ date: "2025-06-01", market: 2.5, low: null, high: null });
  });

  it("answers an unknown id as NOT_FOUND without retrying", async () => {
    const { client, server } = await clientFor(byCardId, { apiKey: KEY });
    const error = (await client.getCard("pl1-999").catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "NOT_FOUND", status: 404, attempts: 1, provider: "pokemontcg.io" });
    expect(server.requests).toHaveLength(1);
    expect(error.message).not.toContain(KEY);
  });
});

describe("API key", () => {
  it("is sent as X-Api-Key when set", async () => {
    const { client, server } = await clientFor(byCardId, { apiKey: KEY });
    await client.getCard("pl1-1");
    expect(server.requests[0]!.headers["x-api-key"]).toBe(KEY);
  });

  it("is not sent at all when unset", async () => {
    const { client, server } = await clientFor(byCardId);
    await client.getCard("pl1-1");
    expect(server.requests[0]!.headers).not.toHaveProperty("x-api-key");
  });
});

describe("listSetPrices", () => {
  const noPrice = { id: "pl1-3" };
  const cards: Record<string, unknown>[] = [
    AMPHAROS.data,
    { ...VENUSAUR.data, id: "pl1-2" },
    noPrice,
    { ...AMPHAROS.data, id: "pl1-4" },
    { ...AMPHAROS.data, id: "pl1-5" },
  ];
  const pages: FixtureHandler = (req, res) => {
    const page = Number(req.query.get("page"));
    const size = Number(req.query.get("pageSize"));
    const data = cards.slice((page - 1) * size, page * size).map(({ id, tcgplayer }) => ({ id, tcgplayer }));
    sendJson(res, 200, { data, page, pageSize: size, count: data.length, totalCount: cards.length });
  };

  it("reads every page and reports unpriced cards", async () => {
    const { client, server } = await clientFor(pages, { pageSize: 2 });
    const { points, skipped } = await client.listSetPrices("pl1");
    expect(points.map((p) => p.cardId)).toEqual(["pl1-1", "pl1-2", "pl1-4", "pl1-5"]);
    expect(points[1]).toMatchObject({ market: 1, date: "2025-02-25" });
    expect(skipped).toEqual([{ cardId: "pl1-3", reason: "no tcgplayer market price" }]);
    expect(server.requests.map((r) => r.query.get("page"))).toEqual(["1", "2", "3"]);
    expect(Object.fromEntries(server.requests[0]!.query)).toMatchObject({
      q: "set.id:pl1",
      pageSize: "2",
      select: "id,tcgplayer",
    });
  });

  it("asks for 250 cards a page by default and stops on the last one", async () => {
    const { client, server } = await clientFor(pages);
    const { points } = await client.listSetPrices("pl1");
    expect(points).toHaveLength(4);
    expect(server.requests.map((r) => r.query.get("pageSize"))).toEqual(["250"]);
  });

  it("answers a page without a data list as BAD_RESPONSE", async () => {
    const { client } = await clientFor((_req, res) => sendJson(res, 200, { cards: [] }));
    await expect(client.listSetPrices("pl1")).rejects.toMatchObject({ code: "BAD_RESPONSE" });
  });
});

describe("pickTcgplayerVariant", () => {
  it("takes the first variant with a market price in the documented order", () => {
    expect(pickTcgplayerVariant({ normal: { market: 1 }, reverseHolofoil: { market: 2 } })).toBe("reverseHolofoil");
    expect(pickTcgplayerVariant({ holofoil: { market: null }, normal: { market: 1 } })).toBe("normal");
    expect(pickTcgplayerVariant({ "1stEditionNormal": { market: 9 }, "1stEditionHolofoil": { market: 8 } })).toBe(
      "1stEditionHolofoil",
    );
  });

  it("falls back to any other variant, and to none", () => {
    expect(pickTcgplayerVariant({ unlimitedHolofoil: { market: 4 }, normal: { market: null } })).toBe(
      "unlimitedHolofoil",
    );
    expect(pickTcgplayerVariant({ holofoil: { market: 0, low: 1 } })).toBeNull();
    expect(pickTcgplayerVariant({})).toBeNull();
  });
});
