const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The simulated span, computed once and shared by every card. */
export interface CalendarDays {
  /** `YYYY-MM-DD`, ascending, contiguous. */
  dates: string[];
  /** Days since 1970-01-01 (UTC) of each date, for set-age arithmetic. */
  epochDays: Int32Array;
  /** 0 = Sunday … 6 = Saturday, as `Date#getUTCDay`. */
  weekdays: Uint8Array;
}

/**
 * Days since 1970-01-01 of a `YYYY-MM-DD` calendar day, or null when it is not one. A local copy of
 * kit's `isIsoDate`: importing kit costs the CLI most of a second of start-up.
 */
export function isoDayToEpochDay(value: string): number | null {
  const match = ISO_DAY.exec(value);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return Math.round(date.getTime() / DAY_MS);
}

/** The `days` calendar days ending on `endDate` inclusive. */
export function calendarDays(endDate: string, days: number): CalendarDays {
  const end = isoDayToEpochDay(endDate);
  if (end === null) throw new RangeError(`endDate must be a calendar day written YYYY-MM-DD; got ${endDate}`);
  const dates: string[] = [];
  const epochDays = new Int32Array(days);
  const weekdays = new Uint8Array(days);
  for (let i = 0; i < days; i++) {
    const day = end - days + 1 + i;
    const date = new Date(day * DAY_MS);
    dates.push(date.toISOString().slice(0, 10));
    epochDays[i] = day;
    weekdays[i] = date.getUTCDay();
  }
  return { dates, epochDays, weekdays };
}
