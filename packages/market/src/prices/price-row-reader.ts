import { looksLikeIsoDay, parseIsoDay } from "../calendar-day.js";
import { FirstRows } from "./first-rows.js";
import { PriceCsvError, type PriceRowRejection, type RejectedRow } from "./price-csv-error.js";
import type { PricePoint } from "./price-point.js";

export const REQUIRED_PRICE_COLUMNS = ["card_id", "date", "market_price", "currency"] as const;
export const OPTIONAL_PRICE_COLUMNS = ["low_price", "high_price", "volume", "source", "grade", "variant"] as const;
type Column = (typeof REQUIRED_PRICE_COLUMNS)[number] | (typeof OPTIONAL_PRICE_COLUMNS)[number];

export interface PriceRowOptions {
  /** Source of rows when the file has no `source` column (or leaves it blank). @default "csv" */
  defaultSource?: string;
}

/** Turns one row's fields into a point, or says why not. */
export type PriceRowReader = (fields: string[], line: number) => PricePoint | RejectedRow;

export const isRejected = (row: PricePoint | RejectedRow): row is RejectedRow => "code" in row;

class RowProblem {
  constructor(
    readonly code: PriceRowRejection,
    readonly reason: string,
  ) {}
}

// Each digit run ends at a ".", an "e" or the end, so a bad field fails in linear time (`\d+\.?\d*` could
// split one run two ways: quadratic on a long run of digits).
// eslint-disable-next-line security/detect-unsafe-regex -- linear as above; safe-regex flags any quantifier in an optional group
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
// Stray quotes end up inside fields (see relax_quotes in price-csv.ts); they never belong in an id.
const CARD_ID = /^[^\s"'\p{Cc}]{1,100}$/u;
const RAW_LIMIT = 200;
// The column is a PostgreSQL `integer`: one larger value would fail the whole import.
export const MAX_VOLUME = 2_147_483_647;
// The source is part of the primary key, whose index entries must stay under ~2.7 KB; 255 characters
// (at most 1 KB) fit beside a 100-character card_id and hold any file name as a default.
export const MAX_SOURCE_LENGTH = 255;

/**
 * Checks the header and returns a reader for the rows below it. The reader remembers every
 * (card_id, date, source) it accepted, so a repeat names the line that came first.
 */
export function createPriceRowReader(
  header: string[],
  { defaultSource = "csv" }: PriceRowOptions = {},
): PriceRowReader {
  const fallbackSource = defaultSource.trim();
  if (fallbackSource === "") throw new RangeError("defaultSource must not be blank");
  const sourceFault = sourceProblem(fallbackSource);
  if (sourceFault) throw new RangeError(`defaultSource ${sourceFault}`);
  const at = locateColumns(header);
  const width = header.length;
  const firstRows = new FirstRows(at.variant !== -1);

  return (fields, line) => {
    try {
      if (fields.length !== width) {
        throw new RowProblem("FIELD_COUNT", `expected ${width} fields as in the header, found ${fields.length}`);
      }
      // Checked first: a graded row is never imported, so the graded file reports one clear code.
      const grade = at.grade === -1 ? "" : fields[at.grade]!.trim();
      if (grade !== "" && grade.toUpperCase() !== "RAW") {
        throw new RowProblem(
          "GRADED",
          `graded prices (${grade}) are a different product; only raw prices are imported`,
        );
      }
      const cardId = fields[at.card_id]!.trim();
      if (cardId === "") throw new RowProblem("BLANK_CARD_ID", "card_id is blank");
      if (!CARD_ID.test(cardId)) {
        throw new RowProblem(
          "BAD_CARD_ID",
          `card_id ${JSON.stringify(cardId)} is not an id: at most 100 characters, no spaces, quotes or control characters`,
        );
      }
      const date = fields[at.date]!.trim();
      const day = dayNumber(date);
      const market = price(fields, at.market_price, "market_price")!;
      const currency = fields[at.currency]!.trim();
      if (currency.toUpperCase() !== "USD") {
        throw new RowProblem("BAD_CURRENCY", `currency ${JSON.stringify(currency)} is not USD`);
      }
      const low = price(fields, at.low_price, "low_price");
      const high = price(fields, at.high_price, "high_price");
      if (low !== null && high !== null && low > high) {
        throw new RowProblem("LOW_ABOVE_HIGH", `low_price ${low} is above high_price ${high}`);
      }
      const volume = wholeNumber(fields, at.volume);
      const source = (at.source === -1 ? "" : fields[at.source]!.trim()) || fallbackSource;
      const badSource = sourceProblem(source);
      if (badSource) throw new RowProblem("BAD_SOURCE", `source ${badSource}`);
      const variant = at.variant === -1 ? "" : fields[at.variant]!.trim();

      const series = firstRows.seriesOf(cardId, source);
      const kept = firstRows.kept(series, day);
      if (kept && kept.variant !== variant) {
        throw new RowProblem(
          "OTHER_VARIANT",
          `variant ${JSON.stringify(variant)} left out: line ${kept.line} gave this card_id, date and source ` +
            `as variant ${JSON.stringify(kept.variant)} (the first variant in the file is kept)`,
        );
      }
      if (kept) throw new RowProblem("DUPLICATE", `duplicate of line ${kept.line} (same card_id, date and source)`);
      firstRows.keep(series, day, line, variant);
      return { cardId: series.cardId, date, market, low, high, volume, source: series.source };
    } catch (error) {
      if (!(error instanceof RowProblem)) throw error;
      return { line, code: error.code, reason: error.reason, raw: asCsv(fields) };
    }
  };
}

function locateColumns(header: string[]): Record<Column, number> {
  const names = header.map((name) => name.trim().toLowerCase());
  const missing = REQUIRED_PRICE_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    throw new PriceCsvError(
      "MISSING_COLUMNS",
      `the header lacks ${missing.join(", ")}: a price CSV needs ${REQUIRED_PRICE_COLUMNS.join(", ")} ` +
        `(optional: ${OPTIONAL_PRICE_COLUMNS.join(", ")}); found ${JSON.stringify(header.join(","))}`,
    );
  }
  const known = [...REQUIRED_PRICE_COLUMNS, ...OPTIONAL_PRICE_COLUMNS];
  const twice = known.filter((column) => names.indexOf(column) !== names.lastIndexOf(column));
  if (twice.length > 0) {
    throw new PriceCsvError("DUPLICATE_COLUMNS", `the header names ${twice.join(", ")} more than once`);
  }
  return Object.fromEntries(known.map((column) => [column, names.indexOf(column)])) as Record<Column, number>;
}

