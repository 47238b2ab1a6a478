export type { PricePoint, PriceSeries } from "./price-point.js";
export { marketMigrations } from "./market-migrations.js";
export {
  PriceCsvError,
  type PriceCsvErrorReason,
  type PriceRowRejection,
  type RejectedRow,
} from "./price-csv-error.js";
export { OPTIONAL_PRICE_COLUMNS, REQUIRED_PRICE_COLUMNS, type PriceRowOptions } from "./price-row-reader.js";
export {
  parsePriceCsv,
  readPriceCsv,
  readPriceCsvFile,
  streamPriceCsv,
  streamPriceCsvFile,
  type PriceCsvResult,
  type PriceCsvStreamOptions,
} from "./price-csv.js";
export {
  DEFAULT_UPSERT_BATCH_SIZE,
  MAX_UPSERT_BATCH_SIZE,
  upsertPricePoints,
  type UpsertCounts,
} from "./upsert-price-points.js";
export {
  createPriceStore,
  type CardDateRange,
  type DateRange,
  type PriceStore,
  type PriceStoreOptions,
  type PriceSummary,
} from "./price-store.js";
export {
  importPriceCsv,
  sourceOfFile,
  REPORTED_REJECTIONS,
  type PriceImportOptions,
  type PriceImportReport,
} from "./import-prices.js";
export { createCollectionLog, type CollectionEntry, type CollectionLog } from "./collection-log.js";
