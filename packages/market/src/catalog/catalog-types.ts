/** A card set as shipped in the bundled catalog. */
export interface CatalogSet {
  id: string;
  name: string;
  series: string;
  printedTotal: number;
  total: number;
  /** `YYYY-MM-DD` */
  releaseDate: string;
  symbolUrl: string | null;
  logoUrl: string | null;
}

/** One card: its public pokemontcg.io id and the attributes collectors search by. */
export interface CatalogCard {
  id: string;
  setId: string;
  name: string;
  number: string;
  rarity: string | null;
  supertype: string;
  subtypes: string[];
  types: string[];
  hp: number | null;
  artist: string | null;
  nationalPokedexNumbers: number[];
  imageUrl: string | null;
  imageUrlLarge: string | null;
}

export interface CatalogData {
  /** Where the data came from, for the record. */
  source: string;
  sets: CatalogSet[];
  cards: CatalogCard[];
}
