import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCardIndexCsv } from "./card-index-csv.js";

describe("readCardIndexCsv", () => {
  const dir = mkdtempSync(join(tmpdir(), "card-index-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it("reads rarity and set release date by card id, quoted fields included", () => {
    const path = write(
      "index.csv",
      'card_id,set_id,set_name,set_release_date,number,name,rarity\nbase1-4,base1,Base,1999-01-09,4,"Charizard, the one",Rare Holo\nbase1-99,base1,Base,1999-01-09,99,Potion,\n',
    );
    const index = readCardIndexCsv(path);
    expect(index.get("base1-4")).toEqual({ rarity: "Rare Holo", setReleaseDate: "1999-01-09" });
    expect(index.get("base1-99")).toEqual({ rarity: null, setReleaseDate: "1999-01-09" });
  });

  it("reads a release date that is malformed or not a calendar day as unknown (null)", () => {
    const dates = ["1999/01/09", "2025-02-30", "2025-13-01", "soon", "2025-6-1", " 2024-02-29 ", "2023-02-29", ""];
    const rows = dates.map((date, i) => `x-${i},x,X,${date},${i},Card,Common`);
    const index = readCardIndexCsv(
      write("dates.csv", ["card_id,set_id,set_name,set_release_date,number,name,rarity", ...rows].join("\n")),
    );
    expect(dates.map((_, i) => index.get(`x-${i}`)?.setReleaseDate)).toEqual([
      null,
      null,
      null,
      null,
      null,
      "2024-02-29",
      null,
      null,
    ]);
    expect(index.get("x-0")).toEqual({ rarity: "Common", setReleaseDate: null });
  });

  it("names the columns it needs when they are missing", () => {
    const path = write("prices.csv", "card_id,date,market_price\nbase1-4,2025-06-01,400\n");
    expect(() => readCardIndexCsv(path)).toThrow(/card_id, set_release_date and rarity/);
  });
});
