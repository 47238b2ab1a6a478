import type { CatalogSource } from "../catalog/catalog-build.js";
import type { CatalogCard, CatalogSet } from "../catalog/catalog-types.js";
import { catalogCardOf, catalogSetOf } from "../catalog/upstream-catalog.js";
import { POKEMONTCG_PAGE_SIZE_MAX, POKEMONTCG_PROVIDER } from "./pokemontcg-client.js";
import { ResponseShapeError } from "./provider-error.js";
import { createProviderHttp, type SearchParams } from "./provider-http.js";
import {
  checkApiKey,
  checkBaseUrl,
  checkInteger,
  resolveHttpOptions,
  type ProviderClientOptions,
} from "./provider-options.js";
import { expectRecord } from "./provider-prices.js";
import type { RetryWaitOptions } from "./retry-wait.js";

export const POKEMONTCG_DEFAULT_BASE_URL = "https://api.pokemontcg.io/v2";

export interface PokemonTcgCatalogOptions extends ProviderClientOptions, RetryWaitOptions {
  /** @default POKEMONTCG_DEFAULT_BASE_URL */
  baseUrl?: string;
  /** Optional: raises the rate limit. Sent as `X-Api-Key` only when set. */
  apiKey?: string;
  /** Sets or cards per page. @default 250 (the API's maximum) */
  pageSize?: number;
}

const OWNER = "createPokemonTcgCatalogSource";
// Set ids go into a Lucene-style `q`; anything else could widen the query.
const SET_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The catalog straight from pokemontcg.io: `GET /sets` and `GET /cards?q=set.id:<id>`, every page,
 * each request with the provider timeout and retries (429 with Retry-After, 5xx, timeouts).
 */
export function createPokemonTcgCatalogSource(options: PokemonTcgCatalogOptions = {}): CatalogSource {
  const apiKey = checkApiKey(OWNER, options.apiKey, false);
  const pageSize = checkInteger(
    OWNER,
    "pageSize",
    options.pageSize ?? POKEMONTCG_PAGE_SIZE_MAX,
    1,
    POKEMONTCG_PAGE_SIZE_MAX,
  );
  const baseUrl = checkBaseUrl(OWNER, options.baseUrl ?? POKEMONTCG_DEFAULT_BASE_URL);
  const http = createProviderHttp({
    ...resolveHttpOptions(OWNER, options),
    sleep: options.sleep,
    random: options.random,
    provider: POKEMONTCG_PROVIDER,
    baseUrl,
    headers: apiKey ? { "x-api-key": apiKey } : {},
    secrets: apiKey ? [apiKey] : [],
  });

  /** Every item of a paged list, each read by `item`, kept once by id (items shift between pages when upstream changes mid-read). */
  async function readAll<T extends { id: string }>(
    path: string,
    params: SearchParams,
    item: (value: unknown, where: string) => T,
  ): Promise<T[]> {
    const out = new Map<string, T>();
    for (let page = 1; ; page++) {
      const { items, totalCount } = await http.getJson(path, { ...params, page, pageSize }, (body) =>
        readPage(body, page, item),
      );
      for (const one of items) if (!out.has(one.id)) out.set(one.id, one);
      if (items.length === 0 || page * pageSize >= totalCount) return [...out.values()];
    }
  }

  return {
    description: `${POKEMONTCG_PROVIDER} API (${baseUrl})`,
    sets: () => readAll("/sets", { orderBy: "releaseDate" }, catalogSetOf),
    async cards(set: CatalogSet): Promise<CatalogCard[]> {
      if (!SET_ID_PATTERN.test(set.id))
        throw new TypeError(`${OWNER}: set id ${JSON.stringify(set.id)} is not a pokemontcg.io id`);
      return readAll("/cards", { q: `set.id:${set.id}`, orderBy: "number" }, (value, where) =>
        catalogCardOf(value, set.id, where),
      );
    },
  };
}

function readPage<T>(body: unknown, page: number, item: (value: unknown, where: string) => T) {
  const record = expectRecord(body, `page ${page}`);
  if (!Array.isArray(record.data)) throw new ResponseShapeError(`page ${page}: data is not an array`);
  const { totalCount } = record;
  if (typeof totalCount !== "number" || !Number.isInteger(totalCount) || totalCount < 0) {
    throw new ResponseShapeError(`page ${page}: totalCount is not a non-negative integer`);
  }
  return { items: record.data.map((value, i) => item(value, `page ${page} data[${i}]`)), totalCount };
}
