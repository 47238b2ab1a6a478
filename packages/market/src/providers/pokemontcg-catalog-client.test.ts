import { describe, expect, it } from "vitest";
import { buildCatalogData } from "../catalog/catalog-build.js";
import type { CatalogSet } from "../catalog/catalog-types.js";
import { decodeCatalog, encodeCatalog, type CompactCatalog } from "../catalog/compact-catalog.js";
import { loadFixture, sendJson, useFixtureServer, type FixtureHandler } from "./fixture-server.js";
import { createPokemonTcgCatalogSource, type PokemonTcgCatalogOptions } from "./pokemontcg-catalog-client.js";
import { ProviderError } from "./provider-error.js";

// A real `GET /cards/{id}` response: its card (with the `set` object the list endpoints also carry) and its set.
const VENUSAUR = (loadFixture("pokemontcgio_v2_card_sv3pt5-3.json") as { data: Record<string, unknown> }).data;
const SET_151 = VENUSAUR.set as Record<string, unknown>;
const BASE_SET = {
  ...SET_151,
  id: "base1",
  name: "Base",
  series: "Base",
  printedTotal: 102,
  total: 102,
  releaseDate: "1999/01/09",
};
const SV3PT5: CatalogSet = {
  id: "sv3pt5",
  name: "151",
  series: "Scarlet & Violet",
  printedTotal: 165,
  total: 207,
  releaseDate: "2023-09-22",
  symbolUrl: null,
  logoUrl: null,
};
const KEY = "pk_test_0123456789abcdef";
const FAST = { backoff: { baseMs: 1, maxMs: 5 }, maxRetryAfterMs: 5_000 };

/** `count` cards of set 151 shaped like the recording, numbered 1…count (the last without images). */
function cardsOf151(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    ...VENUSAUR,
    id: `sv3pt5-${i + 1}`,
    number: String(i + 1),
    name: `Card ${i + 1}`,
    images:
      i === count - 1
        ? undefined
        : { small: `https://img.example/${i + 1}.png`, large: `https://img.example/${i + 1}_hires.png` },
  }));
}

/** One page of a list endpoint, the envelope pokemontcg.io answers with. */
function page(all: unknown[], query: URLSearchParams) {
  const [number, size] = [Number(query.get("page") ?? 1), Number(query.get("pageSize") ?? 250)];
  const data = all.slice((number - 1) * size, number * size);
  return { data, page: number, pageSize: size, count: data.length, totalCount: all.length };
}

function api(cards: Record<string, unknown>[], sets: unknown[] = [BASE_SET, SET_151]): FixtureHandler {
  return (req, res) => {
    if (req.path === "/v2/sets") return sendJson(res, 200, page(sets, req.query));
    if (req.path === "/v2/cards") {
      const setId = /^set\.id:(.+)$/.exec(req.query.get("q") ?? "")?.[1];
      return sendJson(res, 200, page(setId === "sv3pt5" ? cards : [], req.query));
    }
    sendJson(res, 404, { error: { message: "Not Found", code: 404 } });
  };
}

async function sourceFor(handler: FixtureHandler, options: PokemonTcgCatalogOptions = {}) {
  const server = await useFixtureServer(handler);
  const waits: number[] = [];
  const source = createPokemonTcgCatalogSource({
    ...FAST,
    sleep: (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    },
    ...options,
    baseUrl: `${server.url}/v2`,
  });
  return { server, source, waits };
}

