import { basename, extname } from "node:path";
import type { Database } from "@pokewatch/kit";
import type { PriceRowRejection, RejectedRow } from "./price-csv-error.js";
import { streamPriceCsvFile } from "./price-csv.js";
import { addCounts, noCounts, requireBatchSize, upsertPricePoints, type UpsertCounts } from "./upsert-price-points.js";

export const REPORTED_REJECTIONS = 50;

export interface PriceImportOptions {
  /**
   * Source of rows when the file has no `source` column (or leaves it blank). Files of different
   * sources never overwrite each other's prices, so each file is its own source by default.
   * @default the file's name without its extension, e.g. `tcgplayer_daily_2025-05-29_to_2025-07-01`
   */
  defaultSource?: string;
  /** Points per INSERT statement (and roughly per parsed batch). @default 5000 */
  batchSize?: number;
}

export interface PriceImportReport extends UpsertCounts {
  file: string;
  /** Data rows read (the header and blank lines not counted). */
  rows: number;
  accepted: number;
  rejectedCount: number;
  /** How many rows were rejected for each reason, to see a pattern past the first 50. */
  rejectedByCode: Partial<Record<PriceRowRejection, number>>;
  /** The first 50 rejected rows, in file order. */
  rejected: RejectedRow[];
}

/**
 * Reads a price CSV and upserts its valid rows, all in one transaction: a bad header or a database
 * error leaves the store as it was. Rejected rows are reported, never written.
 */
export async function importPriceCsv(
  db: Database,
  path: string,
  { defaultSource, batchSize }: PriceImportOptions = {},
): Promise<PriceImportReport> {
  let counts = noCounts();
  let accepted = 0;
  let rejectedCount = 0;
  const rejected: RejectedRow[] = [];
  const rejectedByCode: PriceImportReport["rejectedByCode"] = {};

  if (batchSize !== undefined) requireBatchSize(batchSize);
  // Parsing runs inside the transaction: a file of millions of rows is written batch by batch
  // without being held whole, and a missing file or bad header throws before anything is written.
  await db.transaction(async (tx) => {
    const source = defaultSource ?? sourceOfFile(path);
    for await (const batch of streamPriceCsvFile(path, { defaultSource: source, batchSize })) {
      counts = addCounts(counts, await upsertPricePoints(tx, batch.points, batchSize));
      accepted += batch.points.length;
      rejectedCount += batch.rejected.length;
      for (const row of batch.rejected) {
        rejectedByCode[row.code] = (rejectedByCode[row.code] ?? 0) + 1;
        if (rejected.length < REPORTED_REJECTIONS) rejected.push(row);
      }
    }
  });

  return { file: path, rows: accepted + rejectedCount, accepted, rejectedCount, rejectedByCode, rejected, ...counts };
}

/** `…/monthly_raw_2020-12_to_2026-03.csv` → `monthly_raw_2020-12_to_2026-03`. */
export function sourceOfFile(path: string): string {
  const name = basename(path);
  // A blank stem (` .csv`) would leave no source: the whole name stands in, or "csv" if that is blank too.
  return basename(name, extname(name)).trim() || name.trim() || "csv";
}
