import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { parse, type Options, type Parser } from "csv-parse";
import { parse as parseText } from "csv-parse/sync";
import { PriceCsvError, type RejectedRow } from "./price-csv-error.js";
import type { PricePoint } from "./price-point.js";
import { createPriceRowReader, isRejected, type PriceRowOptions, type PriceRowReader } from "./price-row-reader.js";

export interface PriceCsvResult {
  points: PricePoint[];
  rejected: RejectedRow[];
}

export interface PriceCsvStreamOptions extends PriceRowOptions {
  /** A batch is handed over once it holds at least this many points. @default 5000 */
  batchSize?: number;
}

type Emit = (row: PricePoint | RejectedRow) => void;

/**
 * csv-parse does the quoting; this feeds each record to the row reader (the first one is the
 * header) and works out the line each record starts on.
 */
function createSession(options: PriceRowOptions, emit: Emit) {
  let read: PriceRowReader | undefined;
  // csv-parse counts the \r and the \n of a CRLF inside a quoted field as two lines.
  let overcount = 0;
  let nextLine = 1;
  const csv: Options = {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    // Strict quoting stays inside the quote after a bad closing quote and silently swallows the
    // rows that follow; relaxed, the stray quote stays in its field and that one row is rejected.
    relax_quotes: true,
    skip_records_with_error: true,
    on_record: (fields: string[], { lines }) => {
      const { breaks, crlfs } = lineBreaksIn(fields);
      overcount += crlfs;
      const lastLine = lines - overcount;
      nextLine = lastLine + 1;
      if (read) emit(read(fields, lastLine - breaks));
      else read = createPriceRowReader(fields, options);
      return null;
    },
    on_skip: (error) => {
      // csv-parse's own message names the line it gave up on, counted its way; ours names the start.
      const reason =
        error?.code === "CSV_QUOTE_NOT_CLOSED"
          ? "a quote opened in this row is never closed, so the rest of the file was read as one field"
          : (error?.message ?? "the row is not valid CSV");
      emit({ line: nextLine, code: "MALFORMED_CSV", reason });
      if (typeof error?.lines === "number") nextLine = error.lines - overcount + 1;
    },
  };
  const finish = () => {
    if (!read) throw new PriceCsvError("EMPTY_FILE", "the file is empty: a price CSV starts with a header row");
  };
  return { csv, finish };
}

/** Line breaks inside the fields of one record (a CRLF is one), and how many were CRLFs. */
function lineBreaksIn(fields: string[]): { breaks: number; crlfs: number } {
  let breaks = 0;
  let crlfs = 0;
  for (const field of fields) {
    if (!field.includes("\n") && !field.includes("\r")) continue;
    for (let i = 0; i < field.length; i++) {
      const char = field[i];
      if (char === "\r" && field[i + 1] === "\n") crlfs++;
      else if (char === "\r" || char === "\n") breaks++;
    }
  }
  return { breaks: breaks + crlfs, crlfs };
}

/** Parses a whole price CSV held in memory. Bad rows are reported; a bad header throws `PriceCsvError`. */
export function parsePriceCsv(text: string | Buffer, options: PriceRowOptions = {}): PriceCsvResult {
  const result: PriceCsvResult = { points: [], rejected: [] };
  const session = createSession(options, (row) => {
    if (isRejected(row)) result.rejected.push(row);
    else result.points.push(row);
  });
  parseText(text, session.csv);
  session.finish();
  return result;
}

/**
 * Parses a price CSV as it arrives and hands over batches of points (with the rows rejected
 * meanwhile), so a file of millions of rows never sits in memory as text or as points.
 */
export async function* streamPriceCsv(
  input: AsyncIterable<Buffer | string>,
  { batchSize = 5000, ...options }: PriceCsvStreamOptions = {},
): AsyncGenerator<PriceCsvResult> {
  let batch: PriceCsvResult = { points: [], rejected: [] };
  const session = createSession(options, (row) => {
    if (isRejected(row)) batch.rejected.push(row);
    else batch.points.push(row);
  });
  // Records never leave the parser (on_record keeps them), so writes complete without a reader.
  const parser = parse(session.csv);
  parser.on("error", () => undefined);
  for await (const chunk of input) {
    await settle(parser, (done) => parser.write(chunk, done));
    if (batch.points.length >= batchSize) {
      yield batch;
      batch = { points: [], rejected: [] };
    }
  }
  await settle(parser, (done) => parser.end(done));
  session.finish();
  if (batch.points.length > 0 || batch.rejected.length > 0) yield batch;
}

function settle(parser: Parser, start: (done: (error?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => start((error) => (error ? reject(parser.errored ?? error) : resolve())));
}

/** `streamPriceCsv` gathered into one result. */
export function readPriceCsv(
  input: AsyncIterable<Buffer | string>,
  options: PriceRowOptions = {},
): Promise<PriceCsvResult> {
  return asOneBatch(streamPriceCsv(input, { ...options, batchSize: Number.POSITIVE_INFINITY }));
}

/** Reads a price CSV file without holding its text; a missing or unreadable file is a `PriceCsvError`. */
export function readPriceCsvFile(path: string, options: PriceRowOptions = {}): Promise<PriceCsvResult> {
  return asOneBatch(streamPriceCsvFile(path, { ...options, batchSize: Number.POSITIVE_INFINITY }));
}

/** `streamPriceCsv` on a file; errors about the file as a whole name it. */
export async function* streamPriceCsvFile(
  path: string,
  options: PriceCsvStreamOptions = {},
): AsyncGenerator<PriceCsvResult> {
  const input = await openPriceCsvFile(path);
  try {
    yield* streamPriceCsv(input, options);
  } catch (error) {
    if (error instanceof PriceCsvError) throw new PriceCsvError(error.reason, `${path}: ${error.message}`);
    throw error;
  } finally {
    input.destroy();
  }
}

// An endless batch size makes the stream hand over everything as one batch, at the end.
async function asOneBatch(batches: AsyncIterable<PriceCsvResult>): Promise<PriceCsvResult> {
  let result: PriceCsvResult = { points: [], rejected: [] };
  for await (const batch of batches) result = batch;
  return result;
}

async function openPriceCsvFile(path: string): Promise<Readable> {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a file the operator names (pnpm data:import, PRICE_CSV)
    const handle = await open(path);
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      throw new PriceCsvError("UNREADABLE_FILE", `${path}: not a file`);
    }
    return handle.createReadStream();
  } catch (error) {
    if (error instanceof PriceCsvError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    throw new PriceCsvError(
      "UNREADABLE_FILE",
      `${path}: ${code === "ENOENT" ? "no such file" : `cannot read it (${code})`}`,
    );
  }
}
