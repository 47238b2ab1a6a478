import { createPgliteDatabase, runMigrations, type Database } from "@pokewatch/kit";
import { createIsolatedPostgres } from "@pokewatch/kit/testing";
import { marketMigrations } from "./market-migrations.js";
import type { PricePoint } from "./price-point.js";

/** A migrated, empty price store database; the integration tests run every case on both engines. */
export interface StoreDatabase {
  db: Database;
  close(): Promise<void>;
}

export const STORE_ENGINES: Array<[name: string, open: () => Promise<StoreDatabase>]> = [
  [
    "PostgreSQL",
    async () => {
      const pg = await createIsolatedPostgres();
      await runMigrations(pg.db, "market", marketMigrations());
      return { db: pg.db, close: () => pg.drop() };
    },
  ],
  [
    "PGlite",
    async () => {
      const db = await createPgliteDatabase();
      await runMigrations(db, "market", marketMigrations());
      return { db, close: () => db.close() };
    },
  ],
];

export function point(cardId: string, date: string, market: number, more: Partial<PricePoint> = {}): PricePoint {
  return { cardId, date, market, low: null, high: null, volume: null, source: "csv", ...more };
}

export async function storedRows(db: Database) {
  return db.query<{ card_id: string; date: string; source: string; market: number }>(
    "SELECT card_id, date, source, market FROM price_points ORDER BY card_id, date, source",
  );
}
