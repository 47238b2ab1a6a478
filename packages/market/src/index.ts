export type { CatalogCard, CatalogData, CatalogSet } from "./catalog/catalog-types.js";
export { createCatalog, loadBundledCatalog, type Catalog, type CardEdge, type CardPage } from "./catalog/catalog.js";
export { readCardIndexCsv, type CardIndexEntry } from "./catalog/card-index-csv.js";
export { CatalogInputError, SEARCH_PAGE_DEFAULT, SEARCH_PAGE_MAX, type CardSearch } from "./catalog/card-search.js";
export { dayOfEpoch, formatIsoDay, looksLikeIsoDay, parseIsoDay, weekdayOf } from "./calendar-day.js";
export * from "./prices/index.js";
export * from "./providers/index.js";
export * from "./simulator/index.js";
