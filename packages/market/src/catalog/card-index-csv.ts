import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { parseIsoDay } from "../calendar-day.js";

/** What pricing models read of a card: its rarity and its set's release date. */
export interface CardIndexEntry {
  rarity: string | null;
  /** `YYYY-MM-DD`, a day the calendar has; null when blank or not such a day (unknown, not an error). */
  setReleaseDate: string | null;
}

/**
 * Reads a card index in the format of `../shared/data/catalog/cards_index.csv` (`card_id`,
 * `set_release_date`, `rarity`, …), for evaluating on price files whose cards the bundled catalog
 * does not hold (it holds every English card as of its build). A malformed or impossible release date
 * (`1999/01/09`, `2025-02-30`) reads as unknown: one bad cell should cost that card its set age, not
 * the whole evaluation, and passed on it would turn the set-age feature into NaN.
 */
export function readCardIndexCsv(path: string): Map<string, CardIndexEntry> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a file the operator names on the command line
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
    index.set(row.card_id, { rarity: row.rarity || null, setReleaseDate: calendarDay(row.set_release_date) });
  }
  return index;
}

function calendarDay(text: string | undefined): string | null {
  const day = text?.trim() ?? "";
  return parseIsoDay(day) === null ? null : day;
}
