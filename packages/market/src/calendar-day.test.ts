import { describe, expect, it } from "vitest";
import { dayOfEpoch, formatIsoDay, parseIsoDay, weekdayOf } from "./calendar-day.js";

describe("dayOfEpoch", () => {
  it("counts days from 1970-01-01 like Date.UTC", () => {
    for (const [y, m, d] of [
      [1970, 1, 1],
      [1969, 12, 31],
      [2000, 2, 29],
      [2000, 3, 1],
      [2025, 6, 1],
      [1900, 3, 1],
      [2400, 12, 31],
    ] as const) {
      expect(dayOfEpoch(y, m, d)).toBe(Date.UTC(y, m - 1, d) / 86_400_000);
    }
  });

  it("keeps years before 100 apart from the 1900s", () => {
    const year25 = new Date(0);
    year25.setUTCFullYear(25, 0, 1);
    expect(dayOfEpoch(25, 1, 1)).toBe(year25.getTime() / 86_400_000);
    expect(dayOfEpoch(1925, 1, 1) - dayOfEpoch(25, 1, 1)).toBe(1900 * 365 + 460);
  });
});

describe("parseIsoDay", () => {
  it("reads real calendar days and round-trips through formatIsoDay", () => {
    for (const day of ["1970-01-01", "2000-02-29", "2025-06-01", "1999-12-31", "0001-01-01"]) {
      expect(formatIsoDay(parseIsoDay(day)!)).toBe(day.startsWith("0001") ? "0001-01-01" : day);
    }
  });

  it("refuses days the calendar does not have, and other shapes", () => {
    for (const text of [
      "2025-02-30",
      "2100-02-29",
      "2025-13-01",
      "2025-00-10",
      "0000-01-01",
      "2025-6-1",
      "2025/06/01",
      "",
    ]) {
      expect(parseIsoDay(text)).toBeNull();
    }
  });

  it("gives weekdays as Date#getUTCDay does", () => {
    expect(weekdayOf(parseIsoDay("2025-06-06")!)).toBe(5);
    expect(weekdayOf(parseIsoDay("1969-12-28")!)).toBe(0);
  });
});
