import { rejection } from "@pokewatch/kit/testing";
import { describe, expect, it } from "vitest";
import { PriceCsvError, type PriceRowRejection } from "./price-csv-error.js";
import { parsePriceCsv } from "./price-csv.js";

const HEADER = "card_id,date,market_price,currency,low_price,high_price,volume,source";
const csv = (...lines: string[]) => [HEADER, ...lines].join("\n");

const refusal = (run: () => unknown) => rejection(run, PriceCsvError);

describe("parsePriceCsv: rows", () => {
  it("reads every column, leaving optional blanks null", () => {
    const { points, rejected } = parsePriceCsv(
      csv("sv3pt5-6, 2025-06-01 ,12.5,usd,10,15.25,3,tcgplayer", "sv3pt5-6,2025-06-02,13,USD,,,,"),
    );
    expect(rejected).toEqual([]);
    expect(points).toEqual([
      { cardId: "sv3pt5-6", date: "2025-06-01", market: 12.5, low: 10, high: 15.25, volume: 3, source: "tcgplayer" },
      { cardId: "sv3pt5-6", date: "2025-06-02", market: 13, low: null, high: null, volume: null, source: "csv" },
    ]);
  });

  it("takes the source from defaultSource when the file has no source column", () => {
    const text = "card_id,date,market_price,currency\nsv1-1,2025-06-01,1,USD";
    expect(parsePriceCsv(text, { defaultSource: "tcgplayer" }).points[0]!.source).toBe("tcgplayer");
    expect(parsePriceCsv(text).points[0]!.source).toBe("csv");
  });

  it("accepts leap days that exist", () => {
    const { points, rejected } = parsePriceCsv(csv("a-1,2024-02-29,1,USD,,,,", "a-1,2000-02-29,1,USD,,,,"));
    expect(rejected).toEqual([]);
    expect(points.map((p) => p.date)).toEqual(["2024-02-29", "2000-02-29"]);
  });

  it.each<[string, PriceRowRejection, string | RegExp, string?]>([
    ["sv1-1,2025-06-01,1,USD,,,", "FIELD_COUNT", "expected 8 fields as in the header, found 7"],
    ["sv1-1,2025-06-01,1,USD,,,,,", "FIELD_COUNT", "expected 8 fields as in the header, found 9"],
    ["  ,2025-06-01,1,USD,,,,", "BLANK_CARD_ID", "card_id is blank"],
    ["sv1 1,2025-06-01,1,USD,,,,", "BAD_CARD_ID", /card_id "sv1 1" is not an id/],
    // csv-parse leaves the stray quotes in the field; the raw row shows them CSV-escaped.
    [
      '"sv1-1"x,2025-06-01,1,USD,,,,',
      "BAD_CARD_ID",
      /card_id "\\"sv1-1\\"x" is not an id/,
      '"""sv1-1""x",2025-06-01,1,USD,,,,',
    ],
    ["sv1-1,2025/06/01,1,USD,,,,", "BAD_DATE", 'date "2025/06/01" is not YYYY-MM-DD'],
    ["sv1-1,2025-6-1,1,USD,,,,", "BAD_DATE", 'date "2025-6-1" is not YYYY-MM-DD'],
    ["sv1-1,,1,USD,,,,", "BAD_DATE", 'date "" is not YYYY-MM-DD'],
    ["sv1-1,2025-02-30,1,USD,,,,", "BAD_DATE", "date 2025-02-30 does not exist"],
    ["sv1-1,2025-02-29,1,USD,,,,", "BAD_DATE", "date 2025-02-29 does not exist"],
    ["sv1-1,1900-02-29,1,USD,,,,", "BAD_DATE", "date 1900-02-29 does not exist"],
    ["sv1-1,2025-13-01,1,USD,,,,", "BAD_DATE", "date 2025-13-01 does not exist"],
    ["sv1-1,2025-04-31,1,USD,,,,", "BAD_DATE", "date 2025-04-31 does not exist"],
    ["sv1-1,0000-01-01,1,USD,,,,", "BAD_DATE", "date 0000-01-01 does not exist"],
    ["sv1-1,2025-06-01,,USD,,,,", "BAD_PRICE", "market_price is blank"],
    ["sv1-1,2025-06-01,abc,USD,,,,", "BAD_PRICE", 'market_price "abc" is not a number'],
    ["sv1-1,2025-06-01,$5,USD,,,,", "BAD_PRICE", 'market_price "$5" is not a number'],
    ['sv1-1,2025-06-01,"1,5",USD,,,,', "BAD_PRICE", 'market_price "1,5" is not a number'],
    ["sv1-1,2025-06-01,0x10,USD,,,,", "BAD_PRICE", 'market_price "0x10" is not a number'],
    ["sv1-1,2025-06-01,Infinity,USD,,,,", "BAD_PRICE", 'market_price "Infinity" is not a number'],
    ["sv1-1,2025-06-01,1e400,USD,,,,", "BAD_PRICE", 'market_price "1e400" is not a number'],
    ["sv1-1,2025-06-01,0,USD,,,,", "BAD_PRICE", "market_price must be more than 0, found 0"],
    ["sv1-1,2025-06-01,-2.5,USD,,,,", "BAD_PRICE", "market_price must be more than 0, found -2.5"],
    ["sv1-1,2025-06-01,1,USD,-1,,,", "BAD_PRICE", "low_price must be more than 0, found -1"],
    ["sv1-1,2025-06-01,1,USD,,n/a,,", "BAD_PRICE", 'high_price "n/a" is not a number'],
    ["sv1-1,2025-06-01,1,EUR,,,,", "BAD_CURRENCY", 'currency "EUR" is not USD'],
    ["sv1-1,2025-06-01,1,,,,,", "BAD_CURRENCY", 'currency "" is not USD'],
    ["sv1-1,2025-06-01,1,USD,5,4.99,,", "LOW_ABOVE_HIGH", "low_price 5 is above high_price 4.99"],
    ["sv1-1,2025-06-01,1,USD,,,-1,", "BAD_VOLUME", 'volume "-1" is not a whole number of 0 or more'],
    ["sv1-1,2025-06-01,1,USD,,,1.5,", "BAD_VOLUME", 'volume "1.5" is not a whole number of 0 or more'],
    ["sv1-1,2025-06-01,1,USD,,,many,", "BAD_VOLUME", 'volume "many" is not a whole number of 0 or more'],
  ])("rejects %j as %s", (row, code, reason, raw = row) => {
    const { points, rejected } = parsePriceCsv(csv("ok-1,2025-06-01,1,USD,,,,", row, "ok-2,2025-06-01,1,USD,,,,"));
    expect(points.map((p) => p.cardId)).toEqual(["ok-1", "ok-2"]);
    const expected = typeof reason === "string" ? reason : expect.stringMatching(reason);
    expect(rejected).toEqual([{ line: 3, code, reason: expected, raw }]);
  });

  it("keeps the first of a repeated (card_id, date, source) and names its line", () => {
    const { points, rejected } = parsePriceCsv(
      csv(
        "sv1-1,2025-06-01,1,USD,,,,a",
        "sv1-1,2025-06-01,2,USD,,,,b",
        "sv1-2,2025-06-01,3,USD,,,,a",
        "sv1-1,2025-06-01,4,USD,,,,a",
        "sv1-1,2025-06-01,5,USD,,,,", // the default source is a third source
      ),
    );
    expect(points.map((p) => p.market)).toEqual([1, 2, 3, 5]);
    expect(rejected).toEqual([
      {
        line: 5,
        code: "DUPLICATE",
        reason: "duplicate of line 2 (same card_id, date and source)",
        raw: "sv1-1,2025-06-01,4,USD,,,,a",
      },
    ]);
  });

  it("finds a repeat however far apart and out of order the days are", () => {
    const days = ["2025-06-01", "1999-01-09", "0025-01-01", "1925-01-01", "2025-05-31", "1999-01-09", "2025-06-01"];
    const { rejected } = parsePriceCsv(csv(...days.map((day) => `sv1-1,${day},1,USD,,,,`)));
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [7, "duplicate of line 3 (same card_id, date and source)"],
      [8, "duplicate of line 2 (same card_id, date and source)"],
    ]);
  });

  it("does not count a rejected row as the first of a repeat", () => {
    const { points, rejected } = parsePriceCsv(csv("sv1-1,2025-06-01,0,USD,,,,", "sv1-1,2025-06-01,2,USD,,,,"));
    expect(points.map((p) => p.market)).toEqual([2]);
    expect(rejected.map((r) => r.code)).toEqual(["BAD_PRICE"]);
  });

  it("writes the raw row back as CSV, shortened past 200 characters", () => {
    const long = "x".repeat(300);
    const { rejected } = parsePriceCsv(csv(`,2025-06-01,"1,5",USD,,,,"${long}"`));
    expect(rejected[0]!.raw).toMatch(/^,2025-06-01,"1,5",USD,,,,xxx/);
    expect(rejected[0]!.raw).toHaveLength(200);
  });
});

