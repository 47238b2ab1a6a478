/**
 * Builds packages/market/data/catalog.json, the compact catalog the project ships, from the full
 * pokemontcg.io catalog in ../shared/data/catalog (read only here; a clone runs without it).
 *
 *   pnpm data:catalog [--from ../shared/data/catalog] [--sets sv3pt5,sv4pt5,…]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { CatalogCard, CatalogData, CatalogSet } from "../src/catalog/catalog-types.js";

const RECENT_SETS = [
  "sv3pt5",
  "sv4pt5",
  "sv6pt5",
  "sv8",
  "sv8pt5",
  "sv9",
  "sv10",
  "zsv10pt5",
  "rsv10pt5",
  "me1",
  "me2",
];

interface UpstreamSet {
  id: string;
  name: string;
  series: string;
  printedTotal: number;
  total: number;
  releaseDate: string;
  images?: { symbol?: string; logo?: string };
}
interface UpstreamCard {
  id: string;
  name: string;
  number: string;
  rarity?: string;
  supertype: string;
  subtypes?: string[];
  types?: string[];
  hp?: string;
  artist?: string;
  nationalPokedexNumbers?: number[];
  images?: { small?: string; large?: string };
}

const { values } = parseArgs({
  options: {
    from: { type: "string", default: join(import.meta.dirname, "../../../../shared/data/catalog") },
    sets: { type: "string", default: RECENT_SETS.join(",") },
    out: { type: "string", default: join(import.meta.dirname, "../data/catalog.json") },
  },
});
const wanted = values.sets.split(",");
const upstreamSets = JSON.parse(readFileSync(join(values.from, "sets.json"), "utf8")) as UpstreamSet[];

const sets: CatalogSet[] = wanted.map((id) => {
  const set = upstreamSets.find((s) => s.id === id);
  if (!set) throw new Error(`set ${id} is not in ${values.from}/sets.json`);
  return {
    id: set.id,
    name: set.name,
    series: set.series,
    printedTotal: set.printedTotal,
    total: set.total,
    releaseDate: set.releaseDate.replaceAll("/", "-"),
    symbolUrl: set.images?.symbol ?? null,
    logoUrl: set.images?.logo ?? null,
  };
});

const cards: CatalogCard[] = wanted.flatMap((setId) => {
  const upstream = JSON.parse(readFileSync(join(values.from, "cards", `${setId}.json`), "utf8")) as UpstreamCard[];
  return upstream.map((card) => ({
    id: card.id,
    setId,
    name: card.name,
    number: card.number,
    rarity: card.rarity ?? null,
    supertype: card.supertype,
    subtypes: card.subtypes ?? [],
    types: card.types ?? [],
    hp: card.hp ? Number(card.hp) : null,
    artist: card.artist ?? null,
    nationalPokedexNumbers: card.nationalPokedexNumbers ?? [],
    imageUrl: card.images?.small ?? null,
    imageUrlLarge: card.images?.large ?? null,
  }));
});

const data: CatalogData = {
  source:
    "PokemonTCG/pokemon-tcg-data @ ab03aef (via ../shared/data/catalog); card text and images © Nintendo / Creatures / GAME FREAK / The Pokémon Company",
  sets,
  cards,
};
writeFileSync(values.out, `${JSON.stringify(data)}\n`);
process.stdout.write(`wrote ${cards.length} cards in ${sets.length} sets to ${values.out}\n`);
