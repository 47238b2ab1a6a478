import type { CatalogCard, CatalogData, CatalogSet } from "./catalog-types.js";
import { derivedImageUrls, derivedSetImageUrls } from "./image-urls.js";

export const COMPACT_CATALOG_FORMAT = "pokewatch.catalog/2";

/** The repeated card attributes, each stored once in a table and referred to by index. */
const DICTIONARY_COLUMNS = ["rarity", "supertype", "subtypes", "types", "artist"] as const;
type DictionaryColumn = (typeof DICTIONARY_COLUMNS)[number];

/**
 * One card: `[number, name, rarity, supertype, subtypes, types, hp, artist, pokedex, extra?]`.
 * Dictionary columns hold an index into `values[column]` (-1 for null; list columns join with `|`,
 * "" for none). `pokedex` is 0 for none, a number for one, an array for several. `extra` is there
 * only when the card's id is not `<setId>-<number>` or its images differ from `derivedImageUrls`.
 */
export type CompactCard = [
  number: string,
  name: string,
  rarity: number,
  supertype: number,
  subtypes: number,
  types: number,
  hp: number | null,
  artist: number,
  pokedex: number | number[],
  extra?: { id?: string; images?: [string | null, string | null] },
];

/** A set with its cards; `symbolUrl` / `logoUrl` are written only when not the derived ones. */
export type CompactSet = Omit<CatalogSet, "symbolUrl" | "logoUrl"> &
  Partial<Pick<CatalogSet, "symbolUrl" | "logoUrl">> & { cards: CompactCard[] };

/**
 * The shipped catalog: values shared by a set's cards (set id, release date) are stored with the
 * set, repeated strings once in `values`, image URLs that follow pokemontcg.io's pattern not at all.
 */
export interface CompactCatalog {
  format: typeof COMPACT_CATALOG_FORMAT;
  source: string;
  values: Record<DictionaryColumn, string[]>;
  sets: CompactSet[];
}

const LIST_SEPARATOR = "|";

export function encodeCatalog(data: CatalogData): CompactCatalog {
  const tables = Object.fromEntries(DICTIONARY_COLUMNS.map((column) => [column, new Map<string, number>()]));
  const indexOf = (column: DictionaryColumn, value: string | null): number => {
    if (value === null) return -1;
    const table = tables[column]!;
    let index = table.get(value);
    if (index === undefined) table.set(value, (index = table.size));
    return index;
  };
  const bySet = new Map<string, CompactCard[]>(data.sets.map((set) => [set.id, []]));
  for (const card of data.cards) {
    const rows = bySet.get(card.setId);
    if (!rows) throw new Error(`catalog card ${card.id} names unknown set ${card.setId}`);
    rows.push(encodeCard(card, indexOf));
  }
  return {
    format: COMPACT_CATALOG_FORMAT,
    source: data.source,
    values: Object.fromEntries(DICTIONARY_COLUMNS.map((column) => [column, [...tables[column]!.keys()]])) as Record<
      DictionaryColumn,
      string[]
    >,
    sets: data.sets.map(({ symbolUrl, logoUrl, ...set }) => {
      const derived = derivedSetImageUrls(set.id);
      return {
        ...set,
        ...(symbolUrl !== derived.symbolUrl && { symbolUrl }),
        ...(logoUrl !== derived.logoUrl && { logoUrl }),
        cards: bySet.get(set.id)!,
      };
    }),
  };
}

function encodeCard(card: CatalogCard, indexOf: (column: DictionaryColumn, value: string | null) => number) {
  const dex = card.nationalPokedexNumbers;
  const row: CompactCard = [
    card.number,
    card.name,
    indexOf("rarity", card.rarity),
    indexOf("supertype", card.supertype),
    indexOf("subtypes", card.subtypes.join(LIST_SEPARATOR)),
    indexOf("types", card.types.join(LIST_SEPARATOR)),
    card.hp,
    indexOf("artist", card.artist),
    dex.length === 0 ? 0 : dex.length === 1 ? dex[0]! : [...dex],
  ];
  const derived = derivedImageUrls(card.setId, card.number);
  const extra: NonNullable<CompactCard[9]> = {};
  if (card.id !== `${card.setId}-${card.number}`) extra.id = card.id;
  if (card.imageUrl !== derived.imageUrl || card.imageUrlLarge !== derived.imageUrlLarge) {
    extra.images = [card.imageUrl, card.imageUrlLarge];
  }
  if (Object.keys(extra).length > 0) row.push(extra);
  return row;
}

/** Reads what `encodeCatalog` wrote. List attributes are shared, frozen arrays: the catalog is read-only. */
export function decodeCatalog(compact: CompactCatalog): CatalogData {
  const format: unknown = compact.format;
  if (format !== COMPACT_CATALOG_FORMAT) {
    throw new Error(`not a ${COMPACT_CATALOG_FORMAT} catalog (format ${JSON.stringify(format)})`);
  }
  const { values } = compact;
  const lists = (column: "subtypes" | "types") =>
    values[column].map((joined) => Object.freeze(joined === "" ? [] : joined.split(LIST_SEPARATOR)) as string[]);
  const subtypes = lists("subtypes");
  const types = lists("types");
  const none = Object.freeze([]) as unknown as number[];
  // Most cards name one Pokémon: one shared list per Pokédex number instead of one per card.
  const onePokemon = new Map<number, number[]>();
  const pokedex = (dex: number | number[]): number[] => {
    if (dex === 0) return none;
    if (typeof dex !== "number") return dex;
    let list = onePokemon.get(dex);
    if (!list) onePokemon.set(dex, (list = Object.freeze([dex]) as number[]));
    return list;
  };
  const sets: CatalogSet[] = [];
  const cards: CatalogCard[] = [];
  for (const { cards: rows, symbolUrl, logoUrl, ...set } of compact.sets) {
    const derived = derivedSetImageUrls(set.id);
    sets.push({
      ...set,
      symbolUrl: symbolUrl === undefined ? derived.symbolUrl : symbolUrl,
      logoUrl: logoUrl === undefined ? derived.logoUrl : logoUrl,
    });
    for (const row of rows) {
      const [number, name, rarity, supertype, subtype, type, hp, artist, dex, extra] = row;
      const images = extra?.images;
      const card: CatalogCard = {
        id: extra?.id ?? `${set.id}-${number}`,
        setId: set.id,
        name,
        number,
        rarity: rarity === -1 ? null : values.rarity[rarity]!,
        supertype: values.supertype[supertype]!,
        subtypes: subtypes[subtype]!,
        types: types[type]!,
        hp,
        artist: artist === -1 ? null : values.artist[artist]!,
        nationalPokedexNumbers: pokedex(dex),
        ...(images ? { imageUrl: images[0], imageUrlLarge: images[1] } : derivedImageUrls(set.id, number)),
      };
      if ([card.rarity, card.supertype, card.subtypes, card.types, card.artist].includes(undefined as never)) {
        throw new Error(`catalog card ${card.id}: ${JSON.stringify(row)} refers to a value the catalog does not hold`);
      }
      cards.push(card);
    }
  }
  return { source: compact.source, sets, cards };
}
