import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importPriceCsv } from "./import-prices.js";
import { STORE_ENGINES, storedRows, useImportFolder } from "./store-engines.js";

const HEADER = "card_id,date,market_price,currency,volume";

describe.each(STORE_ENGINES)("importPriceCsv on %s", (_engine, open) => {
  const fx = useImportFolder(open, HEADER, "price-import-");
  const file = fx.file;

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
    expect(await importPriceCsv(fx.db, path, { defaultSource: "tcgplayer" })).toEqual({
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
    expect((await storedRows(fx.db)).map((r) => [r.card_id, r.date, r.source])).toEqual([
      ["sv1-1", "2025-06-01", "tcgplayer"],
      ["sv1-1", "2025-06-02", "tcgplayer"],
      ["sv1-2", "2025-06-01", "tcgplayer"],
      ["sv1-2", "2025-06-02", "tcgplayer"],
    ]);
  });

  it("changes nothing when the same file comes again, and only what changed in a corrected one", async () => {
    // A corrected file comes under another name, so it names the source it corrects.
    const tcgplayer = { defaultSource: "tcgplayer" };
    const first = file("first.csv", "sv1-1,2025-06-01,10,USD,", "sv1-1,2025-06-02,11,USD,", "sv1-2,2025-06-01,5,USD,");
    await importPriceCsv(fx.db, first, tcgplayer);
    const stored = await storedRows(fx.db);
    const again = await importPriceCsv(fx.db, first, tcgplayer);
    expect(again).toMatchObject({ accepted: 3, inserted: 0, updated: 0, unchanged: 3 });
    expect(await storedRows(fx.db)).toEqual(stored);

    const corrected = file(
      "corrected.csv",
      "sv1-1,2025-06-01,10,USD,",
      "sv1-1,2025-06-02,11.5,USD,",
      "sv1-2,2025-06-01,5,USD,",
      "sv1-2,2025-06-02,5.5,USD,",
    );
    const report = await importPriceCsv(fx.db, corrected, tcgplayer);
    expect(report).toMatchObject({ inserted: 1, updated: 1, unchanged: 2 });
    expect((await storedRows(fx.db)).map((r) => r.market)).toEqual([10, 11.5, 5, 5.5]);
  });

  it("gives each file its own source by default, so a second file never overwrites the first", async () => {
    const raw = file("monthly_raw_2020-12_to_2026-03.csv", "sv1-1,2025-06-01,10,USD,", "sv1-2,2025-06-01,5,USD,");
    const other = file("tcgplayer_daily_2025-05-29_to_2025-07-01.csv", "sv1-1,2025-06-01,12,USD,");
    await importPriceCsv(fx.db, raw);
    expect(await importPriceCsv(fx.db, other)).toMatchObject({ inserted: 1, updated: 0, unchanged: 0 });
    expect(await storedRows(fx.db)).toEqual([
      { card_id: "sv1-1", date: "2025-06-01", source: "monthly_raw_2020-12_to_2026-03", market: 10 },
      { card_id: "sv1-1", date: "2025-06-01", source: "tcgplayer_daily_2025-05-29_to_2025-07-01", market: 12 },
      { card_id: "sv1-2", date: "2025-06-01", source: "monthly_raw_2020-12_to_2026-03", market: 5 },
    ]);
  });

  it("imports only the raw rows of a file with grades, reporting the graded ones", async () => {
    const path = join(fx.dir, "monthly_graded_2020-12_to_2026-03.csv");
    writeFileSync(
      path,
      "card_id,date,grade,market_price,currency\nsv1-1,2025-06-01,PSA_10,99,USD\nsv1-1,2025-06-01,RAW,9,USD\n",
    );
    expect(await importPriceCsv(fx.db, path)).toMatchObject({
      accepted: 1,
      rejectedByCode: { GRADED: 1 },
      rejected: [{ line: 2, code: "GRADED", reason: expect.stringContaining("(PSA_10) are a different product") }],
    });
    expect((await storedRows(fx.db)).map((r) => r.market)).toEqual([9]);
  });

  it("lists the first 50 rejected rows and counts them all", async () => {
    const bad = Array.from({ length: 60 }, (_, i) => `sv1-${i},2025-06-01,0,USD,`);
    const report = await importPriceCsv(fx.db, file("bad.csv", "sv1-ok,2025-06-01,1,USD,", ...bad));
    expect(report).toMatchObject({ rows: 61, accepted: 1, rejectedCount: 60, rejectedByCode: { BAD_PRICE: 60 } });
    expect(report.rejected.map((r) => r.line)).toEqual(Array.from({ length: 50 }, (_, i) => i + 3));
  });

  it("refuses a file it cannot read as prices, writing nothing", async () => {
    const path = join(fx.dir, "wrong-header.csv");
    writeFileSync(path, "card,day,price\nsv1-1,2025-06-01,1\n");
    await expect(importPriceCsv(fx.db, path)).rejects.toMatchObject({ reason: "MISSING_COLUMNS" });
    await expect(importPriceCsv(fx.db, join(fx.dir, "missing.csv"))).rejects.toMatchObject({
      reason: "UNREADABLE_FILE",
    });
    expect(await storedRows(fx.db)).toEqual([]);
  });

  it("rolls the whole file back when the database refuses a row in a later batch", async () => {
    await importPriceCsv(fx.db, file("before.csv", "sv1-1,2025-06-01,10,USD,"));
    const path = file(
      "boom.csv",
      "sv1-1,2025-06-01,99,USD,",
      "sv1-2,2025-06-01,1,USD,",
      "sv1-3,2025-06-01,1,USD,",
      "sv1-4,2025-06-01,1,USD,",
      "boom-5,2025-06-01,1,USD,",
    );
    // A constraint the parser knows nothing about stands in for any database failure.
    await fx.db.exec("ALTER TABLE price_points ADD CONSTRAINT test_no_boom CHECK (card_id NOT LIKE 'boom%')");
    try {
      await expect(importPriceCsv(fx.db, path, { batchSize: 2 })).rejects.toThrow(/test_no_boom/);
    } finally {
      await fx.db.exec("ALTER TABLE price_points DROP CONSTRAINT test_no_boom");
    }
    expect(await storedRows(fx.db)).toEqual([{ card_id: "sv1-1", date: "2025-06-01", source: "before", market: 10 }]);
  });
});
