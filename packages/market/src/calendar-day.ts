/**
 * Calendar days as integers (days since 1970-01-01), for every module that reads or writes
 * `YYYY-MM-DD`: no Date objects, no time zones, any year (Date.UTC would map 0–99 to 19xx).
 */

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a proleptic Gregorian date. */
export function dayOfEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Whether text has the `YYYY-MM-DD` shape, whatever the numbers. */
export const looksLikeIsoDay = (text: string): boolean => ISO_DAY.test(text);

/** The epoch day of a `YYYY-MM-DD` day the calendar has (not 2025-02-30, not year 0); else null. */
export function parseIsoDay(text: string): number | null {
  const match = ISO_DAY.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (year === 0 || day < 1 || day > daysInMonth) return null;
  return dayOfEpoch(year, month, day);
}

/** `YYYY-MM-DD` of an epoch day. */
export function formatIsoDay(epochDay: number): string {
  return new Date(epochDay * 86_400_000).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, as `Date#getUTCDay`. */
export function weekdayOf(epochDay: number): number {
  // 1970-01-01 was a Thursday.
  return (((epochDay + 4) % 7) + 7) % 7;
}
