import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import type { Catalog } from "../catalog/catalog.js";
import type { CatalogCard, CatalogSet } from "../catalog/catalog-types.js";
import { sendFakeJson, type FakeHandler, type FakeRequest } from "./fake-provider-server.js";

/**
 * Test-only: pokemontcg.io v2 `GET /cards?q=set.id:X&page&pageSize` for whole catalog sets, each
 * card built on one of the two real recorded responses in `providers/fixtures/` (Venusaur ex with
 * one TCGplayer variant and a cardmarket block, Ampharos with two variants), re-identified as the
 * catalog card, its set object made from the catalog set, and priced deterministically.
 */

/** How one set misbehaves. */
export type FakeSetTrouble =
  /** The first request for the set answers 429 with `Retry-After: <seconds>`, the next ones serve. */
  | { kind: "rate-limited-once"; retryAfterSeconds: number }
  /** Every request answers 429 with this `Retry-After` (e.g. a day). */
  | { kind: "rate-limited"; retryAfterSeconds: number }
  /** The first `times` requests answer 5xx, then it serves. */
  | { kind: "server-error"; status: number; times: number }
  /** Every request answers 5xx: the set fails. */
  | { kind: "down"; status: number }
  /** Page `page` answers 200 with a body that is not the documented shape. */
  | { kind: "malformed-page"; page: number };

export interface FakePokemonTcgOptions {
  catalog: Catalog;
  /** `tcgplayer.updatedAt` of every card, `YYYY/MM/DD` as the API writes it. */
  updatedAt: string;
  /** Sets that misbehave, by id; the others serve every page. */
  trouble?: Record<string, FakeSetTrouble>;
  /** Card ids served without a `tcgplayer` block (no price: the client skips them). */
  unpriced?: readonly string[];
  /** Multiplies every price (a later day's market). @default 1 */
  priceFactor?: number;
}

type CardJson = Record<string, unknown>;

const template = (name: string) =>
  (JSON.parse(readFileSync(new URL(`../providers/fixtures/${name}`, import.meta.url), "utf8")) as { data: CardJson })
    .data;
const TEMPLATES = [template("pokemontcgio_v2_card_sv3pt5-3.json"), template("pokemontcgio_v2_card_pl1-1.json")];
const SET_QUERY = /^set\.id:([A-Za-z0-9._-]+)$/;

/** A deterministic price in [0.10, 80) from the card id, so every run of a test sees the same market. */
export function fakeMarketPrice(cardId: string, factor = 1): number {
  let hash = 2166136261;
  for (let i = 0; i < cardId.length; i++) hash = Math.imul(hash ^ cardId.charCodeAt(i), 16777619) >>> 0;
  return Math.round((0.1 + (hash % 7990) / 100) * factor * 100) / 100;
}

/** One card as the API returns it, on the recorded shape. */
export function fakePokemonTcgCard(card: CatalogCard, set: CatalogSet, options: FakePokemonTcgOptions): CardJson {
  const index = Number.parseInt(card.number, 10) || card.number.length;
  const base = structuredClone(TEMPLATES[index % TEMPLATES.length]!);
  const market = fakeMarketPrice(card.id, options.priceFactor);
  const round = (value: number) => Math.round(value * 100) / 100;
  const out: CardJson = {
    ...base,
    id: card.id,
    name: card.name,
    number: card.number,
    rarity: card.rarity ?? undefined,
    set: {
      ...(base.set as CardJson),
      id: set.id,
      name: set.name,
      series: set.series,
      printedTotal: set.printedTotal,
      total: set.total,
      releaseDate: set.releaseDate.replace(/-/g, "/"),
    },
    images: { small: card.imageUrl, large: card.imageUrlLarge },
  };
  if (options.unpriced?.includes(card.id)) {
    delete out.tcgplayer;
    return out;
  }
  const recorded = (base.tcgplayer as { prices: Record<string, CardJson> }).prices;
  const prices = Object.fromEntries(
    Object.keys(recorded).map((variant, i) => {
      const m = round(market / (i + 1));
      return [variant, { low: round(m * 0.6), mid: round(m * 1.1), high: round(m * 3), market: m, directLow: null }];
    }),
  );
  out.tcgplayer = { url: `https://prices.pokemontcg.io/tcgplayer/${card.id}`, updatedAt: options.updatedAt, prices };
  return out;
}

/** The fake API: `/v2/cards` pages by set, with the troubles asked for. */
export function fakePokemonTcgHandler(options: FakePokemonTcgOptions): FakeHandler {
  const requestsPerSet = new Map<string, number>();
  return (request, res) => {
    if (request.path !== "/v2/cards") return sendFakeJson(res, 404, { error: { message: "Not Found", code: 404 } });
    const setId = SET_QUERY.exec(request.query.get("q") ?? "")?.[1];
    const set = setId ? options.catalog.set(setId) : undefined;
    if (!setId || !set) return sendPage(res, request, []);
    const seen = (requestsPerSet.get(setId) ?? 0) + 1;
    requestsPerSet.set(setId, seen);
    const trouble = options.trouble?.[setId];
    const page = Number(request.query.get("page") ?? "1");
    if (trouble?.kind === "rate-limited" || (trouble?.kind === "rate-limited-once" && seen === 1)) {
      const retryAfter = String(trouble.retryAfterSeconds);
      return sendFakeJson(
        res,
        429,
        { error: { message: "Rate limit exceeded", code: 429 } },
        { "retry-after": retryAfter },
      );
    }
    if (trouble?.kind === "down" || (trouble?.kind === "server-error" && seen <= trouble.times)) {
      const status = trouble.status;
      return sendFakeJson(res, status, { error: { message: "Internal Server Error", code: status } });
    }
    if (trouble?.kind === "malformed-page" && page === trouble.page) {
      return sendFakeJson(res, 200, { data: "<html>maintenance</html>", page, totalCount: "many" });
    }
    const cards = options.catalog.cards(setId).map((card) => fakePokemonTcgCard(card, set, options));
    return sendPage(res, request, cards);
  };
}

function sendPage(res: ServerResponse, request: FakeRequest, cards: CardJson[]): void {
  const page = Math.max(1, Number(request.query.get("page") ?? "1"));
  const pageSize = Math.min(250, Math.max(1, Number(request.query.get("pageSize") ?? "250")));
  const select = request.query.get("select")?.split(",") ?? null;
  const data = cards
    .slice((page - 1) * pageSize, page * pageSize)
    .map((card) =>
      select ? Object.fromEntries(select.filter((key) => key in card).map((key) => [key, card[key]])) : card,
    );
  sendFakeJson(res, 200, { data, page, pageSize, count: data.length, totalCount: cards.length });
}
