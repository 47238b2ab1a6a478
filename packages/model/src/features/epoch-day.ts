import { formatIsoDay, parseIsoDay, weekdayOf } from "@pokewatch/market";

/** Days since 1970-01-01 of a `YYYY-MM-DD` day; NaN for text that is not one (features then refuse it). */
export const toEpochDay = (date: string): number => parseIsoDay(date) ?? Number.NaN;

export const fromEpochDay = formatIsoDay;

export { weekdayOf };
