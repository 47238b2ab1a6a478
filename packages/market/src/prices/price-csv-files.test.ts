import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PriceCsvError } from "./price-csv-error.js";
import { parsePriceCsv, readPriceCsv, readPriceCsvFile, streamPriceCsv } from "./price-csv.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe("the shared price files (excerpts in fixtures/)", () => {
  it("reads the daily TCGplayer file", async () => {
    const { points, rejected } = await readPriceCsvFile(fixture("tcgplayer-daily-excerpt.csv"), {
      defaultSource: "tcgplayer",
    });
    expect(rejected).toEqual([]);
    expect(points.map((p) => [p.date, p.market])).toEqual([
      ["2025-05-29", 61.31],
      ["2025-05-30", 61.31],
      ["2025-05-31", 61.31],
      ["2025-06-01", 61.31],
      ["2025-06-02", 60.86],
    ]);
    expect(points[0]).toEqual({
      cardId: "base1-1",
      date: "2025-05-29",
      market: 61.31,
      low: null,
      high: null,
      volume: null,
      source: "tcgplayer",
    });
  });

  it("reads low and high from the snapshots, one variant per card and day", async () => {
    const { points, rejected } = await readPriceCsvFile(fixture("tcgplayer-snapshots-excerpt.csv"));
    expect(points.map((p) => [p.cardId, p.date, p.market, p.low, p.high])).toEqual([
      ["base1-1", "2025-02-22", 66.05, 34.25, 149.99],
      ["base1-1", "2025-03-01", 66.69, 32.19, 149.99],
      ["base1-10", "2025-02-22", 40.15, 20.15, 9999],
      ["base1-10", "2025-03-01", 39.41, 19.99, 9999],
      ["base6-1", "2025-02-22", 53.47, 30, 55],
      ["base6-1", "2025-03-01", 53.47, 30, 55],
    ]);
    // The reverse-holo variant of a card repeats its (card, date); rows 10-11 have low/high only.
    const kept = (line: number) =>
      `variant "reverseHolofoil" left out: line ${line} gave this card_id, date and source as variant "holofoil" (the first variant in the file is kept)`;
    expect(rejected.map((r) => [r.line, r.code, r.reason])).toEqual([
      [8, "OTHER_VARIANT", kept(6)],
      [9, "OTHER_VARIANT", kept(7)],
      [10, "BAD_PRICE", "market_price is blank"],
      [11, "BAD_PRICE", "market_price is blank"],
    ]);
  });

  it("reads volume from the 3-day buckets, rejecting sealed products (no card_id)", async () => {
    const { points, rejected } = await readPriceCsvFile(fixture("tcgplayer-3day-buckets-excerpt.csv"));
    expect(points.map((p) => [p.cardId, p.date, p.market, p.volume])).toEqual([
      ["sv1-245", "2025-04-20", 49.73, 12],
      ["sv1-245", "2025-04-22", 49.65, 12],
      ["sv1-245", "2025-04-23", 50.14, 27],
      ["sv1-245", "2026-08-18", 71.49, 0],
      ["sv1-245", "2026-08-19", 71.69, 0],
    ]);
    expect(rejected).toEqual([
      {
        line: 2,
        code: "BLANK_CARD_ID",
        reason: "card_id is blank",
        raw: ",SV01,Booster Box,Base Set,2025-04-24,2025-04-26,194.71,24,2025-07-24 22:00:57,USD",
      },
      expect.objectContaining({ line: 3, code: "BLANK_CARD_ID" }),
    ]);
  });

  it("takes the source column of the pokewatch sample over the default", async () => {
    const { points } = await readPriceCsvFile(fixture("pokewatch-jp-sample-excerpt.csv"), { defaultSource: "csv" });
    expect(points.map((p) => [p.cardId, p.market, p.source])).toEqual([
      ["sv2a_151_alakazam_ex___203_165", 50.43, "pokemonpricetracker"],
      ["sv2a_151_blastoise_ex___202_165", 86.38, "pokemonpricetracker"],
      ["sv2a_151_charizard_ex___201_165", 246.34, "pokemonpricetracker"],
    ]);
  });
});

describe("streaming", () => {
  const text = readFileSync(fixture("tcgplayer-snapshots-excerpt.csv"), "utf8");

  it("gives the same result as parsing the whole text, however the input is cut", async () => {
    // A two-byte character split across chunks must survive too.
    const bytes = Buffer.from(text.replaceAll("base1-10", "bäse1-10"));
    const whole = parsePriceCsv(bytes);
    const oneByteAtATime = Readable.from([...bytes].map((byte) => Buffer.from([byte])));
    expect(await readPriceCsv(oneByteAtATime)).toEqual(whole);
    expect(whole.points.map((p) => p.cardId)).toContain("bäse1-10");
    expect(whole.rejected).toHaveLength(4);
  });

  it("hands over batches of at least batchSize points, with the rows rejected meanwhile", async () => {
    const lines = text.split("\r\n");
    const chunks = lines.map((line) => `${line}\r\n`);
    const batches = [];
    for await (const batch of streamPriceCsv(Readable.from(chunks), { batchSize: 4 })) batches.push(batch);
    expect(batches.map((b) => [b.points.length, b.rejected.map((r) => r.line)])).toEqual([
      [4, []],
      [2, [8, 9, 10, 11]],
    ]);
  });

  it("names the file in a refusal, and refuses a missing file or a folder", async () => {
    const missing = fixture("no-such-file.csv");
    await expect(readPriceCsvFile(missing)).rejects.toThrow(
      new PriceCsvError("UNREADABLE_FILE", `${missing}: no such file`),
    );
    await expect(readPriceCsvFile(fixture(""))).rejects.toMatchObject({ reason: "UNREADABLE_FILE" });
    await expect(readPriceCsv(Readable.from(["card_id,when\n"]))).rejects.toMatchObject({ reason: "MISSING_COLUMNS" });
    await expect(readPriceCsvFile(fixture("README.md"))).rejects.toThrow(
      expect.objectContaining({
        reason: "MISSING_COLUMNS",
        message: expect.stringMatching(/README\.md: the header lacks/),
      }),
    );
  });
});
