import type { Signal } from "./signal.js";

/** One fair price asked for: a card, and a day or (null) the card's latest day with data. */
export interface FairPriceKey {
  cardId: string;
  date: string | null;
}

/** What `FairPrice` resolves from. Prices in USD, rounded to the cent. */
export interface FairPriceResult {
  cardId: string;
  date: string;
  marketPrice: number;
  marketPriceDate: string;
  marketPriceSource: string;
  fairPrice: number;
  low: number;
  high: number;
  deviationPct: number;
  signal: Signal;
  cached: boolean;
  modelVersionId: string;
}

export const fairPriceKeyId = ({ cardId, date }: FairPriceKey) => `${cardId}|${date ?? ""}`;
