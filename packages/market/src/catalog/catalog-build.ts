import type { CatalogCard, CatalogData, CatalogSet } from "./catalog-types.js";

/** Where `pnpm data:catalog` reads the catalog: the pokemontcg.io API, or a local copy of its data. */
export interface CatalogSource {
  /** For the record in the built file, e.g. `pokemontcg.io API (https://api.pokemontcg.io/v2)`. */
  readonly description: string;
  /** Every English set, oldest first as upstream lists them. */
  sets(): Promise<CatalogSet[]>;
  /** Every card of one set. */
  cards(set: CatalogSet): Promise<CatalogCard[]>;
}

export interface BuildCatalogOptions {
  /** Only these sets, in upstream order. @default every set */
  setIds?: readonly string[] | undefined;
  /** Called once per set read, for a progress line. */
  progress?: (message: string) => void;
}

export const CATALOG_LICENCE_NOTE =
  "card data from PokemonTCG/pokemon-tcg-data / pokemontcg.io (no licence file); card text and images © Nintendo / Creatures / GAME FREAK / The Pokémon Company";

/** Reads every wanted set's cards, one set at a time, and checks the result holds together. */
export async function buildCatalogData(source: CatalogSource, options: BuildCatalogOptions = {}): Promise<CatalogData> {
  const all = await source.sets();
  const known = new Set(all.map((set) => set.id));
  const unknown = options.setIds?.filter((id) => !known.has(id)) ?? [];
  if (unknown.length > 0)
    throw new Error(`unknown set(s) ${unknown.join(", ")}: not among the ${all.length} sets of ${source.description}`);
  const wanted = options.setIds ? new Set(options.setIds) : null;
  const sets = all.filter((set) => !wanted || wanted.has(set.id));

  const cards: CatalogCard[] = [];
  const ids = new Set<string>();
  for (const [i, set] of sets.entries()) {
    const setCards = await source.cards(set);
    for (const card of setCards) {
      if (card.setId !== set.id) throw new Error(`card ${card.id} came with set ${set.id} but names set ${card.setId}`);
      if (ids.has(card.id)) throw new Error(`card id ${card.id} appears twice`);
      ids.add(card.id);
      cards.push(card);
    }
    options.progress?.(`${i + 1}/${sets.length} ${set.id}: ${setCards.length} cards`);
  }
  return { source: `${source.description}; ${CATALOG_LICENCE_NOTE}`, sets, cards };
}
