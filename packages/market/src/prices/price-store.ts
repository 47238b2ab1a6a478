import type { Database, Queryable } from "@pokewatch/kit";
import type { PricePoint, PriceSeries } from "./price-point.js";
import {
  DEFAULT_UPSERT_BATCH_SIZE,
  requireBatchSize,
  upsertPricePoints,
  type UpsertCounts,
} from "./upsert-price-points.js";

/** Inclusive `YYYY-MM-DD` bounds; either may be left out. */
export interface DateRange {
  from?: string | null;
  to?: string | null;
}

export interface CardDateRange {
  /** First and last day with a price. */
  from: string;
  to: string;
  /** Days with a price (from any source). */
  days: number;
}

export interface PriceSummary {
  cards: number;
  /** Stored rows: a day priced by two sources counts twice. */
  points: number;
  from: string | null;
  to: string | null;
  sources: string[];
}

export interface PriceStore {
  /** Inserts or replaces by (card, date, source), all in one transaction: a failure writes nothing. */
  upsert(points: readonly PricePoint[]): Promise<UpsertCounts>;
  /**
   * Each card's history ascending by date, one point a day: where sources overlap, the most
   * recently imported wins. Every requested id gets an entry, empty when it has no prices.
   */
  history(cardIds: readonly string[], range?: DateRange): Promise<Map<string, PriceSeries>>;
  /** First and last day with data, for the cards that have any. */
  dateRanges(cardIds: readonly string[]): Promise<Map<string, CardDateRange>>;
  summary(): Promise<PriceSummary>;
  /** Every card's history in card id order, read a chunk of cards at a time (training). */
  allSeries(options?: DateRange & { cardsPerChunk?: number }): AsyncGenerator<PriceSeries>;
}

export interface PriceStoreOptions {
  /** Rows per INSERT statement. @default 5000 */
  batchSize?: number;
}

interface PointRow {
  card_id: string;
  date: string;
  source: string;
  market: number;
  low: number | null;
  high: number | null;
  volume: number | null;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DEFAULT_CARDS_PER_CHUNK = 500;

export function createPriceStore(
  db: Database,
  { batchSize = DEFAULT_UPSERT_BATCH_SIZE }: PriceStoreOptions = {},
): PriceStore {
  requireBatchSize(batchSize);

  const history = (cardIds: readonly string[], range: DateRange = {}) => readHistory(db, cardIds, range);

  return {
    upsert: (points) => db.transaction((tx) => upsertPricePoints(tx, points, batchSize)),
    history,

    async dateRanges(cardIds) {
      const rows = await db.query<{ card_id: string; first_date: string; last_date: string; days: number }>(
        `SELECT card_id, min(date) AS first_date, max(date) AS last_date, count(DISTINCT date) AS days
         FROM price_points WHERE card_id = ANY($1::text[]) GROUP BY card_id`,
        [[...new Set(cardIds)]],
      );
      return new Map(rows.map((r) => [r.card_id, { from: r.first_date, to: r.last_date, days: r.days }]));
    },

    async summary() {
      const [row] = await db.query<{
        cards: number;
        points: number;
        first_date: string | null;
        last_date: string | null;
        sources: string[];
      }>(
        `SELECT count(DISTINCT card_id) AS cards, count(*) AS points, min(date) AS first_date,
                max(date) AS last_date, coalesce(array_agg(DISTINCT source ORDER BY source), '{}') AS sources
         FROM price_points`,
      );
      return {
        cards: row!.cards,
        points: row!.points,
        from: row!.first_date,
        to: row!.last_date,
        sources: row!.sources,
      };
    },

    async *allSeries({ cardsPerChunk = DEFAULT_CARDS_PER_CHUNK, ...range } = {}) {
      if (!Number.isInteger(cardsPerChunk) || cardsPerChunk < 1) {
        throw new RangeError(`cardsPerChunk must be a whole number of 1 or more, got ${String(cardsPerChunk)}`);
      }
      requireDates(range);
      // Keyset pagination over card ids: each chunk is one short query, however big the table.
      let after = "";
      for (;;) {
        const ids = await db.query<{ card_id: string }>(
          "SELECT DISTINCT card_id FROM price_points WHERE card_id > $1 ORDER BY card_id LIMIT $2",
          [after, cardsPerChunk],
        );
        if (ids.length === 0) return;
        const chunk = await history(
          ids.map((r) => r.card_id),
          range,
        );
        for (const series of chunk.values()) if (series.points.length > 0) yield series;
        after = ids.at(-1)!.card_id;
      }
    },
  };
}

async function readHistory(db: Queryable, cardIds: readonly string[], range: DateRange) {
  requireDates(range);
  const ids = [...new Set(cardIds)];
  const params: unknown[] = [ids];
  const bound = (op: string, value: string | null | undefined) =>
    value ? ` AND date ${op} $${params.push(value)}::date` : "";
  const where = `card_id = ANY($1::text[])${bound(">=", range.from)}${bound("<=", range.to)}`;
  // `source` breaks ties between sources written by the same transaction (same imported_at).
  const rows = await db.query<PointRow>(
    `SELECT DISTINCT ON (card_id, date) card_id, date, source, market, low, high, volume
     FROM price_points WHERE ${where}
     ORDER BY card_id, date, imported_at DESC, source`,
    params,
  );
  const series = new Map<string, PriceSeries>(ids.map((cardId) => [cardId, { cardId, points: [] }]));
  for (const row of rows) {
    series.get(row.card_id)!.points.push({
      cardId: row.card_id,
      date: row.date,
      market: row.market,
      low: row.low,
      high: row.high,
      volume: row.volume,
      source: row.source,
    });
  }
  return series;
}

function requireDates({ from, to }: DateRange): void {
  for (const [name, value] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (value != null && !ISO_DATE.test(value)) {
      throw new RangeError(`${name} must be a YYYY-MM-DD date, got ${JSON.stringify(value)}`);
    }
  }
}