/** `YYYY-MM-DD` as a day number, refusing days the calendar does not have (2025-02-30). */
function dayNumber(text: string): number {
  if (!looksLikeIsoDay(text)) throw new RowProblem("BAD_DATE", `date ${JSON.stringify(text)} is not YYYY-MM-DD`);
  const day = parseIsoDay(text);
  if (day === null) throw new RowProblem("BAD_DATE", `date ${text} does not exist`);
  return day;
}

/** A price column: required ones must be present, any given price must be a number above 0. */
function price(fields: string[], index: number, column: Column): number | null {
  const text = index === -1 ? "" : fields[index]!.trim();
  if (text === "") {
    if (column === "market_price") throw new RowProblem("BAD_PRICE", "market_price is blank");
    return null;
  }
  const value = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(value)) {
    throw new RowProblem("BAD_PRICE", `${column} ${JSON.stringify(text)} is not a number`);
  }
  if (value <= 0) throw new RowProblem("BAD_PRICE", `${column} must be more than 0, found ${text}`);
  return value;
}

function wholeNumber(fields: string[], index: number): number | null {
  const text = index === -1 ? "" : fields[index]!.trim();
  if (text === "") return null;
  if (!/^\+?\d+$/.test(text)) {
    throw new RowProblem("BAD_VOLUME", `volume ${JSON.stringify(text)} is not a whole number of 0 or more`);
  }
  const value = Number(text);
  if (value > MAX_VOLUME) {
    throw new RowProblem("BAD_VOLUME", `volume ${text} is above ${MAX_VOLUME}, the most the price store can hold`);
  }
  return value;
}

/** What the database would refuse in a source, or undefined. */
function sourceProblem(source: string): string | undefined {
  if (source.includes("\u0000")) return "contains a NUL character, which PostgreSQL text cannot hold";
  // UTF-16 units never undercount characters, so most sources skip the exact count.
  const length = source.length > MAX_SOURCE_LENGTH ? [...source].length : 0;
  if (length > MAX_SOURCE_LENGTH) return `is ${length} characters long, more than ${MAX_SOURCE_LENGTH}`;
  return undefined;
}

/** The fields written back as one CSV line, so a rejected row can be found and fixed. */
function asCsv(fields: string[]): string {
  const line = fields.map((field) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)).join(",");
  return line.length > RAW_LIMIT ? `${line.slice(0, RAW_LIMIT - 1)}…` : line;
}
