export type { CatalogCard, CatalogData, CatalogSet } from "./catalog/catalog-types.js";
export { createCatalog, loadBundledCatalog, type Catalog, type CardEdge, type CardPage } from "./catalog/catalog.js";
export { CatalogInputError, SEARCH_PAGE_DEFAULT, SEARCH_PAGE_MAX, type CardSearch } from "./catalog/card-search.js";
