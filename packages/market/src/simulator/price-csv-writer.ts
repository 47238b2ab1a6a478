import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PricePoint } from "../prices/price-point.js";

/** The shared price CSV columns: the required four plus every optional one. */
export const PRICE_CSV_HEADER = "card_id,date,market_price,low_price,high_price,volume,source,currency";

/** Rows are batched into chunks of about this many characters: one write per row is far slower. */
const CHUNK_CHARS = 64 * 1024;
const NEEDS_QUOTES = /[",\r\n]/;

function csvText(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

// Rows come card by card from one source, so remembering the last id saves a regex per row.
let lastId = "";
let lastIdText = "";
function csvId(value: string): string {
  if (value !== lastId) [lastId, lastIdText] = [value, csvText(value)];
  return lastIdText;
}

/**
 * Whole cents as `12.30`, by integer arithmetic: `String(number)` was the writer's costliest step at
 * millions of rows. Anything finer than a cent keeps `String`'s exact shortest form, so no price is
 * rounded by writing it.
 */
function csvPrice(value: number | null): string {
  if (value === null) return "";
  const cents = Math.round(value * 100);
  if (cents / 100 !== value || cents < 0 || cents > Number.MAX_SAFE_INTEGER) return String(value);
  const fraction = cents % 100;
  return `${(cents - fraction) / 100}.${fraction < 10 ? "0" : ""}${fraction}`;
}

const csvCount = (value: number | null): string => (value === null ? "" : String(value));

/** One CSV line (with its newline) for `point`; prices are USD. */
export function formatPriceCsvRow(point: PricePoint): string {
  return `${csvId(point.cardId)},${csvText(point.date)},${csvPrice(point.market)},${csvPrice(point.low)},${csvPrice(point.high)},${csvCount(point.volume)},${csvText(point.source)},USD\n`;
}

export interface WritePriceCsvOptions {
  /** Write the header line first. @default true */
  header?: boolean;
  /** End `out` when done; pass false for process.stdout or to append more. @default true */
  end?: boolean;
}

/** Points one by one, or a card's whole series at a time (much cheaper at millions of points). */
export type PriceCsvInput = PricePoint | readonly PricePoint[];
type Inputs = Iterable<PriceCsvInput> | AsyncIterable<PriceCsvInput>;

/** Batches rows into chunks; `rows` counts what has been formatted so far. */
function createChunker(header: boolean) {
  let chunk = header ? `${PRICE_CSV_HEADER}\n` : "";
  const chunker = {
    rows: 0,
    add(input: PriceCsvInput): string | null {
      if (isSeries(input)) {
        for (const point of input) chunk += formatPriceCsvRow(point);
        chunker.rows += input.length;
      } else {
        chunk += formatPriceCsvRow(input);
        chunker.rows++;
      }
      if (chunk.length < CHUNK_CHARS) return null;
      const full = chunk;
      chunk = "";
      return full;
    },
    rest: (): string | null => (chunk.length > 0 ? chunk : null),
  };
  return chunker;
}

function isSeries(input: PriceCsvInput): input is readonly PricePoint[] {
  return Array.isArray(input);
}

function* syncChunks(inputs: Iterable<PriceCsvInput>, chunker: ReturnType<typeof createChunker>): Generator<string> {
  for (const input of inputs) {
    const full = chunker.add(input);
    if (full !== null) yield full;
  }
  const rest = chunker.rest();
  if (rest !== null) yield rest;
}

async function* asyncChunks(
  inputs: AsyncIterable<PriceCsvInput>,
  chunker: ReturnType<typeof createChunker>,
): AsyncGenerator<string> {
  for await (const input of inputs) {
    const full = chunker.add(input);
    if (full !== null) yield full;
  }
  const rest = chunker.rest();
  if (rest !== null) yield rest;
}

/**
 * Streams points to `out` as CSV in the shared format and resolves with the number of rows written.
 * The next points are read only when `out` has room, so nothing piles up in memory; a plain iterable
 * is read without a microtask per item. A failing `out` rejects the promise.
 */
export async function writePriceCsv(
  inputs: Inputs,
  out: Writable,
  options: WritePriceCsvOptions = {},
): Promise<number> {
  const chunker = createChunker(options.header ?? true);
  const chunks = Symbol.iterator in inputs ? syncChunks(inputs, chunker) : asyncChunks(inputs, chunker);
  await pipeline(Readable.from(chunks, { objectMode: false }), out, { end: options.end ?? true });
  return chunker.rows;
}
