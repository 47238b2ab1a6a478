import type { Queryable } from "@pokewatch/kit";

/**
 * The latest day with any price in the store, or null when it holds none: one index lookup
 * (`price_points_date`), cheap enough to ask every few seconds. A new day means new latest prices,
 * so a new deals ranking.
 */
export function createLatestPriceDay(db: Queryable): () => Promise<string | null> {
  return async () => {
    const [row] = await db.query<{ day: string | null }>("SELECT max(date) AS day FROM price_points");
    return row?.day ?? null;
  };
}
