import type { PricePoint } from "../prices/price-point.js";
import { ResponseShapeError } from "./provider-error.js";
import { createProviderHttp } from "./provider-http.js";
import {
  checkApiKey,
  checkBaseUrl,
  checkInteger,
  resolveHttpOptions,
  utcDay,
  type ProviderClientOptions,
} from "./provider-options.js";
import { expectRecord, isRecord, priceOrNull, toIsoDay, type ProviderPrices } from "./provider-prices.js";
import { parsePptPriceHistory } from "./ppt-price-history.js";

export const POKEMON_PRICE_TRACKER_PROVIDER = "pokemonpricetracker";

export interface PokemonPriceTrackerClientOptions extends ProviderClientOptions {
  /** Sent as `Authorization: Bearer <apiKey>`. Required. */
  apiKey: string;
  /** @default "https://www.pokemonpricetracker.com/api/v2" */
  baseUrl?: string;
  /** PPT `language` (`english`, `japanese`); left out when undefined, so PPT's own default applies. */
  language?: string;
}

/** PPT finds a card by TCGplayer product id, or by printed number plus PPT set id or code. */
export type PptCardQuery = { tcgPlayerId: number | string } | { cardNumber: string; set: string };

export interface PptHistoryOptions {
  /** Our (pokemontcg.io) id for the card; PPT ids differ, so the caller maps them. */
  cardId: string;
  /** Days of history to ask for (PPT caps it by plan: about 7 free, 90 paid). */
  days: number;
  /** Overrides the client's `language`. */
  language?: string;
}

export interface PokemonPriceTrackerClient {
  /** The card's price history plus its current price, ascending by date, one point per date. */
  getCardHistory(query: PptCardQuery, options: PptHistoryOptions): Promise<ProviderPrices>;
}

const OWNER = "createPokemonPriceTrackerClient";

export function createPokemonPriceTrackerClient(options: PokemonPriceTrackerClientOptions): PokemonPriceTrackerClient {
  const apiKey = checkApiKey(OWNER, options?.apiKey, true) as string;
  const now = options.now ?? (() => new Date());
  const http = createProviderHttp({
    ...resolveHttpOptions(OWNER, options),
    provider: POKEMON_PRICE_TRACKER_PROVIDER,
    baseUrl: checkBaseUrl(OWNER, options.baseUrl ?? "https://www.pokemonpricetracker.com/api/v2"),
    headers: { authorization: `Bearer ${apiKey}` },
    secrets: [apiKey],
  });

  return {
    async getCardHistory(query, historyOptions) {
      const { cardId, days } = checkHistoryOptions(historyOptions);
      const params = {
        ...cardParams(query),
        language: historyOptions.language ?? options.language,
        includeHistory: "true",
        days,
      };
      const today = utcDay(now());
      return http.getJson("/cards", params, (body) => cardPrices(pickCard(body, query), cardId, today));
    },
  };
}

function cardPrices(card: Record<string, unknown>, cardId: string, today: string): ProviderPrices {
  const source = POKEMON_PRICE_TRACKER_PROVIDER;
  const byDate = new Map<string, PricePoint>();
  for (const { date, market, volume } of parsePptPriceHistory(card.priceHistory, "data.priceHistory")) {
    byDate.set(date, { cardId, date, market, low: null, high: null, volume, source });
  }
  const prices = isRecord(card.prices) ? card.prices : {};
  const market = priceOrNull(prices.market) ?? priceOrNull(prices.mid);
  const date = toIsoDay(prices.lastUpdated) ?? today;
  // History wins on a shared date: it carries the day's volume.
  if (market !== null && !byDate.has(date)) {
    byDate.set(date, {
      cardId,
      date,
      market,
      low: priceOrNull(prices.low),
      high: priceOrNull(prices.high),
      volume: null,
      source,
    });
  }
  const points = [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
  return points.length > 0 ? { points, skipped: [] } : { points, skipped: [{ cardId, reason: `no ${source} price` }] };
}

/** `data` is one card for a single-card query, but PPT's list envelope also appears; take the match. */
function pickCard(body: unknown, query: PptCardQuery): Record<string, unknown> {
  const data = expectRecord(body, "body").data;
  if (!Array.isArray(data)) return expectRecord(data, "data");
  const cards: unknown[] = data;
  if (cards.length === 0) throw new ResponseShapeError("data is an empty list: no card matched", "NOT_FOUND");
  const wanted = "tcgPlayerId" in query ? String(query.tcgPlayerId) : null;
  const match = cards.find((card) => isRecord(card) && wanted !== null && String(card.tcgPlayerId) === wanted);
  return expectRecord(match ?? cards[0], "data[0]");
}

function cardParams(query: PptCardQuery): Record<string, string> {
  if (isRecord(query) && "tcgPlayerId" in query) {
    const id = String(query.tcgPlayerId);
    if (!/^[1-9]\d*$/.test(id)) {
      throw misuse(`tcgPlayerId must be a positive integer, got ${JSON.stringify(query.tcgPlayerId)}`);
    }
    return { tcgPlayerId: id };
  }
  if (isRecord(query) && typeof query.cardNumber === "string" && typeof query.set === "string") {
    if (query.cardNumber.trim() === "" || query.set.trim() === "") throw misuse("cardNumber and set must not be empty");
    return { cardNumber: query.cardNumber, set: query.set };
  }
  throw misuse(`query must be { tcgPlayerId } or { cardNumber, set }, got ${JSON.stringify(query)}`);
}

function checkHistoryOptions(options: PptHistoryOptions): { cardId: string; days: number } {
  if (!isRecord(options) || typeof options.cardId !== "string" || options.cardId.trim() === "") {
    throw misuse(`options.cardId must be our card id (e.g. "sv3pt5-6"), got ${JSON.stringify(options?.cardId)}`);
  }
  return {
    cardId: options.cardId,
    days: checkInteger("PokemonPriceTrackerClient.getCardHistory", "days", options.days, 1, 365),
  };
}

function misuse(message: string): TypeError {
  return new TypeError(`PokemonPriceTrackerClient.getCardHistory: ${message}`);
}
