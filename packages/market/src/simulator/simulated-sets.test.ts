import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createCatalog, loadBundledCatalog } from "../catalog/catalog.js";
import { createMarketSimulator } from "./simulate-market.js";
import { SIMULATED_SETS, simulationCatalog } from "./simulated-sets.js";

const bundled = loadBundledCatalog();

describe("SIMULATED_SETS", () => {
  it("are 11 recent sets of the bundled catalog, 2,080 cards of its 19,783", () => {
    expect(SIMULATED_SETS).toHaveLength(11);
    expect(SIMULATED_SETS.every((id) => bundled.set(id) !== undefined)).toBe(true);
    const recent = simulationCatalog();
    expect(recent.size).toBe(2080);
    expect(bundled.size).toBe(19_783);
    expect(new Set(recent.cards().map((card) => card.setId))).toEqual(new Set(SIMULATED_SETS));
  });

  it("keeps the bundled catalog's order and cards", () => {
    const recent = simulationCatalog();
    const inSets = bundled.cards().filter((card) => SIMULATED_SETS.includes(card.setId));
    expect(recent.cards()).toEqual(inSets);
    expect(recent.card("sv3pt5-199")).toEqual(bundled.card("sv3pt5-199"));
    expect(recent.card("base1-4")).toBeUndefined();
  });

  it("is what the simulator prices by default, so a default run never reaches the older sets", () => {
    const simulator = createMarketSimulator({ cards: 2080, days: 1, seed: 1 });
    expect(simulator.cards.every((card) => SIMULATED_SETS.includes(card.setId))).toBe(true);
    expect(simulator.cards.map((card) => card.id)).toEqual(
      simulationCatalog()
        .cards()
        .map((card) => card.id),
    );
  });

  it("takes other sets, and leaves out the ones a catalog does not hold", () => {
    expect(simulationCatalog(bundled, ["base1", "nope"]).size).toBe(102);
    const tiny = createCatalog({ source: "test", sets: [bundled.set("base1")!], cards: [bundled.card("base1-4")!] });
    expect(simulationCatalog(tiny).size).toBe(0);
  });
});

describe("docs/simulator.md", () => {
  it("lists SIMULATED_SETS as they are", () => {
    const docs = readFileSync(new URL("../../../../docs/simulator.md", import.meta.url), "utf8");
    const section = docs.slice(docs.indexOf("## Which cards"), docs.indexOf("## What it models"));
    const listed = [...section.matchAll(/`([a-z0-9]+)`/g)].map((match) => match[1]).filter((id) => bundled.set(id!));
    expect(listed).toEqual([...SIMULATED_SETS]);
    expect(section).toContain(`${simulationCatalog().size.toLocaleString("en-US")} cards`);
  });
});
