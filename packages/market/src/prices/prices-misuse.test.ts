import type { Database } from "@pokewatch/kit";
import { describe, expect, it } from "vitest";
import { importPriceCsv } from "./import-prices.js";
import { parsePriceCsv } from "./price-csv.js";
import { createPriceStore } from "./price-store.js";
import { upsertPricePoints } from "./upsert-price-points.js";

// Misuse is refused before any SQL runs, so a database that refuses every call proves it.
const untouchable: Database = {
  kind: "pglite",
  query: () => Promise.reject(new Error("no query expected")),
  exec: () => Promise.reject(new Error("no exec expected")),
  transaction: () => Promise.reject(new Error("no transaction expected")),
  close: () => Promise.resolve(),
};

describe("prices misuse", () => {
  it.each([0, -1, 1.5, Number.NaN, 50_001])("refuses batchSize %s", async (batchSize) => {
    const contract = `batchSize must be a whole number from 1 to 50000, got ${batchSize}`;
    expect(() => createPriceStore(untouchable, { batchSize })).toThrow(contract);
    await expect(upsertPricePoints(untouchable, [], batchSize)).rejects.toThrow(contract);
    await expect(importPriceCsv(untouchable, "prices.csv", { batchSize })).rejects.toThrow(contract);
  });

  it.each(["2025-6-1", "yesterday", ""])("refuses the date %j as a bound", async (date) => {
    const store = createPriceStore(untouchable);
    const contract = `from must be a YYYY-MM-DD date, got ${JSON.stringify(date)}`;
    await expect(store.history(["sv1-1"], { from: date })).rejects.toThrow(contract);
    await expect(store.history(["sv1-1"], { to: date })).rejects.toThrow(contract.replace("from", "to"));
    await expect(store.allSeries({ from: date }).next()).rejects.toThrow(contract);
  });

  it.each([0, 2.5])("refuses cardsPerChunk %s", async (cardsPerChunk) => {
    await expect(createPriceStore(untouchable).allSeries({ cardsPerChunk }).next()).rejects.toThrow(
      `cardsPerChunk must be a whole number of 1 or more, got ${cardsPerChunk}`,
    );
  });

  it("refuses a blank defaultSource", () => {
    expect(() => parsePriceCsv("card_id,date,market_price,currency\n", { defaultSource: " " })).toThrow(
      "defaultSource must not be blank",
    );
  });

  it.each([
    ["x".repeat(256), "defaultSource is 256 characters long, more than 255"],
    ["tcg\u0000player", "defaultSource contains a NUL character, which PostgreSQL text cannot hold"],
  ])("refuses a defaultSource the store cannot hold (%#)", (defaultSource, contract) => {
    expect(() => parsePriceCsv("card_id,date,market_price,currency\n", { defaultSource })).toThrow(
      new RangeError(contract),
    );
  });
});
