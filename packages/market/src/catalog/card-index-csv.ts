import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";

/** What pricing models read of a card: its rarity and its set's release date. */
export interface CardIndexEntry {
  rarity: string | null;
  /** `YYYY-MM-DD` */
  setReleaseDate: string | null;
}

/**
 * Reads a card index in the format of `../shared/data/catalog/cards_index.csv` (`card_id`,
 * `set_release_date`, `rarity`, …): the whole English catalog, for evaluating on price files
 * whose cards are not in the bundled recent sets.
 */
export function readCardIndexCsv(path: string): Map<string, CardIndexEntry> {
  const rows = parse<Record<string, string | undefined>>(readFileSync(path, "utf8"), {
    columns: true,
    skip_empty_lines: true,
  });
  const first = rows[0];
  if (first && (!("card_id" in first) || !("set_release_date" in first) || !("rarity" in first))) {
    throw new Error(`${path}: a card index needs the columns card_id, set_release_date and rarity`);
  }
  const index = new Map<string, CardIndexEntry>();
  for (const row of rows) {
    if (!row.card_id) continue;
    index.set(row.card_id, { rarity: row.rarity || null, setReleaseDate: row.set_release_date || null });
  }
  return index;
}
