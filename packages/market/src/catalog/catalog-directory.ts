/* eslint-disable security/detect-non-literal-fs-filename -- files inside the local catalog copy the operator points at */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import type { CatalogSource } from "./catalog-build.js";
import type { CatalogCard } from "./catalog-types.js";
import { catalogCardOf, catalogCardOfIndexRow, catalogSetOf, type CardIndexRow } from "./upstream-catalog.js";

/**
 * A local copy of the catalog laid out as `../shared/data/catalog`: `sets.json` (upstream
 * `sets/en.json`), `cards_index.csv` (every card, flattened) and `cards/<setId>.json` (upstream
 * card JSON) for some sets. A set's full JSON is preferred where present, since only it carries
 * the true image URLs; the index covers the rest.
 */
export function createDirectoryCatalogSource(dir: string): CatalogSource {
  let index: Promise<Map<string, CatalogCard[]>> | undefined;
  const readIndex = async () => {
    const path = join(dir, "cards_index.csv");
    const rows = parse<CardIndexRow>(await readFile(path, "utf8"), { columns: true, skip_empty_lines: true });
    const bySet = new Map<string, CatalogCard[]>();
    rows.forEach((row, i) => {
      const card = catalogCardOfIndexRow(row, `${path} row ${i + 2}`);
      if (!bySet.has(card.setId)) bySet.set(card.setId, []);
      bySet.get(card.setId)!.push(card);
    });
    return bySet;
  };
  return {
    description: `local copy ${dir}`,
    async sets() {
      const path = join(dir, "sets.json");
      const sets: unknown = JSON.parse(await readFile(path, "utf8"));
      if (!Array.isArray(sets)) throw new Error(`${path} is not a list of sets`);
      return sets.map((set, i) => catalogSetOf(set, `${path}[${i}]`));
    },
    async cards(set) {
      const path = join(dir, "cards", `${set.id}.json`);
      if (existsSync(path)) {
        const cards: unknown = JSON.parse(await readFile(path, "utf8"));
        if (!Array.isArray(cards)) throw new Error(`${path} is not a list of cards`);
        return cards.map((card, i) => catalogCardOf(card, set.id, `${path}[${i}]`));
      }
      const cards = (await (index ??= readIndex())).get(set.id);
      if (!cards) throw new Error(`set ${set.id} has neither ${path} nor rows in ${join(dir, "cards_index.csv")}`);
      return cards;
    },
  };
}
