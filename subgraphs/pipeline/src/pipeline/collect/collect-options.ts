import { HORIZON_DAYS } from "@pokewatch/model";

/**
 * Where the collect step gets prices (PRICE_SOURCE):
 * - `auto`: the providers; when none answers and the store is empty, the simulator (with a WARN).
 * - `providers`: the providers only; an empty store stays empty (ingest then fails the run).
 * - `simulator`: no network; an empty store is filled with simulated prices (`source: "simulator"`).
 */
export const PRICE_SOURCES = ["auto", "providers", "simulator"] as const;
export type PriceSource = (typeof PRICE_SOURCES)[number];

/** Days of history the model reads (28-day windows) plus the horizon it learns: less cannot train. */
export const MIN_HISTORY_DAYS = 28 + HORIZON_DAYS;

export interface CollectOptions {
  /** @default "simulator" here (code that says nothing never touches the network); the services read PRICE_SOURCE, default `auto`. */
  source: PriceSource;
  pokemontcg: {
    /** POKEMONTCG_API_URL. @default "https://api.pokemontcg.io/v2" */
    baseUrl: string;
    /** POKEMONTCG_API_KEY: optional, raises pokemontcg.io's limits. */
    apiKey?: string | undefined;
  };
  ppt: {
    /** PPT_API_URL. @default "https://www.pokemonpricetracker.com/api/v2" */
    baseUrl: string;
    /** POKEMON_PRICE_API_KEY: without it there is no backfill. */
    apiKey?: string | undefined;
    /** PRICE_BACKFILL_DAYS: history asked for per card. @default 90 */
    backfillDays: number;
    /** PPT_MAX_CALLS_PER_RUN: cards backfilled per run at most (one call each). @default 50 */
    maxCallsPerRun: number;
  };
  /** Only these catalog sets (`pnpm data:collect --sets`). @default every set of the catalog */
  sets?: readonly string[] | undefined;
  /** The collection day, `YYYY-MM-DD` (`--date`): what "collected today" means. @default the clock's UTC day */
  date?: string | undefined;
  /** Per provider request attempt, until the whole body arrived. @default 15_000 */
  timeoutMs: number;
  /** Retries of one request (429, 5xx, timeouts, network). @default 2 */
  retries: number;
  /** Longest `Retry-After` waited for; a longer one fails the set, which the next run retries. @default 30_000 */
  maxRetryAfterMs: number;
  /** The whole step's time for network work; sets left when it is spent wait for the next run. @default 1_800_000 */
  budgetMs: number;
}

export const DEFAULT_COLLECT_OPTIONS: CollectOptions = {
  source: "simulator",
  pokemontcg: { baseUrl: "https://api.pokemontcg.io/v2" },
  ppt: { baseUrl: "https://www.pokemonpricetracker.com/api/v2", backfillDays: 90, maxCallsPerRun: 50 },
  timeoutMs: 15_000,
  retries: 2,
  maxRetryAfterMs: 30_000,
  budgetMs: 30 * 60_000,
};

/** A failed provider call, for the step message: code, HTTP status, retry-after. */
export function describeFailure(error: {
  code: string;
  status: number | null;
  retryAfterMs: number | null;
  message: string;
}): string {
  const parts = [error.code];
  if (error.status !== null) parts.push(`HTTP ${error.status}`);
  if (error.retryAfterMs !== null) parts.push(`retry-after ${Math.ceil(error.retryAfterMs / 1000)} s`);
  if (error.status === null) {
    // NETWORK / TIMEOUT: the useful part (ENOTFOUND, ECONNREFUSED, the timeout) is in the message.
    const detail = /failed \([A-Z_]+\): (.*); \d+ attempt/.exec(error.message)?.[1];
    if (detail) parts.push(detail);
  }
  return parts.join(", ");
}
