import { ResponseShapeError } from "../providers/provider-error.js";
import { expectRecord, toIsoDay } from "../providers/provider-prices.js";
import type { CatalogCard, CatalogSet } from "./catalog-types.js";
import { derivedImageUrls, idFollowsNumber } from "./image-urls.js";

/**
 * Readers of pokemontcg.io's own shapes (its API and `PokemonTCG/pokemon-tcg-data`, the same
 * objects): a field the catalog needs that is missing or of the wrong type fails with where it was.
 */

function text(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== "string" || value === "")
    throw new ResponseShapeError(`${where}.${key} is not a non-empty string`);
  return value;
}

function optionalText(record: Record<string, unknown>, key: string, where: string): string | null {
  const value = record[key];
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") throw new ResponseShapeError(`${where}.${key} is not a string`);
  return value;
}

function count(record: Record<string, unknown>, key: string, where: string): number {
  const value = record[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new ResponseShapeError(`${where}.${key} is not a whole number`);
  }
  return value;
}

function list<T>(record: Record<string, unknown>, key: string, where: string, item: (v: unknown) => v is T): T[] {
  const value = record[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every(item)) throw new ResponseShapeError(`${where}.${key} is not a list`);
  return value;
}

const isString = (value: unknown): value is string => typeof value === "string";
const isInteger = (value: unknown): value is number => Number.isInteger(value);

/** A set object of `GET /sets` or `sets/en.json`. */
export function catalogSetOf(value: unknown, where: string): CatalogSet {
  const set = expectRecord(value, where);
  const releaseDate = toIsoDay(set.releaseDate);
  if (releaseDate === null) throw new ResponseShapeError(`${where}.releaseDate is not a YYYY/MM/DD day`);
  const images = set.images === undefined || set.images === null ? {} : expectRecord(set.images, `${where}.images`);
  return {
    id: text(set, "id", where),
    name: text(set, "name", where),
    series: text(set, "series", where),
    printedTotal: count(set, "printedTotal", where),
    total: count(set, "total", where),
    releaseDate,
    symbolUrl: optionalText(images, "symbol", `${where}.images`),
    logoUrl: optionalText(images, "logo", `${where}.images`),
  };
}

/** A card object of `GET /cards` or `cards/en/<setId>.json`; its images are taken as given, null when absent. */
export function catalogCardOf(value: unknown, setId: string, where: string): CatalogCard {
  const card = expectRecord(value, where);
  const hp = optionalText(card, "hp", where);
  const images = card.images === undefined || card.images === null ? {} : expectRecord(card.images, `${where}.images`);
  return {
    id: text(card, "id", where),
    setId,
    name: text(card, "name", where),
    number: text(card, "number", where),
    rarity: optionalText(card, "rarity", where),
    supertype: text(card, "supertype", where),
    subtypes: list(card, "subtypes", where, isString),
    types: list(card, "types", where, isString),
    hp: hpOf(hp, where),
    artist: optionalText(card, "artist", where),
    nationalPokedexNumbers: list(card, "nationalPokedexNumbers", where, isInteger),
    imageUrl: optionalText(images, "small", `${where}.images`),
    imageUrlLarge: optionalText(images, "large", `${where}.images`),
  };
}

function hpOf(hp: string | null, where: string): number | null {
  if (hp === null) return null;
  // Upstream writes hp as a string of digits; anything else is not an hp we can search by.
  if (!/^\d+$/.test(hp)) throw new ResponseShapeError(`${where}.hp is not a number: ${JSON.stringify(hp)}`);
  return Number(hp);
}

/** A row of `cards_index.csv` (the flattened catalog, lists `|`-joined). */
export type CardIndexRow = Record<string, string | undefined>;

/**
 * A card from the flattened index, which carries no image URLs: they are derived where the
 * pattern is known to hold (the id is `<setId>-<number>`) and null otherwise, never guessed.
 */
export function catalogCardOfIndexRow(row: CardIndexRow, where: string): CatalogCard {
  const field = (key: string) => row[key] ?? "";
  const required = (key: string) => {
    const value = field(key);
    if (value === "") throw new ResponseShapeError(`${where}: ${key} is empty`);
    return value;
  };
  const splitList = (key: string) => (field(key) === "" ? [] : field(key).split("|"));
  const [id, setId, number] = [required("card_id"), required("set_id"), required("number")];
  const dex = splitList("national_pokedex_numbers").map(Number);
  if (!dex.every(Number.isInteger)) throw new ResponseShapeError(`${where}: national_pokedex_numbers is not a list`);
  return {
    id,
    setId,
    name: required("name"),
    number,
    rarity: field("rarity") || null,
    supertype: required("supertype"),
    subtypes: splitList("subtypes"),
    types: splitList("types"),
    hp: hpOf(field("hp") || null, where),
    artist: field("artist") || null,
    nationalPokedexNumbers: dex,
    ...(idFollowsNumber(id, setId, number) ? derivedImageUrls(setId, number) : { imageUrl: null, imageUrlLarge: null }),
  };
}
