import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { BUNDLED_CATALOG_FILE, loadBundledCatalog } from "./catalog.js";
import { COMPACT_CATALOG_FORMAT, decodeCatalog, encodeCatalog, type CompactCatalog } from "./compact-catalog.js";
import { IMAGE_BASE_URL } from "./image-urls.js";

const catalog = loadBundledCatalog();
const compact = JSON.parse(readFileSync(BUNDLED_CATALOG_FILE, "utf8")) as CompactCatalog;

describe("the shipped catalog, packages/market/data/catalog.json", () => {
  it("holds every English set and card: 170 sets, 19,783 cards", () => {
    expect(compact.format).toBe(COMPACT_CATALOG_FORMAT);
    expect(catalog.sets()).toHaveLength(170);
    expect(catalog.size).toBe(19_783);
    expect(catalog.cards()).toHaveLength(19_783);
    expect(catalog.sets().map((set) => set.id)).toEqual(expect.arrayContaining(["base1", "swsh7", "sv3pt5", "me2"]));
  });

  it("has unique card ids, every card in a set it holds, and every set with cards", () => {
    const ids = catalog.cards().map((card) => card.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(catalog.cards().every((card) => catalog.set(card.setId) !== undefined)).toBe(true);
    expect(catalog.sets().filter((set) => catalog.cards(set.id).length === 0)).toEqual([]);
    expect(catalog.sets().every((set) => /^\d{4}-\d{2}-\d{2}$/.test(set.releaseDate))).toBe(true);
  });

  it("has the real cards: Base Set Charizard, 151's Charizard ex SIR, Evolving Skies' Umbreon VMAX", () => {
    expect(catalog.card("base1-4")).toEqual({
      id: "base1-4",
      setId: "base1",
      name: "Charizard",
      number: "4",
      rarity: "Rare Holo",
      supertype: "Pokémon",
      subtypes: ["Stage 2"],
      types: ["Fire"],
      hp: 120,
      artist: "Mitsuhiro Arita",
      nationalPokedexNumbers: [6],
      imageUrl: "https://images.pokemontcg.io/base1/4.png",
      imageUrlLarge: "https://images.pokemontcg.io/base1/4_hires.png",
    });
    expect(catalog.card("sv3pt5-199")).toMatchObject({
      name: "Charizard ex",
      rarity: "Special Illustration Rare",
      subtypes: ["Stage 2", "ex"],
      hp: 330,
      artist: "miki kudo",
      imageUrl: "https://images.pokemontcg.io/sv3pt5/199.png",
    });
    expect(catalog.set("base1")).toMatchObject({ name: "Base", series: "Base", releaseDate: "1999-01-09", total: 102 });
    expect(catalog.set("sv3pt5")).toMatchObject({
      name: "151",
      releaseDate: "2023-09-22",
      symbolUrl: "https://images.pokemontcg.io/sv3pt5/symbol.png",
      logoUrl: "https://images.pokemontcg.io/sv3pt5/logo.png",
    });
    // swsh7 has no full JSON in the source: its card comes from the flattened index.
    expect(catalog.card("swsh7-215")).toMatchObject({
      name: "Umbreon VMAX",
      rarity: "Rare Rainbow",
      subtypes: ["VMAX", "Single Strike"],
      types: ["Darkness"],
      nationalPokedexNumbers: [197],
    });
  });

  it("derives image URLs only where the id is <set>-<number>, keeps the true ones, and leaves unknown ones null", () => {
    // From the index alone: derived by the pattern.
    expect(catalog.card("swsh7-215")).toMatchObject({
      imageUrl: `${IMAGE_BASE_URL}/swsh7/215.png`,
      imageUrlLarge: `${IMAGE_BASE_URL}/swsh7/215_hires.png`,
    });
    // Numbered 60, pictured as 80 upstream: the full JSON's URL is kept, not the pattern's.
    expect(catalog.card("zsv10pt5-80")).toMatchObject({
      number: "60",
      imageUrl: `${IMAGE_BASE_URL}/zsv10pt5/80.png`,
      imageUrlLarge: `${IMAGE_BASE_URL}/zsv10pt5/80_hires.png`,
    });
    // Index only, and the id is not <set>-<number>: no URL is guessed.
    expect(catalog.card("cel25c-15_A1")).toMatchObject({ number: "15", imageUrl: null, imageUrlLarge: null });
    const unknown = catalog.cards().filter((card) => card.imageUrl === null);
    // The 25 Celebrations Classic Collection cards whose ids carry `_A…`: the only unknown ones.
    expect(unknown).toHaveLength(25);
    expect(unknown.every((card) => card.setId === "cel25c" && card.id !== `cel25c-${card.number}`)).toBe(true);
  });

  it("stores no image URL the pattern gives, and reads back exactly what it encodes", () => {
    const text = readFileSync(BUNDLED_CATALOG_FILE, "utf8");
    expect(text).not.toContain("/base1/4.png");
    const data = decodeCatalog(compact);
    expect(decodeCatalog(JSON.parse(JSON.stringify(encodeCatalog(data))) as CompactCatalog)).toEqual(data);
    // Compact enough to ship: under 1 MB raw, under 300 kB gzipped (docs/data.md has the figures).
    expect(text.length).toBeLessThan(1_000_000);
    expect(gzipSync(text).length).toBeLessThan(300_000);
  });
});
