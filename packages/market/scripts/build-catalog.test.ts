import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runWorkspaceScript } from "@pokewatch/kit/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createCatalog } from "../src/catalog/catalog.js";
import { decodeCatalog, type CompactCatalog } from "../src/catalog/compact-catalog.js";
import { sendJson, useFixtureServer } from "../src/providers/fixture-server.js";

const SCRIPT = "packages/market/scripts/build-catalog.ts";
const dir = mkdtempSync(join(tmpdir(), "data-catalog-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs what `pnpm data:catalog …` runs, typed in `dir`. */
const dataCatalog = (args: string[], env: Record<string, string> = {}) =>
  runWorkspaceScript(SCRIPT, args, { typedIn: dir, timeoutMs: 60_000, env });

const readCatalog = (name: string) =>
  createCatalog(decodeCatalog(JSON.parse(readFileSync(join(dir, name), "utf8")) as CompactCatalog));

const set = (id: string, name: string, releaseDate: string) => ({
  id,
  name,
  series: "Test",
  printedTotal: 2,
  total: 2,
  releaseDate,
  images: {
    symbol: `https://images.pokemontcg.io/${id}/symbol.png`,
    logo: `https://images.pokemontcg.io/${id}/logo.png`,
  },
});

/** A copy laid out like ../shared/data/catalog: sets.json, cards_index.csv, and full JSON for `full` only. */
function writeLocalCopy(): string {
  const copy = join(dir, "copy");
  mkdirSync(join(copy, "cards"), { recursive: true });
  writeFileSync(
    join(copy, "sets.json"),
    JSON.stringify([set("old", "Old", "1999/01/09"), set("full", "Full", "2025/01/01")]),
  );
  writeFileSync(
    join(copy, "cards_index.csv"),
    [
      "card_id,set_id,set_name,set_release_date,number,name,supertype,subtypes,types,hp,rarity,artist,national_pokedex_numbers,regulation_mark",
      "old-4,old,Old,1999-01-09,4,Charizard,Pokémon,Stage 2,Fire,120,Rare Holo,Mitsuhiro Arita,6,",
      'old-15_A1,old,Old,1999-01-09,15,"Venusaur, again",Pokémon,Stage 2|ex,Grass|Psychic,,,,3|4,',
      "full-1,full,Full,2025-01-01,1,From the index,Trainer,,,,,,,",
    ].join("\n"),
  );
  const fullCard = {
    id: "full-1",
    name: "Full card",
    supertype: "Trainer",
    subtypes: ["Item"],
    number: "1",
    rarity: "Common",
    images: {
      small: "https://images.pokemontcg.io/full/9.png",
      large: "https://images.pokemontcg.io/full/9_hires.png",
    },
  };
  writeFileSync(join(copy, "cards", "full.json"), JSON.stringify([fullCard]));
  return copy;
}

describe("pnpm data:catalog", { timeout: 60_000 }, () => {
  it("--from a local copy: the full JSON where present, the index elsewhere, image URLs derived only where known", async () => {
    writeLocalCopy();
    const result = await dataCatalog(["--from", "copy", "--out", "local.json"]);
    expect(result.stderr).toContain("reading the catalog from local copy");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^wrote 3 cards in 2 sets to .*local\.json \(\d+ bytes, \d+ gzipped\)\n$/);
    const catalog = readCatalog("local.json");
    expect(catalog.card("old-4")).toMatchObject({
      hp: 120,
      imageUrl: "https://images.pokemontcg.io/old/4.png",
      imageUrlLarge: "https://images.pokemontcg.io/old/4_hires.png",
    });
    expect(catalog.card("old-15_A1")).toMatchObject({
      name: "Venusaur, again",
      number: "15",
      subtypes: ["Stage 2", "ex"],
      types: ["Grass", "Psychic"],
      hp: null,
      rarity: null,
      artist: null,
      nationalPokedexNumbers: [3, 4],
      imageUrl: null,
      imageUrlLarge: null,
    });
    expect(catalog.card("full-1")).toMatchObject({
      name: "Full card",
      subtypes: ["Item"],
      imageUrl: "https://images.pokemontcg.io/full/9.png",
    });
    expect(catalog.set("old")).toMatchObject({
      releaseDate: "1999-01-09",
      logoUrl: "https://images.pokemontcg.io/old/logo.png",
    });
  });

  it("--sets limits the sets, and an unknown one fails naming it", async () => {
    writeLocalCopy();
    expect((await dataCatalog(["--from", "copy", "--sets", "old", "--out", "old.json"])).code).toBe(0);
    expect(
      readCatalog("old.json")
        .sets()
        .map((s) => s.id),
    ).toEqual(["old"]);
    const bad = await dataCatalog(["--from", "copy", "--sets", "old,gone", "--out", "bad.json"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/data:catalog: unknown set\(s\) gone/);
  });

  it("reads pokemontcg.io at POKEMONTCG_API_URL with POKEMONTCG_API_KEY, and fails clearly on a malformed page", async () => {
    const card = { id: "api-1", name: "From the API", supertype: "Energy", number: "1" };
    let malformed = false;
    const server = await useFixtureServer((req, res) => {
      if (malformed && req.path === "/v2/cards")
        return sendJson(res, 200, { data: [{ ...card, name: 7 }], totalCount: 1 });
      if (req.path === "/v2/sets")
        return sendJson(res, 200, { data: [set("api", "Api", "2020/02/02")], totalCount: 1 });
      sendJson(res, 200, { data: [card], page: 1, pageSize: 250, count: 1, totalCount: 1 });
    });
    const env = { POKEMONTCG_API_URL: `${server.url}/v2`, POKEMONTCG_API_KEY: "pk_cli_key" };
    const result = await dataCatalog(["--out", "api.json"], env);
    expect(result.code).toBe(0);
    expect(readCatalog("api.json").card("api-1")).toMatchObject({ name: "From the API", imageUrl: null });
    expect(server.requests.map((req) => req.headers["x-api-key"])).toEqual(["pk_cli_key", "pk_cli_key"]);

    malformed = true;
    const failed = await dataCatalog(["--out", "never.json"], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /data:catalog: pokemontcg\.io GET \/cards failed \(BAD_RESPONSE\): page 1 data\[0\]\.name is not a non-empty string/,
    );
    expect(failed.stderr).not.toContain("pk_cli_key");
  });
});
