import { basename } from "node:path";
import { loadBundledCatalog, readCardIndexCsv, readPriceCsvFile, sourceOfFile } from "@pokewatch/market";
import { catalogAttributes } from "../features/catalog-attributes.js";
import { ModelInputError } from "../model-input-error.js";
import { buildPriceDataset, HORIZON_DAYS, type PriceDataset } from "../training/price-dataset.js";
import { seriesFromPoints } from "../training/series-from-points.js";

export interface LoadedPriceFile {
  data: PriceDataset;
  rejectedRows: number;
  /** The price file and where card attributes came from, for the training summary. */
  sources: string[];
}

/**
 * A price CSV as a dataset: bad rows skipped (and counted), card attributes from the bundled
 * catalog, then from `cardIndex` when given. Serving must use the same attribute source, so it is
 * recorded in `sources`.
 */
export async function loadPriceFile(prices: string, cardIndex?: string): Promise<LoadedPriceFile> {
  const { points, rejected } = await readPriceCsvFile(prices, { defaultSource: sourceOfFile(prices) });
  const index = cardIndex ? readCardIndexCsv(cardIndex) : undefined;
  const data = buildPriceDataset(seriesFromPoints(points), catalogAttributes(loadBundledCatalog(), index));
  if (data.rows === 0) {
    throw new ModelInputError("NO_PRICES", `${prices}: no card has more than ${HORIZON_DAYS} days of prices`);
  }
  const attributes = cardIndex
    ? `card attributes: bundled catalog + ${basename(cardIndex)}`
    : "card attributes: bundled catalog";
  return { data, rejectedRows: rejected.length, sources: [basename(prices), attributes] };
}
