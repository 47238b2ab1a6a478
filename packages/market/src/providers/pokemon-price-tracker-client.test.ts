import { describe, expect, it } from "vitest";
import { loadFixture, sendJson, useFixtureServer, type FixtureHandler } from "./fixture-server.js";
import {
  createPokemonPriceTrackerClient,
  type PokemonPriceTrackerClientOptions,
} from "./pokemon-price-tracker-client.js";
import type { ProviderError } from "./provider-error.js";

const FLAT = loadFixture("ppt_v2_card_history_flat.json");
const NESTED = loadFixture("ppt_v2_card_history_nested.json");
const KEY = "ppt_live_abcdef0123456789";
const FAST = { backoff: { baseMs: 1, maxMs: 5 }, maxRetryAfterMs: 20 };
const CHARIZARD = { cardId: "sv3pt5-199", days: 30 };

async function clientFor(handler: FixtureHandler, options: Partial<PokemonPriceTrackerClientOptions> = {}) {
  const server = await useFixtureServer(handler);
  const client = createPokemonPriceTrackerClient({ apiKey: KEY, ...FAST, ...options, baseUrl: `${server.url}/api/v2` });
  return { server, client };
}

const point = (date: string, market: number, rest: Partial<Record<"low" | "high" | "volume", number | null>> = {}) => ({
  cardId: "sv3pt5-199",
  date,
  market,
  low: null,
  high: null,
  volume: null,
  source: "pokemonpricetracker",
  ...rest,
});

describe("getCardHistory", () => {
  it("reads a flat date→price history, plus the current price from prices.mid when market is missing", async () => {
    const { client, server } = await clientFor((_req, res) => sendJson(res, 200, FLAT));
    const { points, skipped } = await client.getCardHistory({ tcgPlayerId: 100001 }, CHARIZARD);
    expect(points).toEqual([
      point("2025-06-01", 185.2),
      point("2025-06-02", 186.1),
      point("2025-06-04", 188.75),
      point("2025-06-05", 191.5, { low: 172 }),
    ]);
    expect(skipped).toEqual([]);
    const [request] = server.requests;
    expect(request!.path).toBe("/api/v2/cards");
    expect(Object.fromEntries(request!.query)).toEqual({ tcgPlayerId: "100001", includeHistory: "true", days: "30" });
    expect(request!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("reads the nested per-condition history, preferring Near Mint, from a list envelope", async () => {
    const { client, server } = await clientFor((_req, res) => sendJson(res, 200, NESTED), { language: "english" });
    const { points } = await client.getCardHistory({ cardNumber: "199/165", set: "sv3pt5" }, CHARIZARD);
    expect(points).toEqual([
      point("2025-06-01", 184.9, { volume: 6 }),
      point("2025-06-02", 186, { volume: 3 }),
      point("2025-06-04", 188.3, { volume: 4 }),
      // History wins over the current price on the same day: it has the volume.
      point("2025-06-05", 190.4, { volume: 2 }),
    ]);
    expect(Object.fromEntries(server.requests[0]!.query)).toEqual({
      cardNumber: "199/165",
      set: "sv3pt5",
      language: "english",
      includeHistory: "true",
      days: "30",
    });
  });

  it("falls back to another condition when Near Mint has no history", async () => {
    const history = { conditions: { "Lightly Played": { history: [{ date: "2025-06-01", market: 168, volume: 1 }] } } };
    const { client } = await clientFor((_req, res) => sendJson(res, 200, { data: { priceHistory: history } }));
    const { points } = await client.getCardHistory({ tcgPlayerId: "100001" }, CHARIZARD);
    expect(points).toEqual([point("2025-06-01", 168, { volume: 1 })]);
  });

  it("uses the current price alone, dated by the clock, when there is no history", async () => {
    const { client } = await clientFor((_req, res) => sendJson(res, 200, { data: { prices: { market: 12 } } }), {
      now: () => new Date("2025-07-04T10:00:00Z"),
    });
    const { points } = await client.getCardHistory({ tcgPlayerId: 1 }, CHARIZARD);
    expect(points).toEqual([point("2025-07-04", 12)]);
  });

  it("reports a card with no price at all as skipped", async () => {
    const { client } = await clientFor((_req, res) => sendJson(res, 200, { data: { prices: {}, priceHistory: {} } }));
    await expect(client.getCardHistory({ tcgPlayerId: 1 }, CHARIZARD)).resolves.toEqual({
      points: [],
      skipped: [{ cardId: "sv3pt5-199", reason: "no pokemonpricetracker price" }],
    });
  });

  it("treats an empty data list as NOT_FOUND", async () => {
    const { client } = await clientFor((_req, res) => sendJson(res, 200, { data: [], metadata: { total: 0 } }));
    await expect(client.getCardHistory({ tcgPlayerId: 1 }, CHARIZARD)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("rejects a history in neither documented shape as BAD_RESPONSE instead of returning none", async () => {
    const odd = { data: { prices: { market: 5 }, priceHistory: { points: [1, 2, 3] } } };
    const { client } = await clientFor((_req, res) => sendJson(res, 200, odd));
    const error = (await client
      .getCardHistory({ tcgPlayerId: 1 }, CHARIZARD)
      .catch((e: unknown) => e)) as ProviderError;
    expect(error).toMatchObject({ code: "BAD_RESPONSE", provider: "pokemonpricetracker" });
    expect(error.message).toContain("unexpected keys points");
  });

  it("keeps the bearer key out of errors and does not retry a 401", async () => {
    const { client, server } = await clientFor((req, res) =>
      sendJson(res, 401, { error: `Invalid token: ${req.headers.authorization}` }),
    );
    const error = (await client
      .getCardHistory({ tcgPlayerId: 1 }, CHARIZARD)
      .catch((e: unknown) => e)) as ProviderError;
    expect(error).toMatchObject({ code: "UNAUTHORIZED", status: 401, attempts: 1 });
    expect(server.requests).toHaveLength(1);
    expect(error.message).not.toContain(KEY);
    expect(error.stack).not.toContain(KEY);
  });
});
