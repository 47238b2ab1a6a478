import { readFileSync } from "node:fs";
import type { CatalogCard, CatalogData, CatalogSet } from "./catalog-types.js";
import {
  CatalogInputError,
  SEARCH_PAGE_DEFAULT,
  SEARCH_PAGE_MAX,
  decodeCursor,
  encodeCursor,
  foldText,
  type CardSearch,
} from "./card-search.js";

export interface CardEdge {
  node: CatalogCard;
  cursor: string;
}

export interface CardPage {
  edges: CardEdge[];
  totalCount: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface Catalog {
  readonly size: number;
  card(id: string): CatalogCard | undefined;
  set(id: string): CatalogSet | undefined;
  sets(): readonly CatalogSet[];
  /** Every card (or every card of `setId`), newest set first, then by collector number. */
  cards(setId?: string): readonly CatalogCard[];
  search(options: CardSearch): CardPage;
}

interface IndexedCard {
  card: CatalogCard;
  position: number;
  foldedName: string;
}

/**
 * An in-memory, read-only catalog. Cards are kept in one fixed order (newest set first, then by
 * collector number), which makes a cursor a stable position: pages never skip or repeat a card.
 */
export function createCatalog(data: CatalogData): Catalog {
  const setsById = new Map(data.sets.map((set) => [set.id, set]));
  for (const card of data.cards) {
    if (!setsById.has(card.setId)) throw new Error(`catalog card ${card.id} names unknown set ${card.setId}`);
  }
  const ordered = [...data.cards].sort((a, b) => {
    const byRelease = setsById.get(b.setId)!.releaseDate.localeCompare(setsById.get(a.setId)!.releaseDate);
    if (byRelease !== 0) return byRelease;
    if (a.setId !== b.setId) return a.setId.localeCompare(b.setId);
    return a.number.localeCompare(b.number, "en", { numeric: true });
  });
  const indexed: IndexedCard[] = ordered.map((card, position) => ({ card, position, foldedName: foldText(card.name) }));
  const byId = new Map(indexed.map((entry) => [entry.card.id, entry.card]));
  const bySet = new Map<string, CatalogCard[]>();
  for (const card of ordered) {
    const cards = bySet.get(card.setId);
    if (cards) cards.push(card);
    else bySet.set(card.setId, [card]);
  }

  return {
    size: indexed.length,
    card: (id) => byId.get(id),
    set: (id) => setsById.get(id),
    sets: () => data.sets,
    cards: (setId) => (setId === undefined ? ordered : (bySet.get(setId) ?? [])),
    search(options) {
      const first = options.first ?? SEARCH_PAGE_DEFAULT;
      if (!Number.isInteger(first) || first < 1 || first > SEARCH_PAGE_MAX) {
        throw new CatalogInputError(`first must be between 1 and ${SEARCH_PAGE_MAX}; got ${first}`, "first");
      }
      const after = options.after ? decodeCursor(options.after) : -1;
      const name = options.name ? foldText(options.name.trim()) : null;
      const rarity = options.rarity?.toLowerCase() ?? null;
      const supertype = options.supertype?.toLowerCase() ?? null;
      const matches = indexed.filter(
        (entry) =>
          (!name || entry.foldedName.includes(name)) &&
          (!options.setId || entry.card.setId === options.setId) &&
          (!rarity || entry.card.rarity?.toLowerCase() === rarity) &&
          (!supertype || entry.card.supertype.toLowerCase() === supertype),
      );
      const start = matches.findIndex((entry) => entry.position > after);
      const from = start === -1 ? matches.length : start;
      const page = matches.slice(from, from + first);
      return {
        edges: page.map((entry) => ({ node: entry.card, cursor: encodeCursor(entry.position) })),
        totalCount: matches.length,
        hasNextPage: from + first < matches.length,
        hasPreviousPage: from > 0,
      };
    },
  };
}

/** The compact catalog of recent sets shipped in `packages/market/data/catalog.json`. */
export function loadBundledCatalog(): Catalog {
  const file = new URL("../../data/catalog.json", import.meta.url);
  return createCatalog(JSON.parse(readFileSync(file, "utf8")) as CatalogData);
}
