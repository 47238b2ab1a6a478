import { describe, expect, it } from "vitest";
import type { RejectedRow } from "./price-csv-error.js";
import type { PricePoint } from "./price-point.js";
import { createPriceRowReader, MAX_SOURCE_LENGTH, MAX_VOLUME } from "./price-row-reader.js";

/** Reads `rows` (CSV without quoting) below `header`; the first row is line 2. */
function read(header: string, rows: string[], defaultSource?: string): Array<PricePoint | RejectedRow> {
  const reader = createPriceRowReader(header.split(","), { defaultSource });
  return rows.map((row, i) => reader(row.split(","), i + 2));
}

const codes = (results: Array<PricePoint | RejectedRow>) =>
  results.map((r) => ("code" in r ? r.code : `${r.cardId} ${r.date} ${r.market}`));

describe("the price row reader keeps within what the price store accepts", () => {
  const HEADER = "card_id,date,market_price,currency,volume,source";

  it("accepts a volume up to 2147483647 (a PostgreSQL integer) and rejects larger ones as BAD_VOLUME", () => {
    const [largest, above, huge] = read(HEADER, [
      `a-1,2025-06-01,1,USD,${MAX_VOLUME},`,
      "a-1,2025-06-02,1,USD,3000000000,",
      "a-1,2025-06-03,1,USD,99999999999999999999,",
    ]);
    expect(MAX_VOLUME).toBe(2_147_483_647);
    expect(largest).toMatchObject({ volume: 2_147_483_647 });
    expect(above).toEqual({
      line: 3,
      code: "BAD_VOLUME",
      reason: "volume 3000000000 is above 2147483647, the most the price store can hold",
      raw: "a-1,2025-06-02,1,USD,3000000000,",
    });
    expect(huge).toMatchObject({ line: 4, code: "BAD_VOLUME", reason: expect.stringMatching(/is above 2147483647/) });
  });

  it("rejects a source with a NUL character or over 255 characters as BAD_SOURCE", () => {
    // Four-byte characters: 255 of them are the longest source the primary key index must hold.
    const longest = Array.from({ length: MAX_SOURCE_LENGTH }, (_, i) => String.fromCodePoint(0x20000 + i)).join("");
    const results = read(HEADER, [
      `a-1,2025-06-01,1,USD,,${longest}`,
      `a-1,2025-06-02,1,USD,,${longest}x`,
      "a-1,2025-06-03,1,USD,,tcg\u0000player",
    ]);
    expect(results[0]).toMatchObject({ source: longest });
    expect(results.slice(1)).toEqual([
      expect.objectContaining({ line: 3, code: "BAD_SOURCE", reason: "source is 256 characters long, more than 255" }),
      expect.objectContaining({
        line: 4,
        code: "BAD_SOURCE",
        reason: "source contains a NUL character, which PostgreSQL text cannot hold",
      }),
    ]);
  });

  it("reads prices written as decimals ('12', '12.', '12.5', '.5', '1e2') and rejects other forms", () => {
    const prices = [
      "12",
      "+12.",
      "12.5",
      ".5",
      "1.5E2",
      "1e-2",
      "1..5",
      ".",
      "1e",
      "0x10",
      "1_000",
      `${"9".repeat(5000)}x`,
    ];
    const results = read(
      HEADER,
      prices.map((p, i) => `a-1,2025-06-${String(i + 1).padStart(2, "0")},${p},USD,,`),
    );
    expect(results.map((r) => ("code" in r ? r.code : r.market))).toEqual([
      12,
      12,
      12.5,
      0.5,
      150,
      0.01,
      ...Array<string>(6).fill("BAD_PRICE"),
    ]);
  });

  it("accepts the extremes of each column that the store holds", () => {
    const cardId = Array.from({ length: 100 }, (_, i) => String.fromCodePoint(0x20000 + i)).join("");
    const results = read("card_id,date,market_price,currency,low_price,high_price", [
      `${cardId},0001-01-01,1.7976931348623157e308,USD,5e-324,1.7976931348623157e308`,
      "a-1,9999-12-31,5e-324,USD,5e-324,5e-324",
    ]);
    expect(codes(results)).toEqual([`${cardId} 0001-01-01 1.7976931348623157e+308`, "a-1 9999-12-31 5e-324"]);
  });
});

describe("files with several series per card and day", () => {
  it("keeps raw rows of a file with a grade column and rejects graded ones as GRADED", () => {
    const results = read("card_id,date,grade,market_price,currency", [
      "a-1,2025-06-01,RAW,10,USD",
      "a-1,2025-06-01,PSA_10,99,USD",
      "a-1,2025-06-02,,11,USD",
      "a-1,2025-06-03, raw ,12,USD",
      "a-1,2025-06-03,RAW,12,USD",
      ",2025-06-03,GRADE_9,0,EUR",
    ]);
    expect(codes(results)).toEqual([
      "a-1 2025-06-01 10",
      "GRADED",
      "a-1 2025-06-02 11",
      "a-1 2025-06-03 12",
      "DUPLICATE",
      "GRADED", // checked first: every row of the graded file says why at once
    ]);
    expect(results[1]).toEqual({
      line: 3,
      code: "GRADED",
      reason: "graded prices (PSA_10) are a different product; only raw prices are imported",
      raw: "a-1,2025-06-01,PSA_10,99,USD",
    });
  });

  it("keeps the first variant of a card, day and source, and rejects the others as OTHER_VARIANT naming it", () => {
    // The order of the snapshots file: a card's days for one variant, then for the next.
    const results = read("card_id,date,variant,market_price,currency,source", [
      "a-1,2025-02-22,holofoil,,USD,", // 2: no price, so it keeps nothing
      "a-1,2025-02-22,normal,1,USD,", // 3
      "a-1,2025-03-01,normal,2,USD,", // 4
      "a-1,2025-02-22,reverseHolofoil,3,USD,", // 5
      "a-1,2025-03-01,reverseHolofoil,4,USD,", // 6
      "a-1,2025-03-08,reverseHolofoil,5,USD,", // 7: the first of that day
      "a-1,2025-02-22,normal,6,USD,", // 8: the same variant again
      "a-1,2025-02-22,reverseHolofoil,7,USD,other", // 9: another source
    ]);
    expect(codes(results)).toEqual([
      "BAD_PRICE",
      "a-1 2025-02-22 1",
      "a-1 2025-03-01 2",
      "OTHER_VARIANT",
      "OTHER_VARIANT",
      "a-1 2025-03-08 5",
      "DUPLICATE",
      "a-1 2025-02-22 7",
    ]);
    expect(results.filter((r) => "code" in r && r.code !== "BAD_PRICE").map((r) => "code" in r && r.reason)).toEqual([
      'variant "reverseHolofoil" left out: line 3 gave this card_id, date and source as variant "normal" (the first variant in the file is kept)',
      'variant "reverseHolofoil" left out: line 4 gave this card_id, date and source as variant "normal" (the first variant in the file is kept)',
      "duplicate of line 3 (same card_id, date and source)",
    ]);
  });
});
