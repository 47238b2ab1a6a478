import { describe, expect, it } from "vitest";
import type { CatalogCard, CatalogData } from "./catalog-types.js";
import { decodeCatalog, encodeCatalog, type CompactCatalog } from "./compact-catalog.js";
import { derivedImageUrls } from "./image-urls.js";

const card = (overrides: Partial<CatalogCard>): CatalogCard => ({
  id: "s1-1",
  setId: "s1",
  name: "Pikachu",
  number: "1",
  rarity: "Common",
  supertype: "Pokémon",
  subtypes: ["Basic"],
  types: ["Lightning"],
  hp: 60,
  artist: "Atsuko Nishida",
  nationalPokedexNumbers: [25],
  ...derivedImageUrls("s1", "1"),
  ...overrides,
});

const data: CatalogData = {
  source: "test",
  sets: [
    {
      id: "s1",
      name: "One",
      series: "S",
      printedTotal: 3,
      total: 4,
      releaseDate: "2020-02-02",
      symbolUrl: "https://images.pokemontcg.io/s1/symbol.png",
      logoUrl: null,
    },
  ],
  cards: [
    card({}),
    card({
      id: "s1-2",
      number: "2",
      rarity: null,
      artist: null,
      hp: null,
      subtypes: [],
      types: [],
      nationalPokedexNumbers: [],
    }),
    card({ id: "s1-3_A", number: "3", nationalPokedexNumbers: [29, 32], imageUrl: null, imageUrlLarge: null }),
    card({ id: "s1-4", number: "4", imageUrl: "https://example.test/odd.png", imageUrlLarge: null }),
  ],
};

describe("the compact catalog format", () => {
  const compact = JSON.parse(JSON.stringify(encodeCatalog(data))) as CompactCatalog;

  it("reads back exactly what it wrote: nulls, empty and multiple lists, odd ids and images", () => {
    expect(decodeCatalog(compact)).toEqual(data);
  });

  it("stores repeated values once, the derived image URLs not at all, the others as they are", () => {
    expect(compact.values.artist).toEqual(["Atsuko Nishida"]);
    expect(compact.sets[0]!.cards[0]).toEqual(["1", "Pikachu", 0, 0, 0, 0, 60, 0, 25]);
    expect(compact.sets[0]!.cards[2]!.at(-1)).toEqual({ id: "s1-3_A", images: [null, null] });
    expect(compact.sets[0]!.cards[3]!.at(-1)).toEqual({ images: ["https://example.test/odd.png", null] });
    expect(compact.sets[0]).not.toHaveProperty("symbolUrl");
    expect(compact.sets[0]).toHaveProperty("logoUrl", null);
  });

  it("hands out list attributes that cannot be changed under other cards", () => {
    const [first] = decodeCatalog(compact).cards;
    expect(() => first!.subtypes.push("ex")).toThrow(TypeError);
  });

  it("refuses another format, and a card pointing past its tables", () => {
    expect(() => decodeCatalog({ ...compact, format: "pokewatch.catalog/1" } as never)).toThrow(
      /not a pokewatch\.catalog\/2 catalog \(format "pokewatch\.catalog\/1"\)/,
    );
    const broken = structuredClone(compact);
    broken.sets[0]!.cards[0]![3] = 99;
    expect(() => decodeCatalog(broken)).toThrow(/catalog card s1-1: .* refers to a value the catalog does not hold/);
  });

  it("refuses a card of a set it does not hold", () => {
    expect(() => encodeCatalog({ ...data, cards: [card({ setId: "gone" })] })).toThrow(/unknown set gone/);
  });
});
