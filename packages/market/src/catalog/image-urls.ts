/** Where pokemontcg.io serves card and set images. */
export const IMAGE_BASE_URL = "https://images.pokemontcg.io";

export interface CardImageUrls {
  imageUrl: string | null;
  imageUrlLarge: string | null;
}

/**
 * The pokemontcg.io image URLs of card `<setId>-<number>`: `<base>/<setId>/<number>.png` and
 * `…_hires.png`. Upstream holds to this for every card whose id is its set and number (checked on
 * all 2,181 such cards of the 12 sets with full JSON); a card whose id says something else
 * (`cel25c-15_A1`, `zsv10pt5-80` numbered 60) is named some other way, so it gets no derived URL.
 */
export function derivedImageUrls(setId: string, number: string): CardImageUrls {
  const stem = `${IMAGE_BASE_URL}/${setId}/${number}`;
  return { imageUrl: `${stem}.png`, imageUrlLarge: `${stem}_hires.png` };
}

/** True when a card's id is `<setId>-<number>`: the cards the image pattern is known to hold for. */
export function idFollowsNumber(id: string, setId: string, number: string): boolean {
  return id === `${setId}-${number}`;
}

export function derivedSetImageUrls(setId: string): { symbolUrl: string; logoUrl: string } {
  return { symbolUrl: `${IMAGE_BASE_URL}/${setId}/symbol.png`, logoUrl: `${IMAGE_BASE_URL}/${setId}/logo.png` };
}
