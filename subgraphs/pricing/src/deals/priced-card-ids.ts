import type { Queryable } from "@pokewatch/kit";

/**
 * The ids of the cards with at least one stored price. The deals ranking prices only these: the
 * catalog holds 19,783 cards, most never priced (only SIMULATED_SETS are simulated), and reading
 * each one's empty history on every ranking would cost ten times the reads for nothing.
 */
export function createPricedCardIds(db: Queryable): () => Promise<Set<string>> {
  return async () => {
    const rows = await db.query<{ card_id: string }>("SELECT DISTINCT card_id FROM price_points");
    return new Set(rows.map((row) => row.card_id));
  };
}
