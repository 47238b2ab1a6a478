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

  it("names the columns it needs when they are missing", () => {
    const path = write("prices.csv", "card_id,date,market_price\nbase1-4,2025-06-01,400\n");
    expect(() => readCardIndexCsv(path)).toThrow(/card_id, set_release_date and rarity/);
  });
});
