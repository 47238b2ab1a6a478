import type { Queryable } from "@pokewatch/kit";

/**
 * The price store's version, or null when it holds no price: its latest day with data and the
 * moment a price was last inserted or changed (`imported_at`, which an upsert that repeats the
 * stored values leaves alone). Any collect or import that changes a price moves it, so the deals
 * ranking is rebuilt after each — also when the prices of a day already stored change. Two index
 * lookups (`price_points_date`, `price_points_imported_at`), cheap enough to ask every few seconds.
 */
export function createPricesVersionReader(db: Queryable): () => Promise<string | null> {
  return async () => {
    const [row] = await db.query<{ day: string | null; changed: string | null }>(
      "SELECT max(date)::text AS day, max(imported_at)::text AS changed FROM price_points",
    );
    return row?.day ? `${row.day}@${row.changed}` : null;
  };
}
