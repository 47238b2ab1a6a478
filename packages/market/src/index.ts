export type { CatalogCard, CatalogData, CatalogSet } from "./catalog/catalog-types.js";
export {
  BUNDLED_CATALOG_FILE,
  createCatalog,
  loadBundledCatalog,
  type Catalog,
  type CardEdge,
  type CardPage,
} from "./catalog/catalog.js";
export {
  CATALOG_LICENCE_NOTE,
  buildCatalogData,
  type BuildCatalogOptions,
  type CatalogSource,
} from "./catalog/catalog-build.js";
export { createDirectoryCatalogSource } from "./catalog/catalog-directory.js";
export {
  COMPACT_CATALOG_FORMAT,
  decodeCatalog,
  encodeCatalog,
  type CompactCard,
  type CompactCatalog,
  type CompactSet,
} from "./catalog/compact-catalog.js";
export { IMAGE_BASE_URL, derivedImageUrls } from "./catalog/image-urls.js";
export { readCardIndexCsv, type CardIndexEntry } from "./catalog/card-index-csv.js";
export { CatalogInputError, SEARCH_PAGE_DEFAULT, SEARCH_PAGE_MAX, type CardSearch } from "./catalog/card-search.js";
export { dayOfEpoch, formatIsoDay, looksLikeIsoDay, parseIsoDay, weekdayOf } from "./calendar-day.js";
export * from "./prices/index.js";
export * from "./providers/index.js";
export * from "./simulator/index.js";
