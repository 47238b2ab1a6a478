import type { PricePoint } from "../prices/price-point.js";
import { expectRecord, isRecord, priceOrNull, toIsoDay, type SkippedCard } from "./provider-prices.js";
import { ResponseShapeError } from "./provider-error.js";

/** The variant order of the bundled price data (data/README.md), so imported and fetched prices agree. */
export const TCGPLAYER_VARIANT_ORDER = [
  "holofoil",
  "reverseHolofoil",
  "normal",
  "1stEditionHolofoil",
  "1stEditionNormal",
] as const;

/** First variant with a market price, in TCGPLAYER_VARIANT_ORDER, then any other in response order. */
export function pickTcgplayerVariant(prices: Record<string, unknown>): string | null {
  const others = Object.keys(prices).filter((key) => !(TCGPLAYER_VARIANT_ORDER as readonly string[]).includes(key));
  for (const variant of [...TCGPLAYER_VARIANT_ORDER, ...others]) {
    const block = prices[variant];
    if (isRecord(block) && priceOrNull(block.market) !== null) return variant;
  }
  return null;
}

export type TcgplayerResult = { point: PricePoint } | { skipped: SkippedCard };

/**
 * One pokemontcg.io card object to a PricePoint. A missing price is normal (unreleased or unsold cards)
 * and is reported; a card that is not an object or has no id is a broken response.
 */
export function tcgplayerPricePoint(card: unknown, where: string, today: string): TcgplayerResult {
  const record = expectRecord(card, where);
  const cardId = record.id;
  if (typeof cardId !== "string" || cardId === "") throw new ResponseShapeError(`${where}.id is not a string`);
  const tcgplayer = record.tcgplayer;
  const prices = isRecord(tcgplayer) && isRecord(tcgplayer.prices) ? tcgplayer.prices : null;
  const variant = prices ? pickTcgplayerVariant(prices) : null;
  if (!prices || !variant) return { skipped: { cardId, reason: "no tcgplayer market price" } };

  const updatedAt = (tcgplayer as Record<string, unknown>).updatedAt;
  // An absent date means "current"; a present but unreadable one is not guessed at.
  const date = updatedAt === undefined || updatedAt === null ? today : toIsoDay(updatedAt);
  if (date === null)
    return { skipped: { cardId, reason: `unreadable tcgplayer.updatedAt ${JSON.stringify(updatedAt)}` } };

  const block = prices[variant] as Record<string, unknown>;
  return {
    point: {
      cardId,
      date,
      market: priceOrNull(block.market) as number,
      low: priceOrNull(block.low),
      high: priceOrNull(block.high),
      volume: null,
      source: "pokemontcg.io",
    },
  };
}
