import { formatIsoDay, parseIsoDay, weekdayOf } from "../calendar-day.js";

/** The simulated span, computed once and shared by every card. */
export interface CalendarDays {
  /** `YYYY-MM-DD`, ascending, contiguous. */
  dates: string[];
  /** Days since 1970-01-01 (UTC) of each date, for set-age arithmetic. */
  epochDays: Int32Array;
  /** 0 = Sunday … 6 = Saturday, as `Date#getUTCDay`. */
  weekdays: Uint8Array;
}

/** The `days` calendar days ending on `endDate` inclusive. */
export function calendarDays(endDate: string, days: number): CalendarDays {
  const end = parseIsoDay(endDate);
  if (end === null) throw new RangeError(`endDate must be a calendar day written YYYY-MM-DD; got ${endDate}`);
  const dates: string[] = [];
  const epochDays = new Int32Array(days);
  const weekdays = new Uint8Array(days);
  for (let i = 0; i < days; i++) {
    const day = end - days + 1 + i;
    dates.push(formatIsoDay(day));
    epochDays[i] = day;
    weekdays[i] = weekdayOf(day);
  }
  return { dates, epochDays, weekdays };
}