describe("the catalog from pokemontcg.io", () => {
  it("reads every set, then every page of a set's cards, 250 a page, with the API key", async () => {
    const { server, source } = await sourceFor(api(cardsOf151(300)), { apiKey: KEY });
    const sets = await source.sets();
    expect(sets.map((set) => set.id)).toEqual(["base1", "sv3pt5"]);
    expect(sets[1]).toEqual({
      id: "sv3pt5",
      name: "151",
      series: "Scarlet & Violet",
      printedTotal: 165,
      total: 207,
      releaseDate: "2023-09-22",
      symbolUrl: "https://images.pokemontcg.io/sv3pt5/symbol.png",
      logoUrl: "https://images.pokemontcg.io/sv3pt5/logo.png",
    });
    const cards = await source.cards(sets[1]!);
    expect(cards).toHaveLength(300);
    expect(cards[2]).toEqual({
      id: "sv3pt5-3",
      setId: "sv3pt5",
      name: "Card 3",
      number: "3",
      rarity: "Double Rare",
      supertype: "Pokémon",
      subtypes: ["Stage 2", "ex"],
      types: ["Grass"],
      hp: 340,
      artist: "5ban Graphics",
      nationalPokedexNumbers: [3],
      imageUrl: "https://img.example/3.png",
      imageUrlLarge: "https://img.example/3_hires.png",
    });
    // What the API leaves out is unknown, not guessed.
    expect(cards[299]).toMatchObject({ id: "sv3pt5-300", imageUrl: null, imageUrlLarge: null });

    const cardRequests = server.requests.filter((req) => req.path === "/v2/cards");
    expect(cardRequests.map((req) => [req.query.get("q"), req.query.get("page"), req.query.get("pageSize")])).toEqual([
      ["set.id:sv3pt5", "1", "250"],
      ["set.id:sv3pt5", "2", "250"],
    ]);
    expect(server.requests.every((req) => req.headers["x-api-key"] === KEY)).toBe(true);
  });

  it("sends no X-Api-Key without a key", async () => {
    const { server, source } = await sourceFor(api(cardsOf151(2)));
    await source.sets();
    expect(server.requests[0]!.headers["x-api-key"]).toBeUndefined();
  });

  it("waits out a 429's Retry-After, then goes on", async () => {
    let calls = 0;
    const ok = api(cardsOf151(3));
    const { server, source, waits } = await sourceFor((req, res) => {
      if (calls++ === 0) return sendJson(res, 429, { error: { code: 429 } }, { "retry-after": "2" });
      return ok(req, res);
    });
    expect(await source.sets()).toHaveLength(2);
    expect(waits).toEqual([2000]);
    expect(server.requests).toHaveLength(2);
  });

  it("retries a 5xx, and gives up with UPSTREAM after the last retry", async () => {
    let calls = 0;
    const ok = api(cardsOf151(3));
    const flaky = await sourceFor((req, res) => {
      if (calls++ < 2) return sendJson(res, calls === 1 ? 502 : 503, { error: "busy" });
      return ok(req, res);
    });
    expect(await flaky.source.cards(SV3PT5)).toHaveLength(3);
    expect(flaky.server.requests).toHaveLength(3);

    const down = await sourceFor((_req, res) => sendJson(res, 500, { error: "down" }), { retries: 2 });
    const error = await down.source.sets().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "UPSTREAM", attempts: 3, status: 500 });
  });

  it("fails on a malformed page with a message saying which page and what is wrong, without retrying", async () => {
    const cards = cardsOf151(260);
    const broken = await sourceFor((req, res) => {
      if (req.path === "/v2/cards" && req.query.get("page") === "2") return sendJson(res, 200, { data: "oops" });
      return api(cards)(req, res);
    });
    await expect(broken.source.cards(SV3PT5)).rejects.toThrow(
      /pokemontcg\.io GET \/cards failed \(BAD_RESPONSE\): page 2: data is not an array; 1 attempt\(s\)/,
    );

    const nameless = cardsOf151(5);
    delete nameless[3]!.name;
    const { source } = await sourceFor(api(nameless));
    await expect(source.cards(SV3PT5)).rejects.toMatchObject({
      code: "BAD_RESPONSE",
      message: expect.stringMatching(/page 1 data\[3\]\.name is not a non-empty string/),
    });

    const { source: noTotal } = await sourceFor((_req, res) => sendJson(res, 200, { data: [] }));
    await expect(noTotal.sets()).rejects.toThrow(/page 1: totalCount is not a non-negative integer/);
  });

  it("builds a catalog of the chosen sets that reads back card for card", async () => {
    const { source } = await sourceFor(api(cardsOf151(300)));
    const data = await buildCatalogData(source, { setIds: ["sv3pt5"] });
    expect(data.sets.map((set) => set.id)).toEqual(["sv3pt5"]);
    expect(data.cards).toHaveLength(300);
    expect(data.source).toMatch(/^pokemontcg\.io API \(http:\/\/127\.0\.0\.1:\d+\/v2\); .*© Nintendo/);
    expect(decodeCatalog(JSON.parse(JSON.stringify(encodeCatalog(data))) as CompactCatalog)).toEqual(data);
    await expect(buildCatalogData(source, { setIds: ["sv3pt5", "nope"] })).rejects.toThrow(
      /unknown set\(s\) nope: not among the 2 sets of pokemontcg\.io API/,
    );
  });

  it("refuses a set id that would widen the query", async () => {
    const { source } = await sourceFor(api([]));
    await expect(source.cards({ ...SV3PT5, id: "sv3pt5 OR set.id:*" })).rejects.toThrow(/is not a pokemontcg\.io id/);
  });
});
