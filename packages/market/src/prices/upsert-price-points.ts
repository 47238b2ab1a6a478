import type { Queryable } from "@pokewatch/kit";
import type { PricePoint } from "./price-point.js";

/** What an upsert did; the three add up to the number of points given. */
export interface UpsertCounts {
  /** Points for a (card, date, source) the store did not have. */
  inserted: number;
  /** Points that replaced different values. */
  updated: number;
  /** Points equal to what was stored (nothing written), or repeated later in the same batch. */
  unchanged: number;
}

export const DEFAULT_UPSERT_BATCH_SIZE = 5000;
export const MAX_UPSERT_BATCH_SIZE = 50_000;

/** Fails fast on a batch size that would loop forever or build one enormous statement. */
export function requireBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_UPSERT_BATCH_SIZE) {
    throw new RangeError(
      `batchSize must be a whole number from 1 to ${MAX_UPSERT_BATCH_SIZE}, got ${String(batchSize)}`,
    );
  }
}

export const noCounts = (): UpsertCounts => ({ inserted: 0, updated: 0, unchanged: 0 });

export function addCounts(total: UpsertCounts, more: UpsertCounts): UpsertCounts {
  return {
    inserted: total.inserted + more.inserted,
    updated: total.updated + more.updated,
    unchanged: total.unchanged + more.unchanged,
  };
}

// One statement per batch: seven arrays instead of seven parameters a row. Sorting makes
// concurrent imports lock rows in the same order (no deadlocks) and lets a key repeated within
// the batch keep its last occurrence, as a later batch would. Rows whose values are unchanged
// are not rewritten, so a re-import leaves no dead rows; `xmax = 0` marks a freshly inserted row.
const UPSERT_SQL = `
WITH written AS (
  INSERT INTO price_points AS stored (card_id, date, source, market, low, high, volume)
  SELECT DISTINCT ON (card_id, date, source) card_id, date, source, market, low, high, volume
  FROM unnest($1::text[], $2::date[], $3::text[], $4::numeric[], $5::numeric[], $6::numeric[], $7::integer[])
    WITH ORDINALITY AS given (card_id, date, source, market, low, high, volume, position)
  ORDER BY card_id, date, source, position DESC
  ON CONFLICT (card_id, date, source) DO UPDATE
    SET market = excluded.market, low = excluded.low, high = excluded.high, volume = excluded.volume,
        imported_at = now()
    WHERE (stored.market, stored.low, stored.high, stored.volume)
      IS DISTINCT FROM (excluded.market, excluded.low, excluded.high, excluded.volume)
  RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated
FROM written`;

/**
 * Inserts or replaces points by (card, date, source) with `tx`, one statement per batch. It does
 * not open a transaction: run it in one so that a failing batch takes the earlier ones with it.
 */
export async function upsertPricePoints(
  tx: Queryable,
  points: readonly PricePoint[],
  batchSize = DEFAULT_UPSERT_BATCH_SIZE,
): Promise<UpsertCounts> {
  requireBatchSize(batchSize);
  let counts = noCounts();
  for (let start = 0; start < points.length; start += batchSize) {
    const batch = points.slice(start, start + batchSize);
    const [row] = await tx.query<{ inserted: number; updated: number }>(UPSERT_SQL, [
      batch.map((p) => p.cardId),
      batch.map((p) => p.date),
      batch.map((p) => p.source),
      batch.map((p) => p.market),
      batch.map((p) => p.low),
      batch.map((p) => p.high),
      batch.map((p) => p.volume),
    ]);
    const inserted = row?.inserted ?? 0;
    const updated = row?.updated ?? 0;
    counts = addCounts(counts, { inserted, updated, unchanged: batch.length - inserted - updated });
  }
  return counts;
}
