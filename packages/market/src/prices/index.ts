export type { PricePoint, PriceSeries } from "./price-point.js";