describe("parsePriceCsv: line numbers", () => {
  it("counts the physical lines of quoted fields, blank lines and CRLF endings", () => {
    for (const eol of ["\n", "\r\n"]) {
      const text = [
        HEADER, // 1
        `sv1-1,2025-06-01,1,USD,,,,"multi${eol}line${eol}source"`, // 2-4
        "", // 5
        "sv1-2,2025-06-01,0,USD,,,,", // 6
        `sv1-3,2025-06-01,1,USD,,,,"two${eol}lines"`, // 7-8
        "sv1-4,2025-13-01,1,USD,,,,", // 9
      ].join(eol);
      const { points, rejected } = parsePriceCsv(`\uFEFF${text}${eol}`);
      expect(points.map((p) => p.source)).toEqual([`multi${eol}line${eol}source`, `two${eol}lines`]);
      expect(rejected.map((r) => [r.line, r.code])).toEqual([
        [6, "BAD_PRICE"],
        [9, "BAD_DATE"],
      ]);
    }
  });

  it("reports an unclosed quote at the row that opens it", () => {
    const { points, rejected } = parsePriceCsv(
      csv("sv1-1,2025-06-01,1,USD,,,,", 'sv1-2,2025-06-01,"1,USD,,,,', "sv1-3,a"),
    );
    expect(points.map((p) => p.cardId)).toEqual(["sv1-1"]);
    expect(rejected).toEqual([{ line: 3, code: "MALFORMED_CSV", reason: expect.stringMatching(/never closed/) }]);
  });
});

