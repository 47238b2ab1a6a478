import { describe, expect, it } from "vitest";
import { createCatalog } from "../catalog/catalog.js";
import { catalogCardsInOrder, simulatedCards, simulatedCatalogData, simulatedSets } from "./simulated-cards.js";
import { simulationCatalog } from "./simulated-sets.js";

const catalog = simulationCatalog();
const real = catalogCardsInOrder(catalog);

describe("simulatedCards", () => {
  it("starts with every real catalog card, in catalog order", () => {
    expect(real).toHaveLength(catalog.size);
    expect(new Set(real.map((card) => card.id)).size).toBe(catalog.size);
    const firstPage = catalog.search({ first: 100 }).edges.map((edge) => edge.node.id);
    expect(real.slice(0, 100).map((card) => card.id)).toEqual(firstPage);
    const cards = simulatedCards(catalog.size, catalog);
    expect(cards.map((card) => card.id)).toEqual(real.map((card) => card.id));
    expect(cards.every((card) => card.templateId === card.id)).toBe(true);
  });

  it("clones the catalog beyond its size with unique ids, keeping set and rarity", () => {
    const n = catalog.size;
    const cards = simulatedCards(2 * n + 5, catalog);
    expect(new Set(cards.map((card) => card.id)).size).toBe(cards.length);
    expect(cards[n]).toMatchObject({ id: `${real[0]!.id}-s1`, templateId: real[0]!.id });
    expect(cards[2 * n + 4]).toMatchObject({ id: `${real[4]!.id}-s2`, templateId: real[4]!.id });
    for (const clone of cards.slice(n)) {
      const template = catalog.card(clone.templateId)!;
      expect(clone).toMatchObject({ setId: template.setId, rarity: template.rarity, name: template.name });
    }
  });

  it("carries each card's set release date", () => {
    for (const card of simulatedCards(catalog.size + 10, catalog)) {
      expect(card.setReleaseDate).toBe(catalog.set(card.setId)!.releaseDate);
    }
  });

  it("is a prefix of any larger run", () => {
    expect(simulatedCards(3000, catalog).slice(0, 2500)).toEqual(simulatedCards(2500, catalog));
  });

  it("gives a catalog that resolves every simulated id", () => {
    const data = simulatedCatalogData(catalog.size + 50, catalog);
    const resolved = createCatalog(data);
    expect(resolved.size).toBe(catalog.size + 50);
    expect(resolved.card(`${real[49]!.id}-s1`)?.setId).toBe(real[49]!.setId);
    expect(simulatedSets(simulatedCards(1, catalog), catalog).map((set) => set.id)).toEqual([real[0]!.setId]);
  });

  it("rejects a count that is not a whole number ≥ 0", () => {
    expect(simulatedCards(0, catalog)).toEqual([]);
    expect(() => simulatedCards(-1, catalog)).toThrow(/whole number ≥ 0; got -1/);
    expect(() => simulatedCards(1.5, catalog)).toThrow(RangeError);
  });
});
