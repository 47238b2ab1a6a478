/** One day's price of one card from one source, as stored and as read from CSV. */
export interface PricePoint {
  cardId: string;
  /** `YYYY-MM-DD` */
  date: string;
  /** Market price in USD, > 0. */
  market: number;
  low: number | null;
  high: number | null;
  /** Units sold that day (or in the source's bucket), when the source says. */
  volume: number | null;
  /** Where the point came from: `tcgplayer`, `pokemontcg.io`, `pokemonpricetracker`, `simulator`, … */
  source: string;
}

/** A card's daily history, ascending by date, one point per date. */
export interface PriceSeries {
  cardId: string;
  points: PricePoint[];
}
