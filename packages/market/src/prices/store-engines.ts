import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPgliteDatabase, runMigrations, type Database } from "@pokewatch/kit";
import { createIsolatedPostgres } from "@pokewatch/kit/testing";
import { afterAll, beforeAll, beforeEach } from "vitest";
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

/** A folder of CSV files written with `header`, and a store emptied before each test. */
export interface ImportFolder {
  readonly db: Database;
  readonly dir: string;
  /** Writes `name` with the header and these lines; returns its path. */
  file: (name: string, ...lines: string[]) => string;
}

/** Registers the hooks of one engine's import tests (call it inside `describe`). */
export function useImportFolder(open: () => Promise<StoreDatabase>, header: string, prefix: string): ImportFolder {
  let handle: StoreDatabase | undefined;
  const folder = {
    db: undefined as unknown as Database,
    dir: "",
    file(name: string, ...lines: string[]) {
      const path = join(folder.dir, name);
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- a test's own temporary folder
      writeFileSync(path, `${[header, ...lines].join("\n")}\n`);
      return path;
    },
  };
  beforeAll(async () => {
    handle = await open();
    folder.db = handle.db;
    folder.dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await handle?.close();
    if (folder.dir) rmSync(folder.dir, { recursive: true, force: true });
  });
  beforeEach(() => folder.db.exec("TRUNCATE price_points"));
  return folder;
}
