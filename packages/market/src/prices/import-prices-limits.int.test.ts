import { describe, expect, it } from "vitest";
import { importPriceCsv } from "./import-prices.js";
import { STORE_ENGINES, storedRows, useImportFolder } from "./store-engines.js";

const HEADER = "card_id,date,market_price,currency,low_price,high_price,volume,source";
// Distinct four-byte characters: the longest ids in bytes, and too varied to compress in the index.
const wide = (length: number) => Array.from({ length }, (_, i) => String.fromCodePoint(0x20000 + i * 7)).join("");

/** Every row the reader accepts must fit the table, or one row would fail the whole import. */
describe.each(STORE_ENGINES)("importPriceCsv within the limits of the table on %s", (_engine, open) => {
  const fx = useImportFolder(open, HEADER, "price-limits-");
  const file = fx.file;

  it("imports the good rows of a file with an out-of-range volume or source, reporting each by line", async () => {
    const path = file(
      "volumes.csv",
      "sv1-1,2025-06-01,10,USD,,,2147483647,",
      "sv1-1,2025-06-02,11,USD,,,3000000000,",
      `sv1-1,2025-06-03,12,USD,,,,${wide(256)}`,
      "sv1-2,2025-06-01,5,USD,,,7,",
    );
    const report = await importPriceCsv(fx.db, path, { defaultSource: "tcgplayer" });
    expect(report).toMatchObject({
      rows: 4,
      accepted: 2,
      inserted: 2,
      rejectedByCode: { BAD_VOLUME: 1, BAD_SOURCE: 1 },
      rejected: [
        {
          line: 3,
          code: "BAD_VOLUME",
          reason: "volume 3000000000 is above 2147483647, the most the price store can hold",
          raw: "sv1-1,2025-06-02,11,USD,,,3000000000,",
        },
        { line: 4, code: "BAD_SOURCE", reason: "source is 256 characters long, more than 255" },
      ],
    });
    expect(await fx.db.query("SELECT card_id, date, volume FROM price_points ORDER BY card_id, date")).toEqual([
      { card_id: "sv1-1", date: "2025-06-01", volume: 2_147_483_647 },
      { card_id: "sv1-2", date: "2025-06-01", volume: 7 },
    ]);
  });

  it("stores a row at the edge of every column the reader checks", async () => {
    const max = "1.7976931348623157e308";
    const path = file(
      "edges.csv",
      `${wide(100)},0001-01-01,${max},USD,5e-324,${max},0,${wide(255)}`,
      `sv1-1,9999-12-31,5e-324,USD,5e-324,5e-324,2147483647,`,
    );
    expect(await importPriceCsv(fx.db, path)).toMatchObject({ accepted: 2, rejectedCount: 0, inserted: 2 });
    const rows = (await storedRows(fx.db)).sort((a, b) => a.date.localeCompare(b.date));
    expect(rows.map((r) => [r.card_id.length, r.date, r.source.length])).toEqual([
      [200, "0001-01-01", 510],
      [5, "9999-12-31", "edges".length],
    ]);
  });
});
