import type { PriceSeries } from "@pokewatch/market";
import type { CardAttributeLookup } from "../features/card-attributes.js";
import { toDailyGrid } from "../features/daily-grid.js";
import { fromEpochDay } from "../features/epoch-day.js";
import { FEATURE_COUNT, FEATURE_NAMES, writeFeatureRow } from "../features/feature-set.js";
import { sortingMedian } from "../features/sorting-median.js";
import { ModelInputError } from "../model-input-error.js";

/** The fair price looks this many days ahead: the median market price over the next 7 days. */
export const HORIZON_DAYS = 7;

/**
 * Every (card, day) that has a full 7-day future, with its features, its target and the two
 * baselines, in flat typed arrays (row i = features[i*FEATURE_COUNT …]): 7 million rows fit.
 */
export interface PriceDataset {
  rows: number;
  features: Float32Array;
  /** ln(forward median / price today): what the model learns. */
  target: Float64Array;
  /** Market price on the feature day. */
  price: Float64Array;
  /** The forward 7-day median market price: what every predictor is scored against. */
  actual: Float64Array;
  /** Mean of the last 3 observations (min 1): the old service's fair value. */
  rollingMean3: Float64Array;
  /** Epoch day of each row's feature date. */
  day: Int32Array;
  /** Index into `cardIds`. */
  card: Uint32Array;
  cardIds: string[];
}

export function buildPriceDataset(series: readonly PriceSeries[], attributesOf: CardAttributeLookup): PriceDataset {
  const usable = series.filter((s) => s.points.length > 0);
  const grids = usable.map((s) => toDailyGrid(s.points));
  const rows = grids.reduce((sum, grid) => sum + Math.max(0, grid.market.length - HORIZON_DAYS), 0);
  const data: PriceDataset = {
    rows,
    features: new Float32Array(rows * FEATURE_COUNT),
    target: new Float64Array(rows),
    price: new Float64Array(rows),
    actual: new Float64Array(rows),
    rollingMean3: new Float64Array(rows),
    day: new Int32Array(rows),
    card: new Uint32Array(rows),
    cardIds: usable.map((s) => s.cardId),
  };
  const future = new Float64Array(HORIZON_DAYS);
  let row = 0;
  grids.forEach((grid, cardIndex) => {
    const attributes = attributesOf(usable[cardIndex]!.cardId);
    const recent: number[] = [];
    for (let t = 0; t + HORIZON_DAYS < grid.market.length; t++) {
      const price = grid.market[t]!;
      if (grid.observed[t]) {
        recent.push(price);
        if (recent.length > 3) recent.shift();
      }
      writeFeatureRow(grid, grid.startDay + t, attributes, data.features, row * FEATURE_COUNT);
      assertFinite(data.features, row, usable[cardIndex]!.cardId, grid.startDay + t);
      for (let ahead = 1; ahead <= HORIZON_DAYS; ahead++) future[ahead - 1] = grid.market[t + ahead]!;
      const actual = sortingMedian(future);
      data.target[row] = Math.log(actual / price);
      data.price[row] = price;
      data.actual[row] = actual;
      data.rollingMean3[row] = recent.reduce((a, b) => a + b, 0) / recent.length;
      data.day[row] = grid.startDay + t;
      data.card[row] = cardIndex;
      row++;
    }
  });
  return data;
}

/** A NaN or infinite feature (say, from a malformed set release date) would corrupt the bins. */
function assertFinite(features: Float32Array, row: number, cardId: string, day: number): void {
  for (let f = 0; f < FEATURE_COUNT; f++) {
    const value = features[row * FEATURE_COUNT + f]!;
    if (!Number.isFinite(value)) {
      throw new ModelInputError(
        "BAD_FEATURES",
        `card ${cardId} on ${fromEpochDay(day)}: feature ${FEATURE_NAMES[f]} is ${value}; check its prices and attributes`,
      );
    }
  }
}
