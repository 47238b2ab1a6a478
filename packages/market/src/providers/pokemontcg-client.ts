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
import { expectRecord, type ProviderPrices } from "./provider-prices.js";
import { tcgplayerPricePoint } from "./tcgplayer-prices.js";

export const POKEMONTCG_PROVIDER = "pokemontcg.io";
export const POKEMONTCG_PAGE_SIZE_MAX = 250;

export interface PokemonTcgClientOptions extends ProviderClientOptions {
  /** @default "https://api.pokemontcg.io/v2" */
  baseUrl?: string;
  /** Optional: raises the rate limit. Sent as `X-Api-Key` only when set. */
  apiKey?: string;
  /** Cards per page in `listSetPrices`. @default 250 (the API's maximum) */
  pageSize?: number;
}

export interface PokemonTcgClient {
  /** Today's TCGplayer price of one card (`GET /cards/{id}`); NOT_FOUND for an unknown id. */
  getCard(id: string): Promise<ProviderPrices>;
  /** TCGplayer prices of every card in a set, reading all pages. */
  listSetPrices(setId: string): Promise<ProviderPrices>;
}

const OWNER = "createPokemonTcgClient";
// Ids are interpolated into a Lucene-style `q`; anything else could widen the query.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function createPokemonTcgClient(options: PokemonTcgClientOptions = {}): PokemonTcgClient {
  const apiKey = checkApiKey(OWNER, options.apiKey, false);
  const pageSize = checkInteger(OWNER, "pageSize", options.pageSize ?? POKEMONTCG_PAGE_SIZE_MAX, 1, 250);
  const now = options.now ?? (() => new Date());
  const http = createProviderHttp({
    ...resolveHttpOptions(OWNER, options),
    provider: POKEMONTCG_PROVIDER,
    baseUrl: checkBaseUrl(OWNER, options.baseUrl ?? "https://api.pokemontcg.io/v2"),
    headers: apiKey ? { "x-api-key": apiKey } : {},
    secrets: apiKey ? [apiKey] : [],
  });

  return {
    async getCard(id) {
      checkId("getCard", "id", id);
      const today = utcDay(now());
      return http.getJson(`/cards/${encodeURIComponent(id)}`, {}, (body) => {
        const result = tcgplayerPricePoint(expectRecord(body, "body").data, "data", today);
        return "point" in result ? { points: [result.point], skipped: [] } : { points: [], skipped: [result.skipped] };
      });
    },

    async listSetPrices(setId) {
      checkId("listSetPrices", "setId", setId);
      const today = utcDay(now());
      const out: ProviderPrices = { points: [], skipped: [] };
      const seen = new Set<string>();
      for (let page = 1; ; page++) {
        const params = { q: `set.id:${setId}`, page, pageSize, orderBy: "number", select: "id,tcgplayer" };
        const { cards, totalCount } = await http.getJson("/cards", params, parseCardPage);
        cards.forEach((card, i) => {
          const result = tcgplayerPricePoint(card, `data[${i}]`, today);
          const cardId = "point" in result ? result.point.cardId : result.skipped.cardId;
          // Cards shift between pages when the set changes mid-read; keep each once.
          if (seen.has(cardId)) return;
          seen.add(cardId);
          if ("point" in result) out.points.push(result.point);
          else out.skipped.push(result.skipped);
        });
        if (cards.length === 0 || page * pageSize >= totalCount) return out;
      }
    },
  };
}

function parseCardPage(body: unknown): { cards: unknown[]; totalCount: number } {
  const record = expectRecord(body, "body");
  if (!Array.isArray(record.data)) throw new ResponseShapeError("data is not an array");
  const totalCount = record.totalCount;
  if (typeof totalCount !== "number" || !Number.isInteger(totalCount) || totalCount < 0) {
    throw new ResponseShapeError("totalCount is not a non-negative integer");
  }
  return { cards: record.data, totalCount };
}

function checkId(method: string, name: string, value: unknown): void {
  if (typeof value !== "string" || !ID_PATTERN.test(value)) {
    throw new TypeError(
      `PokemonTcgClient.${method}: ${name} must be a pokemontcg.io id like "sv3pt5" or "sv3pt5-6", got ${JSON.stringify(value)}`,
    );
  }
}
