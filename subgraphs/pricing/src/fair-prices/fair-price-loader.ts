import type { Catalog, PricePoint } from "@pokewatch/market";
import { FEATURE_COUNT, toDailyGrid, toEpochDay, writeFeatureRow, type CardAttributeLookup } from "@pokewatch/model";
import DataLoader from "dataloader";
import type { CachedFairPrice, FairPriceCache } from "../cache/fair-price-cache.js";
import { fairPriceCacheKey } from "../cache/fair-price-cache.js";
import type { ServingModel } from "../serving/serving-model.js";
import { fairPriceKeyId, type FairPriceKey, type FairPriceResult } from "./fair-price.js";
import { dateBeforeHistory, dateInFuture, modelUnavailable, noPrices, notFoundCard } from "../pricing-errors.js";
import { pointOnOrBefore, type PriceHistoryLoader } from "./price-history-loader.js";
import { deviationPct, signalFor, type SignalThresholds } from "./signal.js";

export type FairPriceLoader = DataLoader<FairPriceKey, FairPriceResult, string>;

/** What one request's fair prices are computed with. */
export interface FairPriceSources {
  catalog: Catalog;
  attributes: CardAttributeLookup;
  history: PriceHistoryLoader;
  cache: FairPriceCache;
  /** The model pinned for this request (the same one for every batch of it), or null when none is loaded. */
  model: () => ServingModel | null;
  thresholds: SignalThresholds;
  /** Today, `YYYY-MM-DD` UTC: later dates are refused. */
  today: () => string;
}

/** Largest batch one dispatch computes (a `deals` over a big catalog runs several). */
const MAX_BATCH = 2000;

/**
 * One per request: every fair price the operation asks for in one tick — list fields,
 * `fairPrices`, `_entities` — becomes one cache multi-get, one price history read and one model
 * run for the cache misses. Asking for a card's latest day costs a second multi-get, because that
 * day is only known once its history is read.
 */
export function createFairPriceLoader(sources: FairPriceSources): FairPriceLoader {
  return new DataLoader((keys) => loadFairPrices(keys, sources), {
    cacheKeyFn: fairPriceKeyId,
    maxBatchSize: MAX_BATCH,
  });
}

type Outcome = FairPriceResult | Error;
interface Pending {
  index: number;
  cardId: string;
  date: string;
}

async function loadFairPrices(keys: readonly FairPriceKey[], sources: FairPriceSources): Promise<Outcome[]> {
  const model = sources.model();
  if (!model) return keys.map(() => modelUnavailable());
  const modelId = model.version.id;
  const today = sources.today();
  const results: Outcome[] = new Array<Outcome>(keys.length);
  const dated: Pending[] = [];
  const latest: number[] = [];
  keys.forEach(({ cardId, date }, index) => {
    if (!sources.catalog.card(cardId)) results[index] = notFoundCard(cardId);
    else if (date !== null && date > today) results[index] = dateInFuture(date, today);
    else if (date === null) latest.push(index);
    else dated.push({ index, cardId, date });
  });

  const answer = (item: Pending, value: CachedFairPrice, cached: boolean) => {
    const deviation = deviationPct(value.marketPrice, value.fairPrice);
    results[item.index] = {
      cardId: item.cardId,
      ...value,
      deviationPct: round(deviation, 2),
      signal: signalFor(deviation, sources.thresholds),
      cached,
      modelVersionId: modelId,
    };
  };
  /** Answers the cached items (those `current` accepts); returns the others. */
  const fromCache = async (
    items: Pending[],
    current: (item: Pending, value: CachedFairPrice) => boolean = () => true,
  ) => {
    if (items.length === 0) return items;
    const values = await sources.cache.getMany(items.map((item) => fairPriceCacheKey(modelId, item.cardId, item.date)));
    return items.filter((item, i) => {
      const value = values[i];
      const hit = value !== undefined && current(item, value);
      if (hit) answer(item, value, true);
      return !hit;
    });
  };

  const missed = await fromCache(dated);
  const histories = await readHistories(sources.history, [
    ...missed.map((item) => item.cardId),
    ...latest.map((i) => keys[i]!.cardId),
  ]);
  const withHistory = (item: Pending): Pending | null => {
    const points = histories.get(item.cardId)!;
    if (points instanceof Error) results[item.index] = points;
    else if (points.length === 0) results[item.index] = noPrices(item.cardId);
    else if (item.date < points[0]!.date)
      results[item.index] = dateBeforeHistory(item.cardId, item.date, points[0]!.date);
    else return item;
    return null;
  };
  const latestDated = latest.map((index) => {
    const { cardId } = keys[index]!;
    const points = histories.get(cardId)!;
    const date = points instanceof Error || points.length === 0 ? "" : points.at(-1)!.date;
    return { index, cardId, date };
  });
  // The history is read anyway for a latest day: a cached price computed from an observation that a
  // collect or an import has since changed (same day, new value or source) is computed again.
  const observedAsCached = (item: Pending, value: CachedFairPrice) => {
    const observed = (histories.get(item.cardId) as readonly PricePoint[]).at(-1)!;
    return (
      value.marketPriceDate === observed.date &&
      value.marketPrice === observed.market &&
      value.marketPriceSource === observed.source
    );
  };
  const toPredict = [
    ...missed.map(withHistory),
    ...(await fromCache(
      latestDated.map(withHistory).filter((item) => item !== null),
      observedAsCached,
    )),
  ].filter((item) => item !== null);
  if (toPredict.length === 0) return results;

  const computed = await predict(toPredict, histories as Map<string, readonly PricePoint[]>, model, sources.attributes);
  toPredict.forEach((item, i) => answer(item, computed[i]!, false));
  await sources.cache.setMany(
    toPredict.map((item, i) => ({ key: fairPriceCacheKey(modelId, item.cardId, item.date), value: computed[i]! })),
  );
  return results;
}

async function readHistories(loader: PriceHistoryLoader, cardIds: string[]) {
  const unique = [...new Set(cardIds)];
  const loaded = await loader.loadMany(unique);
  return new Map(unique.map((id, i) => [id, loaded[i]!]));
}

/** One model run for every item; each card's daily grid is built once however many days are asked. */
async function predict(
  items: readonly Pending[],
  histories: ReadonlyMap<string, readonly PricePoint[]>,
  model: ServingModel,
  attributes: CardAttributeLookup,
): Promise<CachedFairPrice[]> {
  const grids = new Map<string, ReturnType<typeof toDailyGrid>>();
  const features = new Float32Array(items.length * FEATURE_COUNT);
  items.forEach(({ cardId, date }, i) => {
    let grid = grids.get(cardId);
    if (!grid) grids.set(cardId, (grid = toDailyGrid(histories.get(cardId)!)));
    writeFeatureRow(grid, toEpochDay(date), attributes(cardId), features, i * FEATURE_COUNT);
  });
  const logRatios = await model.predict(features, items.length);
  const { lowLogRatio, highLogRatio } = model.version.interval;
  return items.map(({ cardId, date }, i) => {
    const observed = pointOnOrBefore(histories.get(cardId)!, date)!;
    const marketPrice = observed.market;
    const fairPrice = marketPrice * Math.exp(logRatios[i]!);
    return {
      date,
      marketPrice,
      marketPriceDate: observed.date,
      marketPriceSource: observed.source,
      fairPrice: round(fairPrice, 4),
      low: round(fairPrice * Math.exp(lowLogRatio), 4),
      high: round(fairPrice * Math.exp(highLogRatio), 4),
    };
  });
}

export function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
