import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "@pokewatch/kit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { importPriceCsv } from "./import-prices.js";
import { STORE_ENGINES, storedRows, type StoreDatabase } from "./store-engines.js";

const HEADER = "card_id,date,market_price,currency,volume";

describe.each(STORE_ENGINES)("importPriceCsv on %s", (_engine, open) => {
  let handle: StoreDatabase;
  let db: Database;
  let dir: string;
  const file = (name: string, ...lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, `${[HEADER, ...lines].join("\n")}\n`);
    return path;
  };

  beforeAll(async () => {
    handle = await open();
    db = handle.db;
    dir = mkdtempSync(join(tmpdir(), "price-import-"));
  });
  afterAll(async () => {
    await handle?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => db.exec("TRUNCATE price_points"));

  it("writes the good rows and reports the bad ones", async () => {
    const path = file(
      "prices.csv",
      "sv1-1,2025-06-01,10,USD,1",
      "sv1-1,2025-06-02,11,USD,",
      "sv1-1,2025-02-30,11,USD,",
      "sv1-2,2025-06-01,5,USD,",
      ",2025-06-01,5,USD,",
      "sv1-2,2025-06-02,6,USD,2",
    );
    expect(await importPriceCsv(db, path, { defaultSource: "tcgplayer" })).toEqual({
      file: path,
      rows: 6,
      accepted: 4,
      rejectedCount: 2,
      rejectedByCode: { BAD_DATE: 1, BLANK_CARD_ID: 1 },
      rejected: [
        { line: 4, code: "BAD_DATE", reason: "date 2025-02-30 does not exist", raw: "sv1-1,2025-02-30,11,USD," },
        { line: 6, code: "BLANK_CARD_ID", reason: "card_id is blank", raw: ",2025-06-01,5,USD," },
      ],
      inserted: 4,
      updated: 0,
      unchanged: 0,
    });
    expect((await storedRows(db)).map((r) => [r.card_id, r.date, r.source])).toEqual([
      ["sv1-1", "2025-06-01", "tcgplayer"],
      ["sv1-1", "2025-06-02", "tcgplayer"],
      ["sv1-2", "2025-06-01", "tcgplayer"],
      ["sv1-2", "2025-06-02", "tcgplayer"],
    ]);
  });

  it("changes nothing when the same file comes again, and only what changed in a corrected one", async () => {
    const first = file("first.csv", "sv1-1,2025-06-01,10,USD,", "sv1-1,2025-06-02,11,USD,", "sv1-2,2025-06-01,5,USD,");
    await importPriceCsv(db, first);
    const stored = await storedRows(db);
    expect(await importPriceCsv(db, first)).toMatchObject({ accepted: 3, inserted: 0, updated: 0, unchanged: 3 });
    expect(await storedRows(db)).toEqual(stored);

    const corrected = file(
      "corrected.csv",
      "sv1-1,2025-06-01,10,USD,",
      "sv1-1,2025-06-02,11.5,USD,",
      "sv1-2,2025-06-01,5,USD,",
      "sv1-2,2025-06-02,5.5,USD,",
    );
    expect(await importPriceCsv(db, corrected)).toMatchObject({ inserted: 1, updated: 1, unchanged: 2 });
    expect((await storedRows(db)).map((r) => r.market)).toEqual([10, 11.5, 5, 5.5]);
  });

  it("lists the first 50 rejected rows and counts them all", async () => {
    const bad = Array.from({ length: 60 }, (_, i) => `sv1-${i},2025-06-01,0,USD,`);
    const report = await importPriceCsv(db, file("bad.csv", "sv1-ok,2025-06-01,1,USD,", ...bad));
    expect(report).toMatchObject({ rows: 61, accepted: 1, rejectedCount: 60, rejectedByCode: { BAD_PRICE: 60 } });
    expect(report.rejected.map((r) => r.line)).toEqual(Array.from({ length: 50 }, (_, i) => i + 3));
  });

  it("refuses a file it cannot read as prices, writing nothing", async () => {
    const path = join(dir, "wrong-header.csv");
    writeFileSync(path, "card,day,price\nsv1-1,2025-06-01,1\n");
    await expect(importPriceCsv(db, path)).rejects.toMatchObject({ reason: "MISSING_COLUMNS" });
    await expect(importPriceCsv(db, join(dir, "missing.csv"))).rejects.toMatchObject({ reason: "UNREADABLE_FILE" });
    expect(await storedRows(db)).toEqual([]);
  });

  it("rolls the whole file back when the database refuses a row in a later batch", async () => {
    await importPriceCsv(db, file("before.csv", "sv1-1,2025-06-01,10,USD,"));
    const path = file(
      "boom.csv",
      "sv1-1,2025-06-01,99,USD,",
      "sv1-2,2025-06-01,1,USD,",
      "sv1-3,2025-06-01,1,USD,",
      "sv1-4,2025-06-01,1,USD,",
      "boom-5,2025-06-01,1,USD,",
    );
    // A constraint the parser knows nothing about stands in for any database failure.
    await db.exec("ALTER TABLE price_points ADD CONSTRAINT test_no_boom CHECK (card_id NOT LIKE 'boom%')");
    try {
      await expect(importPriceCsv(db, path, { batchSize: 2 })).rejects.toThrow(/test_no_boom/);
    } finally {
      await db.exec("ALTER TABLE price_points DROP CONSTRAINT test_no_boom");
    }
    expect(await storedRows(db)).toEqual([{ card_id: "sv1-1", date: "2025-06-01", source: "csv", market: 10 }]);
  });
});
