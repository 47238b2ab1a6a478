import type { Database } from "@pokewatch/kit";
import type { PricePoint } from "./price-point.js";
import { upsertPricePoints, type UpsertCounts } from "./upsert-price-points.js";

/** One provider request's scope (a set, or a card's history) on one UTC day, and how it went. */
export interface CollectionEntry {
  provider: string;
  /** A set id for a set's prices, a card id for a card's history. */
  scope: string;
  /** `YYYY-MM-DD`, the UTC day of the collection. */
  day: string;
  status: "collected" | "failed";
  points: number;
  skipped: number;
  error: string | null;
  /** Runs that tried this scope on this day, this one included. */
  attempts: number;
}

/**
 * The `price_collections` table: which scopes a provider was asked for on which day. It is what
 * makes a collection idempotent per day (a collected scope is not fetched again that day) while a
 * failed one is retried by the next run.
 */
export interface CollectionLog {
  /** The entries of `provider` on `day`, by scope. */
  entries(provider: string, day: string): Promise<Map<string, CollectionEntry>>;
  /** Scopes `provider` collected on `fromDay` or later (a backfill is not repeated every day). */
  collectedSince(provider: string, fromDay: string): Promise<Set<string>>;
  /**
   * Stores the points and marks the scope collected, in one transaction: a crash between the two
   * can neither lose the mark (the scope would be fetched again) nor keep it without the prices.
   */
  collected(
    entry: Pick<CollectionEntry, "provider" | "scope" | "day" | "skipped">,
    points: readonly PricePoint[],
  ): Promise<UpsertCounts>;
  /** Marks the scope failed on that day with why; the next run tries it again. */
  failed(entry: Pick<CollectionEntry, "provider" | "scope" | "day" | "error">): Promise<void>;
}

const RECORD_SQL = `
INSERT INTO price_collections AS logged (provider, scope, day, status, points, skipped, error)
VALUES ($1, $2, $3::date, $4, $5, $6, $7)
ON CONFLICT (provider, scope, day) DO UPDATE
  SET status = excluded.status, points = excluded.points, skipped = excluded.skipped, error = excluded.error,
      attempts = logged.attempts + 1, updated_at = now()`;

export function createCollectionLog(db: Database): CollectionLog {
  return {
    async entries(provider, day) {
      const rows = await db.query<CollectionEntry>(
        `SELECT provider, scope, day::text AS day, status, points, skipped, error, attempts
         FROM price_collections WHERE provider = $1 AND day = $2::date`,
        [provider, day],
      );
      return new Map(rows.map((row) => [row.scope, { ...row }]));
    },

    async collectedSince(provider, fromDay) {
      const rows = await db.query<{ scope: string }>(
        `SELECT DISTINCT scope FROM price_collections WHERE provider = $1 AND day >= $2::date AND status = 'collected'`,
        [provider, fromDay],
      );
      return new Set(rows.map((row) => row.scope));
    },

    collected({ provider, scope, day, skipped }, points) {
      return db.transaction(async (tx) => {
        const counts = await upsertPricePoints(tx, points);
        await tx.query(RECORD_SQL, [provider, scope, day, "collected", points.length, skipped, null]);
        return counts;
      });
    },

    async failed({ provider, scope, day, error }) {
      await db.query(RECORD_SQL, [provider, scope, day, "failed", 0, 0, error]);
    },
  };
}