describe("parsePriceCsv: the header", () => {
  it("matches column names whatever their case and surrounding spaces", () => {
    const { points } = parsePriceCsv(" Card_ID ,DATE,Market_Price,Currency\nsv1-1,2025-06-01,1,USD");
    expect(points).toHaveLength(1);
  });

  it("refuses a file without the required columns, naming them", () => {
    const error = refusal(() => parsePriceCsv("card_id,day,price\nsv1-1,2025-06-01,1"));
    expect(error.reason).toBe("MISSING_COLUMNS");
    expect(error.message).toMatch(/^the header lacks date, market_price, currency: a price CSV needs card_id, date/);
    expect(error.message).toMatch(/found "card_id,day,price"$/);
  });

  it("refuses a header naming a known column twice", () => {
    const error = refusal(() => parsePriceCsv("card_id,date,market_price,currency,date\n"));
    expect([error.reason, error.message]).toEqual(["DUPLICATE_COLUMNS", "the header names date more than once"]);
  });

  it("refuses an empty file, and reads a header alone as no rows", () => {
    expect(refusal(() => parsePriceCsv("\n\n")).reason).toBe("EMPTY_FILE");
    expect(parsePriceCsv("card_id,date,market_price,currency\n")).toEqual({ points: [], rejected: [] });
  });
});
