import { toEpochDay } from "./epoch-day.js";

/** What the model knows about a card besides its prices. */
export interface CardAttributes {
  rarity: string | null;
  /** Release date of the card's set, `YYYY-MM-DD`. */
  setReleaseDate: string | null;
}

export type CardAttributeLookup = (cardId: string) => CardAttributes | undefined;

/**
 * Rarity names (pokemontcg.io spellings across eras) ranked by how scarce a pull is, so trees can
 * split "this tier and above". Names not listed rank as unknown (-1) rather than guessed.
 */
const RARITY_TIERS: Record<string, number> = {
  Common: 0,
  Uncommon: 1,
  Rare: 2,
  Promo: 2,
  "Classic Collection": 2,
  "Rare Holo": 3,
  "Double Rare": 3,
  "Rare Holo EX": 3,
  "Rare Holo GX": 3,
  "Rare Holo V": 3,
  "Rare Holo VMAX": 3,
  "Rare Holo VSTAR": 3,
  "Rare Holo LV.X": 3,
  "Rare BREAK": 3,
  "Rare Prime": 3,
  "Rare ACE": 3,
  "ACE SPEC Rare": 3,
  "Radiant Rare": 3,
  "Rare Prism Star": 3,
  "Amazing Rare": 3,
  "Trainer Gallery Rare Holo": 3,
  LEGEND: 3,
  "Shiny Rare": 3,
  "Rare Shiny": 3,
  "Rare Shining": 4,
  "Rare Holo Star": 4,
  "Ultra Rare": 4,
  "Rare Ultra": 4,
  "Illustration Rare": 4,
  "Rare Rainbow": 4,
  "Shiny Ultra Rare": 4,
  "Rare Shiny GX": 4,
  "Rare Secret": 5,
  "Special Illustration Rare": 5,
  "Hyper Rare": 5,
  "Black White Rare": 5,
  "Mega Hyper Rare": 6,
};

/** 0 (Common) … 6 (Mega Hyper Rare), -1 unknown: the `rarity_tier` feature. */
export function rarityRank(rarity: string | null): number {
  return rarity === null ? -1 : (RARITY_TIERS[rarity] ?? -1);
}

/** Days between the set's release and `day`; -1 when the release date is unknown. */
export function setAgeDays(attributes: CardAttributes | undefined, day: number): number {
  if (!attributes?.setReleaseDate) return -1;
  return Math.max(0, day - toEpochDay(attributes.setReleaseDate));
}
