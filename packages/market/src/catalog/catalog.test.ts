import { describe, expect, it } from "vitest";
import { CatalogInputError, SEARCH_PAGE_MAX, foldText } from "./card-search.js";
import { createCatalog, loadBundledCatalog } from "./catalog.js";
import type { CatalogCard, CatalogData } from "./catalog-types.js";

const catalog = loadBundledCatalog();

function card(id: string, setId: string, number: string, name: string, rarity: string | null = "Common"): CatalogCard {
  return {
    id,
    setId,
    name,
    number,
    rarity,
    supertype: "Pokémon",
    subtypes: [],
    types: [],
    hp: null,
    artist: null,
    nationalPokedexNumbers: [],
    imageUrl: null,
    imageUrlLarge: null,
  };
}

const small: CatalogData = {
  source: "test",
  sets: [
    {
      id: "old",
      name: "Old",
      series: "S",
      printedTotal: 3,
      total: 3,
      releaseDate: "2020-01-01",
      symbolUrl: null,
      logoUrl: null,
    },
    {
      id: "new",
      name: "New",
      series: "S",
      printedTotal: 3,
      total: 3,
      releaseDate: "2024-01-01",
      symbolUrl: null,
      logoUrl: null,
    },
  ],
  cards: [
    card("old-2", "old", "2", "Pikachu"),
    card("old-10", "old", "10", "Raichu"),
    card("new-1", "new", "1", "Flabébé", "Rare"),
    card("old-1", "old", "1", "Pichu"),
  ],
};

describe("bundled catalog", () => {
  it("ships every English set with real cards, old and new", () => {
    expect(catalog.size).toBe(19_783);
    expect(catalog.card("sv3pt5-6")).toMatchObject({ name: "Charizard ex", setId: "sv3pt5", rarity: "Double Rare" });
    expect(catalog.set("sv3pt5")).toMatchObject({ name: "151", releaseDate: "2023-09-22" });
    expect(catalog.card("base1-4")).toMatchObject({ name: "Charizard", setId: "base1", rarity: "Rare Holo" });
  });

  it("finds every Pikachu across sets, the newest first", () => {
    const page = catalog.search({ name: "pikachu", first: 100 });
    const all = catalog.cards().filter((card) => foldText(card.name).includes("pikachu"));
    expect(page.totalCount).toBe(all.length);
    expect(page.totalCount).toBeGreaterThan(100);
    expect(page.edges.map((edge) => edge.node.id)).toEqual(all.slice(0, 100).map((card) => card.id));
    expect(page.edges[0]!.node.setId).not.toBe("base1");
  });

  it("filters by set, rarity and supertype over the whole catalog", () => {
    const page = catalog.search({ setId: "base1", rarity: "rare holo", supertype: "pokémon", first: 100 });
    expect(page.totalCount).toBe(
      catalog.cards("base1").filter((card) => card.rarity === "Rare Holo" && card.supertype === "Pokémon").length,
    );
    expect(page.edges.map((edge) => edge.node.id)).toContain("base1-4");
    expect(catalog.search({ setId: "no-such-set" }).totalCount).toBe(0);
  });
});

describe("search order and filters", () => {
  const tiny = createCatalog(small);

  it("orders newest set first, then collector number numerically", () => {
    expect(tiny.search({}).edges.map((e) => e.node.id)).toEqual(["new-1", "old-1", "old-2", "old-10"]);
  });

  it("matches names without case or accents", () => {
    expect(tiny.search({ name: "FLABEBE" }).edges.map((e) => e.node.id)).toEqual(["new-1"]);
  });

  it("combines set and rarity filters", () => {
    expect(tiny.search({ setId: "old", rarity: "common" }).totalCount).toBe(3);
    expect(tiny.search({ setId: "old", rarity: "rare" }).totalCount).toBe(0);
  });

  it("rejects a card whose set is missing, and an id given twice", () => {
    expect(() => createCatalog({ ...small, cards: [...small.cards, card("old-1", "new", "9", "Again")] })).toThrow(
      /catalog card id old-1 appears twice/,
    );
    expect(() => createCatalog({ ...small, cards: [card("x-1", "nope", "1", "X")] })).toThrow(/unknown set nope/);
  });
});

describe("cursor pagination", () => {
  it("walks a filtered result page by page without skipping or repeating a card", () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = catalog.search({ name: "pikachu", first: 3, after });
      seen.push(...page.edges.map((e) => e.node.id));
      expect(page.hasPreviousPage).toBe(pages > 0);
      pages += 1;
      if (!page.hasNextPage) break;
      after = page.edges.at(-1)!.cursor;
    }
    const all = catalog.cards().filter((card) => foldText(card.name).includes("pikachu"));
    expect(seen).toEqual(all.map((card) => card.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(all.length / 3));
  });

  it("rejects a cursor it did not issue", () => {
    expect(() => catalog.search({ after: "bm90LWEtY3Vyc29y" })).toThrow(CatalogInputError);
    expect(() => catalog.search({ after: Buffer.from("card:-4").toString("base64url") })).toThrow(/not a cursor/);
  });

  it.each([0, -1, SEARCH_PAGE_MAX + 1, 2.5])("rejects first = %s", (first) => {
    expect(() => catalog.search({ first })).toThrow(expect.objectContaining({ argument: "first" }));
  });
});
